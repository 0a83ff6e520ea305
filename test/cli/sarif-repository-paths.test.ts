import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repositoryPrefix } from '../../src/cli/repository-prefix.js';
import { runCli } from '../helpers/cli.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('chainproof-sarif-paths-');
const REQUIREMENTS = 'foo @ git+https://github.com/x/foo\n';

/** The artifact URIs of a SARIF log's results. */
function uris(sarif: string): string[] {
  const log = JSON.parse(sarif) as {
    runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
  };
  return log.runs.flatMap((r) => r.results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri));
}

describe('SARIF paths are relative to the repository, as GitHub code scanning reads them', () => {
  it('a scan of a folder below a work tree writes the folder into every URI; the text report stays folder-relative', () => {
    const dir = tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'services/api/requirements.txt': REQUIREMENTS });
    const sub = path.join(dir, 'services', 'api');
    const sarif = runCli(['scan', sub, '--offline', '--no-cache', '-f', 'sarif', '--fail-on', 'none']);
    expect(sarif.code).toBe(0);
    expect(uris(sarif.stdout)).toEqual(['services/api/requirements.txt']);
    const text = runCli(['scan', sub, '--offline', '--no-cache', '--fail-on', 'none']);
    expect(text.stdout).toContain('at requirements.txt:1');
  });

  it('a worktree or submodule (.git is a file) is a work tree too', async () => {
    const dir = tree({ '.git': 'gitdir: ../elsewhere/.git/worktrees/x\n', 'ml/requirements.txt': REQUIREMENTS });
    expect(await repositoryPrefix(path.join(dir, 'ml'))).toBe('ml');
  });

  it('at the top of a work tree, or in none, URIs are the scan root’s own paths', async () => {
    const top = tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'requirements.txt': REQUIREMENTS });
    expect(await repositoryPrefix(top)).toBe('');
    const loose = tree({ 'requirements.txt': REQUIREMENTS });
    mkdirSync(path.join(loose, 'sub'));
    // The temporary folder sits in no work tree (os.tmpdir()).
    expect(await repositoryPrefix(path.join(loose, 'sub'))).toBe('');
    const sarif = runCli(['scan', loose, '--offline', '--no-cache', '-f', 'sarif', '--fail-on', 'none']);
    expect(uris(sarif.stdout)).toEqual(['requirements.txt']);
  });
});
