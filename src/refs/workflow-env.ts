import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { ShellValue } from './compose-env.js';
import { lineIndex } from './text.js';
import { parseShallowYaml } from '../core/yaml-depth.js';

/**
 * The variables a GitHub Actions workflow's `env:` maps give each step's `run:` script: the workflow's, then the
 * job's, then the step's, each level over the one before (docs.github.com "Store information in variables": the most
 * specific wins). A value the workflow file fixes is that value; one holding an expression (`${{ secrets.X }}`,
 * `${{ inputs.model }}`) is the run's, and unsets any outer value of the name. Gives, for a line of the file, the
 * variables of the `run:` script that holds it (none outside one, or in a file that does not parse).
 */
export function workflowRunEnv(text: string): (line: number) => ReadonlyMap<string, ShellValue> | undefined {
  const doc = parseShallowYaml(text, { uniqueKeys: false, prettyErrors: false });
  const root = doc.contents;
  if (doc.errors.length > 0 || !isMap(root)) return () => undefined;
  const at = lineIndex(text);
  const runs: { first: number; last: number; env: ReadonlyMap<string, ShellValue> }[] = [];
  const workflow = envOf(root, new Map());
  const jobs = root.get('jobs', true);
  for (const job of isMap(jobs) ? jobs.items : []) {
    if (!isMap(job.value)) continue;
    const jobEnv = envOf(job.value, workflow);
    const steps = job.value.get('steps', true);
    for (const step of isSeq(steps) ? steps.items : []) {
      if (!isMap(step)) continue;
      const run = step.get('run', true);
      if (!isScalar(run) || typeof run.value !== 'string' || !run.range) continue;
      // A block scalar's range ends past its last line break: the last line is the one before.
      const end = Math.max(run.range[0], run.range[1] - 1);
      runs.push({ first: at(run.range[0]).line, last: at(end).line, env: envOf(step, jobEnv) });
    }
  }
  return (line) => runs.find((r) => r.first <= line && line <= r.last)?.env;
}

/** `outer` with the `env:` map of `node` over it. */
function envOf(node: YAMLMap, outer: ReadonlyMap<string, ShellValue>): ReadonlyMap<string, ShellValue> {
  const env = node.get('env', true);
  if (!isMap(env)) return outer;
  const out = new Map(outer);
  for (const pair of env.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : undefined;
    if (name === undefined) continue;
    const value = isScalar(pair.value) ? pair.value.value : undefined;
    if (
      (typeof value === 'string' && !value.includes('${{')) ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    )
      out.set(name, { value: String(value) });
    else out.delete(name);
  }
  return out;
}
