import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOCKFILE_PARSERS, parseLockfileDetailed, parseLockfileOnDemand } from '../../src/deps/index.js';
import { LockfileError } from '../../src/deps/types.js';
import { toDependencyGraph } from '../../src/deps/graph.js';
import { corpusPath, hasCorpora } from '../helpers/corpus.js';

/** One corpus lockfile per parser, under the name a repository would give it. */
const CASES = [
  { parser: 'npm-package-lock', as: 'package-lock.json', file: ['npm-cli.v2-2021.package-lock.json'] },
  { parser: 'npm-package-lock', as: 'package-lock.json', file: ['npm-cli-v6.14.13.v1.package-lock.json'] },
  { parser: 'yarn-berry', as: 'yarn.lock', file: ['jest.berry-v10.yarn.lock'] },
  { parser: 'yarn-classic', as: 'yarn.lock', file: ['webpack.v1.yarn.lock'] },
  { parser: 'pnpm', as: 'pnpm-lock.yaml', file: ['vuejs-core.v9.pnpm-lock.yaml'] },
  { parser: 'bun', as: 'bun.lock', file: ['bun', 't3-oss-t3-env.bun.lock'] },
];

describe('lockfile parsers load per format', () => {
  it('covers every parser', () => {
    expect(new Set(CASES.map((c) => c.parser))).toEqual(new Set(LOCKFILE_PARSERS.map((p) => p.name)));
  });

  it.skipIf(!hasCorpora()).each(CASES.map((c) => ({ ...c, name: c.file.at(-1)! })))(
    '$parser: $name on demand = the synchronous API',
    async (c) => {
      const text = readFileSync(corpusPath('lockfiles', ...c.file), 'utf8');
      const onDemand = await parseLockfileOnDemand(c.as, text);
      expect(onDemand.kind).toBe(LOCKFILE_PARSERS.find((p) => p.name === c.parser)!.kind);
      expect(onDemand.nodes.length).toBeGreaterThan(0);
      // The parsed form holds closures (resolveDeclared); the graph built from it is plain data.
      expect(toDependencyGraph(c.as, onDemand)).toEqual(toDependencyGraph(c.as, parseLockfileDetailed(c.as, text)));
    },
  );

  it('an unknown lockfile name is LOCKFILE_UNSUPPORTED before anything loads', async () => {
    const err: unknown = await parseLockfileOnDemand('Gemfile.lock', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockfileError);
    expect((err as LockfileError).code).toBe('LOCKFILE_UNSUPPORTED');
  });
});
