import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

/**
 * How many generated programs a differential property (fast path against the whole-file parse) tries. The suite
 * runs `suite` (enough to meet every statement kind many times over); `npm run bench`
 * (scripts/bench/refs-differential.mjs) sets REFS_DIFFERENTIAL_RUNS to run the same properties at offline scale.
 */
export function differentialRuns(suite: number): number {
  const n = Number(process.env['REFS_DIFFERENTIAL_RUNS']);
  return Number.isInteger(n) && n > 0 ? n : suite;
}

/**
 * The fast reader against the whole-file parse on every fixture under fixtures/refs whose name `pattern` matches
 * (`agrees` asserts they give the same answer and says whether the fast reader decided alone), and a check that it
 * decides most of them alone (else the agreement would rest on the parser fallback).
 */
export function itAgreesOnFixtures(pattern: RegExp, agrees: (rel: string, text: string) => boolean): void {
  const dir = path.join(REPO, 'fixtures', 'refs');
  const fixtures = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => pattern.test(f))
    .sort();
  it.each(fixtures)('agrees with the whole-file parse on fixtures/refs/%s', (rel) => {
    agrees(rel, readFileSync(path.join(dir, rel), 'utf8'));
  });

  it('decides most realistic fixture files alone', () => {
    const decided = fixtures.filter((rel) => agrees(rel, readFileSync(path.join(dir, rel), 'utf8')));
    expect(decided.length * 2).toBeGreaterThan(fixtures.length);
  });
}
