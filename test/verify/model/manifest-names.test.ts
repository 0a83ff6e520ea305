import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../../src/verify/bundle/intoto.js';
import { ManifestError, PREDICATE_V01, PREDICATE_V1, toModelManifest } from '../../../src/verify/model/manifest.js';

/**
 * Resource names as model_signing reads them: `pathlib.PurePosixPath(name)` (manifest.py `new_item`), one item per
 * path in a dict where a later item replaces an earlier one (`Manifest.__init__`), and parent or absolute paths
 * refused (`_filesystem.relative_path_parts`).
 */
const D1 = createHash('sha256').update('one').digest('hex');
const D2 = createHash('sha256').update('two').digest('hex');

function statement(names: readonly string[], method: 'files' | 'shards' = 'files'): Statement {
  const resources = names.map((name, i) => ({ name, algorithm: 'sha256', digest: i % 2 === 0 ? D1 : D2 }));
  const root = createHash('sha256');
  for (const r of resources) root.update(Buffer.from(r.digest, 'hex'));
  return {
    type: 'https://in-toto.io/Statement/v1',
    predicateType: PREDICATE_V1,
    subjects: [{ name: 'model', digest: { sha256: root.digest('hex') } }],
    predicate: {
      serialization: {
        method,
        hash_type: 'sha256',
        allow_symlinks: false,
        ...(method === 'shards' ? { shard_size: 100 } : {}),
      },
      resources,
    },
  };
}

const refusal = (s: Statement): string => {
  try {
    toModelManifest(s);
  } catch (err) {
    if (err instanceof ManifestError) return err.message;
    throw err;
  }
  return 'accepted';
};

describe('model signature resource names', () => {
  it.each([
    [['a', './a'], 'resources "a" and "./a" name the same file'],
    [['d/w.bin', 'd//w.bin'], 'resources "d/w.bin" and "d//w.bin" name the same file'],
    [['d/w.bin', 'd/./w.bin'], 'resources "d/w.bin" and "d/./w.bin" name the same file'],
    [['a', 'a'], 'resource a is listed twice'],
  ])('refuses %j: model_signing keeps only the last of them', (names, want) => {
    expect(refusal(statement(names))).toBe(want);
  });

  it('refuses one shard listed under two spellings of its path', () => {
    expect(refusal(statement(['w.bin:0:100', './w.bin:0:100'], 'shards'))).toBe(
      'resources "w.bin:0:100" and "./w.bin:0:100" name the same file',
    );
    expect(refusal(statement(['w.bin:0:100', 'w.bin:100:150'], 'shards'))).toBe('accepted');
  });

  it('refuses a shard of a path holding a colon: model_signing splits the name at every colon', () => {
    expect(refusal(statement(['ckpt:v2/w.bin:0:100'], 'shards'))).toBe(
      'resources[0].name "ckpt:v2/w.bin:0:100" is not path:start:end',
    );
    // A file name may hold one in the files serialization, which does not split names.
    expect(refusal(statement(['ckpt:v2/w.bin']))).toBe('accepted');
  });

  it('reads a name as PurePosixPath does, so it meets the file the walk finds', () => {
    const m = toModelManifest(statement(['d/./w.bin', 'e//x.bin', './f/']));
    expect(m.items.map((i) => i.path)).toEqual(['d/w.bin', 'e/x.bin', 'f']);
  });

  it.each(['../x', 'd/../../x', '/etc/passwd', 'a/..'])('refuses %j, a path outside the model', (name) => {
    expect(refusal(statement([name]))).toBe(`resources[0] names a path outside the model: ${JSON.stringify(name)}`);
  });

  it('refuses the same file twice in a v0.1 signature (one subject per file)', () => {
    const s: Statement = {
      type: 'https://in-toto.io/Statement/v1',
      predicateType: PREDICATE_V01,
      subjects: [
        { name: 'w.bin', digest: { sha256: D1 } },
        { name: './w.bin', digest: { sha256: D2 } },
      ],
      predicate: {},
    };
    expect(refusal(s)).toBe('resources "w.bin" and "./w.bin" name the same file');
  });
});

describe('statement type', () => {
  it.each([PREDICATE_V1, PREDICATE_V01])(
    'refuses an in-toto v0.1 statement (%s): model_signing reads Statement/v1 alone',
    (predicateType) => {
      const s: Statement = { ...statement(['a']), type: 'https://in-toto.io/Statement/v0.1', predicateType };
      expect(refusal(s)).toBe(
        'statement _type https://in-toto.io/Statement/v0.1 is not https://in-toto.io/Statement/v1, the only one model_signing reads',
      );
    },
  );
});

/**
 * `allow_symlinks` as model_signing uses it: read with `args["allow_symlinks"]` (verifying.py
 * `_guess_hashing_config`, a KeyError when absent) and tested with Python's `if not allow_symlinks`
 * (serialization.py `check_file_or_directory`). The v0.1 compat manifest is given the string "false", which is true.
 */
describe('allow_symlinks', () => {
  const withAllow = (value: unknown): Statement => {
    const s = statement(['a']);
    const p = s.predicate as { serialization: Record<string, unknown> };
    return { ...s, predicate: { ...p, serialization: { ...p.serialization, allow_symlinks: value } } };
  };

  it.each([
    [true, true],
    ['true', true],
    ['false', true],
    [1, true],
    [false, false],
    [0, false],
    ['', false],
    [null, false],
  ])('%j reads as %s', (value, want) => {
    expect(toModelManifest(withAllow(value)).allowSymlinks).toBe(want);
  });

  it('a v1.0 manifest without it is refused (model_signing fails with a KeyError)', () => {
    const s = statement(['a']);
    const p = s.predicate as { serialization: Record<string, unknown> };
    const { allow_symlinks: _drop, ...serialization } = p.serialization;
    expect(refusal({ ...s, predicate: { ...p, serialization } })).toBe('serialization.allow_symlinks is missing');
  });

  it('a v0.1 compat manifest allows links', () => {
    const s: Statement = {
      type: 'https://in-toto.io/Statement/v1',
      predicateType: PREDICATE_V01,
      subjects: [{ name: 'w.bin', digest: { sha256: D1 } }],
      predicate: {},
    };
    expect(toModelManifest(s).allowSymlinks).toBe(true);
  });
});
