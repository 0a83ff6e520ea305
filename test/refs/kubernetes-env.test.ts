import { describe, expect, it } from 'vitest';
import { findConfigReferences } from '../../src/refs/config.js';
import { dynamicFinding } from '../../src/refs/judge.js';
import { MAX_ENV_VALUES } from '../../src/refs/compose-env-files.js';

/**
 * A Kubernetes container's environment from ConfigMaps (kubelet `makeEnvironmentVariables`): `envFrom` sources in
 * order (a `configMapRef`'s `data` under its `prefix`), then `env` over them, whose `valueFrom.configMapKeyRef` names
 * one key. text-generation-inference reads `MODEL_ID`, `REVISION` and `TRUST_REMOTE_CODE` from there: a ConfigMap of
 * the same stream is read, any other source (a `secretRef`, a ConfigMap kept elsewhere) leaves the model to the run
 * time rather than to TGI's default.
 */
const CONFIG_MAP = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: tgi-config',
  'data:',
  '  MODEL_ID: acme/chat',
  '  REVISION: main',
  '  TRUST_REMOTE_CODE: "true"',
].join('\n');

const pod = (env: string) =>
  [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: tgi',
    'spec:',
    '  containers:',
    '    - name: tgi',
    '      image: ghcr.io/huggingface/text-generation-inference:2.0',
    env,
  ].join('\n');

function found(env: string, configMap = CONFIG_MAP): string[] {
  const refs = findConfigReferences('k8s/tgi.yaml', `${configMap}\n---\n${pod(env)}\n`, () => false);
  return [
    ...refs.references.map(
      (r) => `${r.line} ${r.repoId!}@${r.revision ?? '-'}${r.runsRemoteCode ? ' remote-code' : ''}`,
    ),
    ...refs.dynamic.map((d) => `${d.line} ${dynamicFinding(d).ruleId}`),
  ];
}

describe('Kubernetes envFrom and configMapKeyRef (kubernetes-env.ts)', () => {
  it.each([
    [
      'envFrom a ConfigMap of the stream',
      '      envFrom:\n        - configMapRef:\n            name: tgi-config',
      ['6 acme/chat@main remote-code'],
    ],
    [
      '`env` over `envFrom`',
      '      envFrom:\n        - configMapRef:\n            name: tgi-config\n      env:\n        - name: TRUST_REMOTE_CODE\n          value: "false"',
      ['6 acme/chat@main'],
    ],
    [
      'one key by configMapKeyRef',
      '      env:\n        - name: MODEL_ID\n          valueFrom:\n            configMapKeyRef:\n              name: tgi-config\n              key: MODEL_ID',
      ['6 acme/chat@-'],
    ],
    // Under a prefix the keys are other variables: TGI's default loads.
    [
      'a prefix',
      '      envFrom:\n        - prefix: APP_\n          configMapRef:\n            name: tgi-config',
      ['17 bigscience/bloom-560m@-'],
    ],
    ['a Secret', '      envFrom:\n        - secretRef:\n            name: hf', ['19 CPR010']],
    [
      'a ConfigMap the stream does not hold',
      '      envFrom:\n        - configMapRef:\n            name: other',
      ['19 CPR010'],
    ],
    [
      'a key of a ConfigMap the stream does not hold',
      '      env:\n        - name: MODEL_ID\n          valueFrom:\n            configMapKeyRef:\n              name: other\n              key: MODEL_ID',
      ['19 CPR010'],
    ],
  ])('%s', (_, env, want) => {
    expect(found(env)).toEqual(want);
  });

  it("stops copying ConfigMaps' variables past the file's budget, leaving the rest to the run time", () => {
    const keys = Array.from({ length: MAX_ENV_VALUES * 0.6 }, (_, i) => `  V${i}: x`).join('\n');
    const envFrom = '      envFrom:\n        - configMapRef:\n            name: tgi-config';
    const text = `${CONFIG_MAP}\n${keys}\n---\n${pod(envFrom)}\n---\n${pod(envFrom)}\n`;
    const refs = findConfigReferences('k8s/tgi.yaml', text, () => false);
    expect(refs.references.map((r) => `${r.line} ${r.repoId!}`)).toEqual(['6 acme/chat']);
    expect(refs.dynamic.map((d) => dynamicFinding(d).ruleId)).toEqual(['CPR010']);
  });
});
