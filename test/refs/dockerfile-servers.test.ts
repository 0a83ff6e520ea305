import { describe, expect, it } from 'vitest';
import { findShellReferences } from '../../src/refs/shell-commands.js';

/**
 * A Dockerfile's image starts its last stage's ENTRYPOINT followed by its CMD, or the base image's own entrypoint
 * (docs.docker.com reference/dockerfile, "Understand how CMD and ENTRYPOINT interact"): the model server the container
 * runs is read from them together, as a Compose service's `image:` and `command:` are.
 */
const SHA = '0123456789abcdef0123456789abcdef01234567';
const refs = (text: string) =>
  findShellReferences('Dockerfile', text, () => false).references.map(
    (r) => `${r.line}:${r.column} ${r.repoId}@${r.revision ?? '-'}${r.runsRemoteCode ? ' remote-code' : ''} ${r.via}`,
  );

describe('Dockerfile: the server a container of the image starts', () => {
  it("vLLM's image with CMD as its arguments: the model and --trust-remote-code", () => {
    const text = `FROM vllm/vllm-openai:v0.6.3\nCMD ["--model", "acme/m1", "--revision", "${SHA}", "--trust-remote-code"]\n`;
    expect(refs(text)).toEqual([`2:17 acme/m1@${SHA} remote-code vllm serve (Dockerfile)`]);
  });

  it('ENTRYPOINT and CMD split across two instructions, continued lines too', () => {
    const text = `FROM python:3.12\nRUN pip install vllm\nENTRYPOINT ["vllm", "serve"]\nCMD ["acme/m4", \\\n  "--trust-remote-code"]\n`;
    expect(refs(text)).toEqual(['4:7 acme/m4@- remote-code vllm serve (Dockerfile)']);
  });

  it('a stage built FROM an earlier one keeps its ENTRYPOINT; the last CMD wins', () => {
    const text = [
      'FROM vllm/vllm-openai:latest AS server',
      'CMD ["--model", "acme/old"]',
      'FROM server',
      'ENV HF_HOME=/models',
      'CMD ["--model", "acme/new", "--trust-remote-code"]',
      '',
    ].join('\n');
    expect(refs(text)).toEqual(['5:17 acme/new@- remote-code vllm serve (Dockerfile)']);
  });

  it("text-generation-inference's image reads MODEL_ID and TRUST_REMOTE_CODE from ENV", () => {
    const text = `FROM ghcr.io/huggingface/text-generation-inference:2.4\nENV MODEL_ID=acme/tgi REVISION=${SHA}\nENV TRUST_REMOTE_CODE=true\n`;
    expect(refs(text)).toEqual([`2:14 acme/tgi@${SHA} remote-code text-generation-inference (Dockerfile)`]);
  });

  it('not read: an ENTRYPOINT of its own replaces the server, a shell-form ENTRYPOINT drops CMD', () => {
    expect(refs('FROM vllm/vllm-openai\nENTRYPOINT ["python3", "app.py"]\nCMD ["--model", "acme/x"]\n')).toEqual([]);
    // An ENTRYPOINT resets the CMD inherited from the stage it is built from.
    expect(
      refs('FROM vllm/vllm-openai AS s\nCMD ["--model", "acme/x"]\nFROM s\nENTRYPOINT ["python3", "app.py"]\n'),
    ).toEqual([]);
    expect(refs('FROM python:3.12\nENTRYPOINT echo hi\nCMD ["vllm-like", "acme/x"]\n')).toEqual([]);
  });

  it('one instruction that names the server is read once, as the line reader reads it', () => {
    const text = 'FROM vllm/vllm-openai\nCMD ["vllm", "serve", "acme/served", "--trust-remote-code"]\n';
    expect(refs(text)).toEqual(['2:23 acme/served@- remote-code vllm serve']);
  });
});
