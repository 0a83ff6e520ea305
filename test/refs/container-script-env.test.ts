import { describe, expect, it } from 'vitest';
import { findConfigReferences } from '../../src/refs/config.js';

/**
 * A Kubernetes container that hands its command to a shell (`sh -c "vllm serve …"`): the container's `env:` is the
 * environment of every command the script runs (shell-commands.ts `findShellReferences`, its `exported` switches), so
 * vLLM's `VLLM_USE_MODELSCOPE` there sends the download to ModelScope, as it does for a container that runs
 * `vllm serve` itself (servers.ts `readServer`, vllm/envs.py).
 */
const pod = (command: string) =>
  [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: server',
    'spec:',
    '  containers:',
    '    - name: vllm',
    '      image: vllm/vllm-openai:v0.8.5',
    `      command: ${command}`,
    '      env:',
    '        - name: VLLM_USE_MODELSCOPE',
    '          value: "true"',
    '',
  ].join('\n');

describe("a container's env reaches the script its shell runs", () => {
  it.each([
    ['the server itself', '["vllm", "serve", "acme/chat"]'],
    ['a shell script', '["/bin/sh", "-c", "vllm serve acme/chat"]'],
  ])('%s: the model comes from ModelScope', (_, command) => {
    const found = findConfigReferences('pod.yaml', pod(command), () => false);
    expect(found.references.map((r) => `${r.hub} ${r.repoId}`)).toEqual(['modelscope acme/chat']);
  });
});
