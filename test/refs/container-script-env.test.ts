import { describe, expect, it } from 'vitest';
import { findConfigReferences } from '../../src/refs/config.js';
import { searchBytes, searchText } from '../../src/refs/find.js';
import { findShellReferences } from '../../src/refs/shell-commands.js';

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

/**
 * A pod whose containers' scripts download what no config word names (`hf download`, `ollama pull`, mlx_lm): the
 * config screens (prefilter.ts `mentionsModelKey`, `mentionsModelKeyBytes`) let the manifest through on its
 * `containers` with a download's word, and config.ts reads the scripts. A manifest with neither is not parsed.
 */
describe("a pod's shell scripts pass the config screens", () => {
  const job = [
    'apiVersion: batch/v1',
    'kind: Job',
    'metadata:',
    '  name: fetch',
    'spec:',
    '  template:',
    '    spec:',
    '      initContainers:',
    '        - name: fetch',
    '          image: python:3.12',
    '          command: ["/bin/sh", "-c"]',
    '          args:',
    '            - |',
    '              pip install -U huggingface_hub',
    '              huggingface-cli download acme/chat --local-dir /models/chat',
    '      containers:',
    '        - name: mlx',
    '          image: python:3.12',
    '          env:',
    '            - name: MLX_LM_TRUST_REMOTE_CODE',
    '              value: "true"',
    '          command: ["sh", "-c", "mlx_lm.server --model acme/mlx-chat"]',
    '',
  ].join('\n');
  const found = (text: string, file = 'job.yaml') => {
    const bytes = searchBytes(file, Buffer.from(text), () => false);
    const fromText = searchText(file, text, () => false);
    expect(fromText).toEqual(bytes);
    return bytes.kind === 'found'
      ? bytes.refs.references.map((r) => `${r.line}:${r.column} ${r.repoId!}${r.runsRemoteCode ? ' remote code' : ''}`)
      : bytes.kind;
  };

  it('reads the scripts of a manifest that names no model key', () => {
    expect(found(job)).toEqual(['22:56 acme/mlx-chat remote code', '15:40 acme/chat']);
  });

  it('reads them from a JSON manifest too', () => {
    const json = JSON.stringify({
      spec: { containers: [{ name: 'f', command: ['sh', '-c', 'hf download acme/json-chat'] }] },
    });
    expect(found(json, 'pod.json')).toEqual(['1:70 acme/json-chat']);
  });

  it('leaves a manifest whose containers download nothing unparsed', () => {
    expect(
      found(job.replace(/huggingface-cli download acme\/chat|mlx_lm\.server --model acme\/mlx-chat/g, 'true')),
    ).toBe('none');
  });
});

describe("where a container script's findings stand", () => {
  const compose = (command: string) => `services:\n  fetch:\n    image: python:3.12\n    command: ${command}\n`;
  const places = (text: string) =>
    findShellReferences('docker-compose.yml', text, () => false).references.map((r) => `${r.line}:${r.column}`);

  it('finds a line after one whose escapes the file spells otherwise', () => {
    // YAML decodes `\"` and `\n`: the first line is not in the file as the shell reads it, the second is.
    expect(places(compose('["sh", "-c", "echo \\"start\\"\\nhf download acme/x"]'))).toEqual(['4:56']);
  });

  it('places the lines past the missed ones it stops searching for at the script (shell-commands.ts MAX_MISSED_LINES)', () => {
    const missed = Array.from({ length: 20 }, (_, i) => `echo \\"${i}\\"`).join('\\n');
    expect(places(compose(`["sh", "-c", "${missed}\\nhf download acme/x"]`))).toEqual(['4:40']);
  });
});
