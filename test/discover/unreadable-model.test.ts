import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SKIP_DIRS, walkTree } from '../../src/discover/walk.js';

/**
 * A file the walk cannot open (mode 000): CPX001 either way, but a file whose name says model weights is an error,
 * as a model inspection cut short is (CPI004/CPI012), so the scan does not exit 0 over a model nobody looked at.
 * Root reads any file, so as root the walk runs with the effective uid of `nobody` and gets it back after.
 */
async function unprivileged<T>(fn: () => Promise<T>): Promise<T> {
  if (process.geteuid?.() !== 0 || process.seteuid === undefined) return fn();
  process.seteuid(65534);
  try {
    return await fn();
  } finally {
    process.seteuid(0);
  }
}

describe('a file the walk cannot read', () => {
  it.each([
    { name: 'locked/model.pkl', want: 'error' },
    { name: 'locked/pytorch_model.bin', want: 'error' },
    { name: 'locked/weights.safetensors', want: 'error' },
    { name: 'locked/notes.txt', want: undefined },
  ])('$name: CPX001 at level $want', async ({ name, want }) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainproof-unreadable-'));
    const abs = path.join(dir, name);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, 'x');
    chmodSync(dir, 0o755);
    chmodSync(path.dirname(abs), 0o755);
    chmodSync(abs, 0o000);
    const r = await unprivileged(() => walkTree(dir, { include: [], exclude: [], skipDirs: DEFAULT_SKIP_DIRS }));
    expect(r.files).toEqual([]);
    expect(r.findings.map((f) => [f.ruleId, f.location.path, f.level])).toEqual([['CPX001', name, want]]);
  });
});
