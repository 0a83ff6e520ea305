import { describe, expect, it } from 'vitest';
import { dockerEnvFile } from '../../src/refs/docker-env-file.js';
import { refFindingLines } from './finding-lines.js';
import { tempTrees, type Tree } from '../helpers/temp-tree.js';

/**
 * `docker run --env-file F` (docker/cli opts/file.go `parseKeyValueFile`, opts `ReadKVEnvStrings`): F sets the
 * container's environment, text-generation-inference reads `MODEL_ID`, `REVISION` and `TRUST_REMOTE_CODE` from it,
 * a later file overrides an earlier one and `-e` overrides them all. F is found from the script's folder, else the
 * repository's root; one the repository does not hold is the run time's.
 */
const tree = tempTrees('chainproof-docker-env-file-');
const TGI = 'ghcr.io/huggingface/text-generation-inference:2.0';

function scan(files: Tree): Promise<string[]> {
  return refFindingLines(tree(files), (f) => f.ruleId !== 'CPR003');
}

describe('docker run --env-file (docker-env-file.ts)', () => {
  it('reads the model, revision and trust_remote_code a server takes from the file', async () => {
    expect(
      await scan({
        'deploy/run.sh': [
          `docker run --gpus all --env-file tgi.env ${TGI}`,
          `docker run --env-file deploy/tgi.env --env-file=later.env -e REVISION=main ${TGI}`,
          `docker run --env-file missing.env ${TGI}`,
          '',
        ].join('\n'),
        'deploy/tgi.env': '\uFEFF# the server\n  MODEL_ID=acme/from-file\nTRUST_REMOTE_CODE=true\nHF_TOKEN\n',
        'later.env': 'TRUST_REMOTE_CODE=false\n',
      }),
    ).toEqual([
      'CPR001 deploy/run.sh:1:34 acme/from-file@-',
      'CPR001 deploy/run.sh:2:23 acme/from-file@main',
      'CPR002 deploy/run.sh:1:34 acme/from-file@-',
      'CPR010 deploy/run.sh:3:23 dynamic',
    ]);
  });

  it("reads an absolute path as the host's file, never a repository file below the script's folder", async () => {
    // docker/cli opens `/etc/x.env` on the host (opts/file.go `parseKeyValueFile`): `scripts/etc/x.env` is not it.
    expect(
      await scan({
        'scripts/run.sh': `docker run --env-file /etc/x.env ${TGI}\n`,
        'scripts/etc/x.env': 'MODEL_ID=acme/not-this\n',
        'etc/x.env': 'MODEL_ID=acme/nor-this\n',
      }),
    ).toEqual(['CPR010 scripts/run.sh:1:23 dynamic']);
  });

  it('counts an env file too large to read as not searched, where it left the model to the run time', async () => {
    // docker reads a file of any size; past the search's 2 MiB its MODEL_ID was lost with no word (CPR010 alone).
    const padding = `# ${'x'.repeat(62)}\n`.repeat(40_000);
    expect(
      await scan({
        'run.sh': `docker run --env-file tgi.env ${TGI}\n`,
        'tgi.env': `${padding}MODEL_ID=acme/past-the-bound\n`,
      }),
    ).toEqual(['CPR010 run.sh:1:23 dynamic', 'CPR011 tgi.env:undefined:undefined dynamic']);
  });

  it("reads a file as docker does: values as written, a bare name the host's, a blank in a name refused", () => {
    expect([...dockerEnvFile('A="org/x" \r\n#c\n\n B\nC=a=b\nHF_TOKEN=x\nD=hf_abc\n')!]).toEqual([
      ['A', '"org/x" '],
      ['B', null],
      ['C', 'a=b'],
    ]);
    expect(dockerEnvFile('MODEL_ID =org/x\n')).toBeUndefined();
    expect(dockerEnvFile('=org/x\n')).toBeUndefined();
  });
});
