import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMain } from '../../helpers/cli.js';
import { zip } from '../formats/build.js';

interface JsonFinding {
  ruleId: string;
  level: string;
  message: string;
  fingerprint: string;
  location: { path: string; member?: string };
  evidence?: Record<string, unknown>;
  related?: { path: string }[];
}

/** A protocol-2 pickle that imports each `module.name` with GLOBAL and drops it; `newobj` ones it instantiates. */
function importing(names: readonly string[], newobj: readonly string[] = []): Buffer {
  const ops = names.map((n) => `c${n.slice(0, n.lastIndexOf('.'))}\n${n.slice(n.lastIndexOf('.') + 1)}\n0`);
  const objs = newobj.map((n) => `c${n.slice(0, n.lastIndexOf('.'))}\n${n.slice(n.lastIndexOf('.') + 1)}\n)\x810`);
  return Buffer.from(`\x80\x02${ops.join('')}${objs.join('')}N.`, 'latin1');
}

/** `count` distinct names nobody lists, spread over seven modules, as a flood would be. */
const flood = (count: number) => Array.from({ length: count }, (_, i) => `flood${i % 7}.Name${i}`);

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** `chainproof scan <dir> --offline --fail-on none` as a user runs it, with its files written first. */
async function scan(files: Record<string, Buffer>): Promise<JsonFinding[]> {
  dir = mkdtempSync(path.join(tmpdir(), 'cp-unknown-globals-'));
  for (const [name, data] of Object.entries(files)) writeFileSync(path.join(dir, name), data);
  const out = path.join(dir, '..', `${path.basename(dir)}.json`);
  const r = await runMain(['scan', dir, '--offline', '--no-cache', '--fail-on', 'none', '-f', `json=${out}`]);
  expect(r.code, r.stderr).toBe(0);
  const json = JSON.parse(readFileSync(out, 'utf8')) as { findings: JsonFinding[] };
  rmSync(out);
  return json.findings.filter((f) => f.ruleId.startsWith('CPI'));
}

describe("a file's unlisted globals are one CPI002 (inspect/pickle/unknown-globals.ts)", () => {
  it('folds 3000 unlisted names into one warning and keeps each dangerous global its own error', async () => {
    const names = flood(3000);
    const found = await scan({ 'model.pkl': importing([...names, 'os.system', 'builtins.eval']) });
    expect(found.map((f) => [f.ruleId, f.level, f.evidence?.['global']]).sort()).toEqual([
      ['CPI001', 'error', 'builtins.eval'],
      ['CPI001', 'error', 'os.system'],
      ['CPI002', 'warning', undefined],
    ]);
    const unknown = found.find((f) => f.ruleId === 'CPI002')!;
    expect(unknown.evidence).toMatchObject({ globalCount: 3000 });
    const listed = String(unknown.evidence!['globals']).split(',');
    expect(listed).toHaveLength(50);
    expect(listed.every((n) => names.includes(n))).toBe(true);
    expect(unknown.message).toMatch(
      /^model\.pkl: the pickle imports 3000 globals that are not on the safe list: `flood0\.Name0`, .* and 2990 more\. /,
    );
  });

  it('names the ones the unpickler instantiates first', async () => {
    const found = await scan({ 'net.pkl': importing(['zoo.A', 'zoo.B'], ['zoo.Z']) });
    const unknown = found.filter((f) => f.ruleId === 'CPI002');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.evidence).toMatchObject({ globals: 'zoo.Z,zoo.A,zoo.B', globalCount: 3, called: 1 });
    expect(unknown[0]!.message).toContain('3 globals that are not on the safe list (1 of them called while loading)');
  });

  it('keeps the finding of a file with one unlisted global as it was', async () => {
    const found = await scan({ 'one.pkl': importing(['mymodels.nets.TinyNet']) });
    expect(found.map((f) => [f.ruleId, f.message, Object.keys(f.evidence ?? {}).sort()])).toEqual([
      [
        'CPI002',
        'one.pkl: the pickle imports `mymodels.nets.TinyNet`, which is not on the safe list. Check it and add it to models.allowedGlobals if you trust it.',
        ['global', 'offset', 'opcode', 'pickle'],
      ],
    ]);
  });

  it('groups files across the folder only when every unlisted name agrees', async () => {
    const names = flood(80);
    const found = await scan({
      'a.pkl': importing(names),
      'b.pkl': importing(names),
      // The same count and the same first 50 names (the listed ones), one name past them different.
      'c.pkl': importing([...names.filter((n) => n !== 'flood6.Name76'), 'flood9.Other']),
    });
    const unknown = found.filter((f) => f.ruleId === 'CPI002');
    expect(unknown.map((f) => [f.location.path, f.evidence?.['count'], f.related?.map((r) => r.path)])).toEqual([
      ['a.pkl', 2, ['b.pkl']],
      ['c.pkl', undefined, undefined],
    ]);
    expect(unknown[0]!.message).toMatch(
      /^The same in 2 model files: a\.pkl, b\.pkl\. The first: a\.pkl: the pickle imports 80 globals/,
    );
  });

  it("says torch.load's refusal once for the names of a checkpoint", async () => {
    const pickle = importing(['trainer.Config', 'trainer.Notes']);
    const found = await scan({
      'ckpt.pt': zip([
        { name: 'ckpt/data.pkl', data: pickle },
        { name: 'ckpt/version', data: '3\n' },
      ]),
    });
    const unknown = found.filter((f) => f.ruleId === 'CPI002');
    expect(unknown.map((f) => [f.location.member, f.evidence?.['globals']])).toEqual([
      ['ckpt/data.pkl', 'trainer.Config,trainer.Notes'],
    ]);
    expect(unknown[0]!.evidence?.['torchLoad']).toMatch(/^refused by the default weights_only=True/);
    expect(unknown[0]!.message.match(/torch\.load refuses/g)).toHaveLength(1);
    expect(unknown[0]!.message).toMatch(/torch\.load refuses these globals by default since torch 2\.6/);
  });
});
