import { describe, expect, it } from 'vitest';
import { inShard } from '../../src/core/shard.js';
import { REPO, runMain } from '../helpers/cli.js';
import { tempTrees } from '../helpers/temp-tree.js';

/**
 * A model's verification record (`file:<path>`) must land in the shard of its model (sharded by `<path>`). Before, the
 * pipeline hashed the record's key as written, so for about half the models the shard that listed the model had no
 * status for it: its CycloneDX BOM said `unchecked` for a model whose check had come out `unverifiable`, and another
 * shard counted that status in its summary without the model.
 */
const tree = tempTrees('chainproof-shard-records-');

/** An LFS pointer without an `oid` line: models/stage.ts records it `unverifiable` (malformed LFS pointer), offline. */
const MALFORMED_POINTER = 'version https://git-lfs.github.com/spec/v1\nsize 12\n';

interface Component {
  readonly type: string;
  readonly name: string;
  readonly properties: readonly { name: string; value: string }[];
}

async function scan(dir: string, format: string, shard: string): Promise<string> {
  const args = ['scan', dir, '--offline', '--no-cache', '--quiet', '--fail-on', 'none', '-f', format];
  const r = await runMain([...args, '--shard', shard], { cwd: REPO });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

const property = (c: Component, name: string) => c.properties.find((p) => p.name === name)?.value;

describe('--shard keeps a model and its verification record together', () => {
  it('every model in every shard BOM carries its status, and each shard counts only its own', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `models/m${i}.safetensors`);
    // The case only exists when the two keys hash apart: make sure some of these names do.
    const apart = names.filter(
      (n) => inShard(n, { index: 1, count: 2 }) !== inShard(`file:${n}`, { index: 1, count: 2 }),
    );
    expect(apart.length).toBeGreaterThan(0);
    const dir = tree(Object.fromEntries(names.map((n) => [n, MALFORMED_POINTER])));

    const seen: string[] = [];
    for (const shard of ['1/2', '2/2']) {
      const bom = JSON.parse(await scan(dir, 'cyclonedx', shard)) as { components: Component[] };
      const models = bom.components.filter((c) => c.type === 'machine-learning-model');
      for (const m of models)
        expect(`${m.name} ${property(m, 'chainproof:verification')}`).toBe(`${m.name} unverifiable`);
      seen.push(...models.map((m) => m.name));

      const json = JSON.parse(await scan(dir, 'json', shard)) as {
        models: { path: string }[];
        verifications: { key: string }[];
        summary: { unverifiable: number };
      };
      expect(json.verifications.map((v) => v.key)).toEqual(json.models.map((m) => `file:${m.path}`));
      expect(json.summary.unverifiable).toBe(json.models.length);
    }
    expect(seen.sort()).toEqual(names);
  });
});
