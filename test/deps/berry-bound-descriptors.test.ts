import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * yarn 2+ locks a dependency on a relative path (`exec:`, `link:`, `portal:`, `file:`) under the descriptor its
 * resolver binds to the parent's locator: the workspace lists `gen: "exec:./gen.js"`, the entry's key is
 * `gen@exec:./gen.js::locator=app%40workspace%3A.` (the shape of babel's and jest's real berry lockfiles, e.g.
 * `$repo-utils@link:./scripts/repo-utils::locator=babel%40workspace%3A.`). Hand-written in that shape.
 */
const LOCK = `__metadata:
  version: 8
  cacheKey: 10c0

"@acme/app@workspace:.":
  version: 0.0.0-use.local
  resolution: "@acme/app@workspace:."
  dependencies:
    gen: "exec:./gen.js"
    p: "portal:../outside/p"
  languageName: unknown
  linkType: soft

"gen@exec:./gen.js::locator=%40acme%2Fapp%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "gen@exec:./gen.js#./gen.js::hash=7b2d3e&locator=%40acme%2Fapp%40workspace%3A."
  languageName: node
  linkType: hard

"p@portal:../outside/p::locator=%40acme%2Fapp%40workspace%3A.":
  version: 0.0.0-use.local
  resolution: "p@portal:../outside/p::locator=%40acme%2Fapp%40workspace%3A."
  languageName: node
  linkType: soft
`;

describe('yarn 2+: dependencies on relative paths reach their locator-bound entries', () => {
  it('an exec: and a portal: dependency of the root are installed, not entries nothing declares', async () => {
    const r = await scanDeps(
      await repoWith({
        'package.json': '{"name":"@acme/app","dependencies":{"gen":"exec:./gen.js","p":"portal:../outside/p"}}',
        'yarn.lock': LOCK,
        'gen.js': 'module.exports = 1;\n',
      }),
    );
    const exec = r.findings.filter((f) => f.ruleId === 'CPD019');
    const outside = r.findings.filter((f) => f.ruleId === 'CPD017');
    expect(exec).toHaveLength(1);
    expect(outside).toHaveLength(1);
    for (const f of [...exec, ...outside]) {
      expect(f.message).not.toContain('nothing the project declares');
      expect(f.message).toContain('pulled in by root >');
    }
  });
});
