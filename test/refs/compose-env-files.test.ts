import { describe, expect, it } from 'vitest';
import { refsStage } from '../../src/refs/stage.js';
import { MAX_ENV_VALUES } from '../../src/refs/compose-env-files.js';
import { refFindingLines } from './finding-lines.js';
import { scanWith } from '../helpers/scan.js';
import { tempTrees, type Tree } from '../helpers/temp-tree.js';

/**
 * A Compose service's `env_file:` sets its container's variables (compose-go types.Project
 * `WithServicesEnvironmentResolved`, `loadEnvFile`): text-generation-inference and text-embeddings-inference read
 * `MODEL_ID`, `REVISION` and `TRUST_REMOTE_CODE` from there, vLLM `VLLM_USE_MODELSCOPE`, huggingface_hub `HF_ENDPOINT`.
 * Files are relative to the compose file's folder, a later one overrides an earlier one and `environment:` overrides
 * them all; a file the repository does not hold is the run time's.
 */
const tree = tempTrees('chainproof-env-file-');
const C = 'c'.repeat(40);

function scan(files: Tree): Promise<string[]> {
  return refFindingLines(tree(files), (f) => f.ruleId !== 'CPR003');
}

const tgi = (lines: string) =>
  `services:\n  tgi:\n    image: ghcr.io/huggingface/text-generation-inference:2.0\n${lines}`;

describe('Compose env_file (compose-env-files.ts)', () => {
  it('reads the model, revision and trust_remote_code a server takes from its env file', async () => {
    expect(
      await scan({
        'docker-compose.yml': tgi('    env_file: .env.tgi\n'),
        '.env.tgi': '# server\nMODEL_ID=acme/secret-chat\nREVISION=main\nTRUST_REMOTE_CODE=true\n',
      }),
    ).toEqual([
      'CPR001 docker-compose.yml:4:15 acme/secret-chat@main',
      'CPR002 docker-compose.yml:4:15 acme/secret-chat@main',
    ]);
  });

  it('reads a list of files in order, relative to the compose folder, under `environment:`', async () => {
    expect(
      await scan({
        'deploy/compose.yaml': tgi(
          '    env_file:\n      - ../common.env\n      - path: ./tgi.env\n        required: false\n    environment:\n      TRUST_REMOTE_CODE: "false"\n',
        ),
        'common.env': `MODEL_ID=acme/common\nREVISION=${C}\nTRUST_REMOTE_CODE=1\n`,
        'deploy/tgi.env': 'MODEL_ID=acme/override\n',
      }),
    ).toEqual([]);
  });

  it('leaves to the run time what a file the repository does not hold sets, not a default model', async () => {
    expect(
      await scan({
        'docker-compose.yml':
          tgi('    env_file: .env\n') +
          '  tei:\n    image: ghcr.io/huggingface/text-embeddings-inference:cpu-1.5\n    env_file: [/etc/tei.env]\n    environment:\n      MODEL_ID: acme/embed\n',
      }),
    ).toEqual(['CPR001 docker-compose.yml:9:17 acme/embed@-', 'CPR010 docker-compose.yml:4:15 dynamic']);
  });

  it('reports the hub settings an env file makes at the entry that names it', async () => {
    expect(
      await scan({
        'compose.yaml':
          'services:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n    env_file: vllm.env\n    command: --model acme/chat --revision ' +
          C +
          '\n  app:\n    image: python:3.12\n    env_file: vllm.env\n',
        'vllm.env': 'HF_ENDPOINT=https://hf-mirror.example.com\nHF_TOKEN=hf_example\nHF_HUB_OFFLINE=0\n',
      }),
    ).toEqual(['CPR017 compose.yaml:4:15 dynamic', 'CPR017 compose.yaml:8:15 dynamic']);
  });

  it('sends a vLLM service to ModelScope when its env file says so', async () => {
    const found = await scanWith(
      tree({
        'compose.yaml':
          'services:\n  vllm:\n    image: vllm/vllm-openai:v0.8.5\n    env_file: ms.env\n    command: --model acme/chat\n',
        'ms.env': 'VLLM_USE_MODELSCOPE=True\n',
      }),
      [refsStage],
    );
    expect((found.references ?? []).map((r) => `${r.hub} ${r.repoId}`)).toEqual(['modelscope acme/chat']);
  });

  it("stops copying env files' variables past the file's budget, leaving the rest to the run time", async () => {
    // Each service copies every variable of its files: a thousand services of one large file would be quadratic.
    const many = Array.from({ length: MAX_ENV_VALUES * 0.6 }, (_, i) => `V${i}=x`).join('\n');
    expect(
      await scan({
        'compose.yaml':
          tgi('    env_file: big.env\n') + tgi('    env_file: big.env\n').replace('services:\n  tgi:', '  tgi2:'),
        'big.env': `MODEL_ID=acme/big\n${many}\n`,
      }),
    ).toEqual(['CPR001 compose.yaml:4:15 acme/big@-', 'CPR010 compose.yaml:7:15 dynamic']);
  });
});
