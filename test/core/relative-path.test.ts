import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { leavesBase } from '../../src/core/relative-path.js';

describe('leavesBase', () => {
  it('is a .. segment or an absolute path, never a name that starts with two dots', () => {
    const rel = (p: string) => path.relative('/repo', p);
    expect(leavesBase(rel('/elsewhere/x'))).toBe(true);
    expect(leavesBase(rel('/'))).toBe(true);
    expect(leavesBase('..')).toBe(true);
    expect(leavesBase('/abs')).toBe(true);
    expect(leavesBase(rel('/repo/..models/w.pt'))).toBe(false);
    expect(leavesBase(rel('/repo/..ca.pem'))).toBe(false);
    expect(leavesBase(rel('/repo/a/../b'))).toBe(false);
    expect(leavesBase('')).toBe(false);
  });
});
