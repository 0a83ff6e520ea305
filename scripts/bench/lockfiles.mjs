#!/usr/bin/env node
// Parse-and-check time for the real lockfiles (build/ first: `npx tsc -p tsconfig.build.json`).
// Reference, measured in the same run on the same text: the bare syntax parse (JSON.parse for npm, yarn berry's
// parseSyml for yarn.lock, `yaml` for pnpm) — what any reader of the file must pay at least.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSyml } from '@yarnpkg/parsers';
import { parse as parseYaml } from 'yaml';
import { corpusPath } from './lib/corpora.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { parseLockfileDetailed } = await import(path.join(root, 'build/deps/index.js'));
const { toDependencyGraph } = await import(path.join(root, 'build/deps/graph.js'));
const { checkDependencies, toCheckPolicy } = await import(path.join(root, 'build/deps/checks/index.js'));
const { DEFAULT_POLICY } = await import(path.join(root, 'build/trust/policy/default.js'));
const { EMPTY_REGISTRY } = await import(path.join(root, 'build/core/trusted-registry.js'));

const dir = corpusPath('lockfiles');
const FILES = [
  ['salesforce-cli-2.146.3.v3.npm-shrinkwrap.json', 'npm-shrinkwrap.json', (t) => JSON.parse(t)],
  ['jest.berry-v10.yarn.lock', 'yarn.lock', (t) => parseSyml(t)],
  ['npm-cli.v3-workspaces.package-lock.json', 'package-lock.json', (t) => JSON.parse(t)],
  ['webpack.v1.yarn.lock', 'yarn.lock', (t) => parseSyml(t)],
  ['vuejs-core.v6.pnpm-lock.yaml', 'pnpm-lock.yaml', (t) => parseYaml(t)],
];
const policy = toCheckPolicy(DEFAULT_POLICY, EMPTY_REGISTRY, []);

function median(fn, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)] };
}

console.log('lockfile                                        pkgs  cold ms  warm ms  reference ms  ratio');
for (const [file, name, reference] of FILES) {
  const text = readFileSync(path.join(dir, file), 'utf8');
  let count = 0;
  const run = () => {
    const parsed = parseLockfileDetailed(`bench/${name}`, text);
    const graph = toDependencyGraph(`bench/${name}`, parsed);
    checkDependencies(graph, parsed, policy, []);
    count = graph.packages.length;
  };
  const t0 = process.hrtime.bigint();
  run(); // first run in this process: what a one-shot CLI scan pays (JIT cold)
  const cold = Number(process.hrtime.bigint() - t0) / 1e6;
  const warm = median(run, 7).median;
  const ref = median(() => reference(text), 7).median;
  console.log(
    `${file.padEnd(46)} ${String(count).padStart(5)} ${cold.toFixed(1).padStart(8)} ${warm.toFixed(1).padStart(8)} ${ref.toFixed(1).padStart(13)} ${(warm / ref).toFixed(2).padStart(6)}x`,
  );
}
