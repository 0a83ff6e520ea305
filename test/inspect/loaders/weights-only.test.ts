import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectStage } from '../../../src/inspect/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { zip } from '../formats/build.js';

const short = (s: string) => `\x8c${String.fromCharCode(s.length)}${s}`;
const call4 = (module: string, name: string) =>
  Buffer.from(`\x80\x04${short(module)}${short(name)}\x93${short('x')}\x85R.`, 'latin1');
const fixture = (name: string): Buffer =>
  readFileSync(join(import.meta.dirname, '../../../fixtures/loader-cases', name));

/**
 * Whether the default torch.load would refuse the global (`_weights_only_unpickler`, torch >= 2.6) is part of the
 * verdict's evidence for the pickles torch.load reads, and only for those.
 */
const CASES = [
  {
    name: 'os.system in a torch zip data.pkl',
    files: { 'm.pt': zip([{ name: 'archive/data.pkl', data: call4('posix', 'system') }]) },
    want: 'refused',
  },
  {
    name: 'os.system inside _load_from_bytes (torch.load of the bytes)',
    files: { 'm.pkl': fixture('load_from_bytes_evil_legacy.pkl') },
    want: 'refused',
  },
  {
    name: 'os.system in a plain pickle (pickle.load, no weights_only)',
    files: { 'm.pkl': call4('posix', 'system') },
    want: 'none',
  },
  {
    name: 'torch.distributed global in data.pkl (weights_only allows the DTensor classes: no claim)',
    files: { 'm.pt': zip([{ name: 'archive/data.pkl', data: call4('torch.distributed.rpc', 'rpc_sync') }]) },
    want: 'none',
  },
] as const;

const root = mkdtempSync(join(tmpdir(), 'cp-weights-only-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the verdict says what the default torch.load (weights_only=True) does', () => {
  it.each(CASES.map((c, i) => ({ ...c, i })))('$name', async ({ files, want, i }) => {
    const dir = join(root, String(i));
    mkdirSync(dir, { recursive: true });
    for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
    const res = await scanWith(dir, [inspectStage]);
    const flagged = res.findings.filter((f) => f.ruleId === 'CPI001');
    expect(flagged.length).toBeGreaterThan(0);
    const notes = flagged.map((f) => (typeof f.evidence?.['torchLoad'] === 'string' ? 'refused' : 'none'));
    expect([...new Set(notes)]).toEqual([want]);
  });
});
