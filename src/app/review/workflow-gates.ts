import { parseShallowYamlValue as parseYaml } from '../../core/yaml-depth.js';
import type { Finding } from '../../core/finding.js';
import type { InstallFileChange } from './install-files.js';

/**
 * CPU033: a workflow change that stops chainproof from gating the pull request. The review judges a change with the
 * base's policy, but the workflow that runs it is the head's own on `pull_request`: the head can drop the step, let it
 * fail quietly (`continue-on-error`, `|| true`), skip it (`if:`), lower `fail-on`, drop the `gate`, stop the trigger,
 * or let a job that waited for `gate-passed` run without it. Each is compared with the base workflow; one finding per
 * workflow lists every weakening.
 */
type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'boolean' || typeof v === 'number' ? String(v) : undefined;

interface Step {
  readonly job: string;
  readonly ifs: string;
  readonly quiet: boolean;
  readonly failOn?: string;
  readonly gate?: string;
}

interface Gates {
  readonly steps: readonly Step[];
  /** Jobs whose `if` waits for a chainproof output (`gate-passed`), by id → that condition. */
  readonly waiting: ReadonlyMap<string, string>;
  readonly triggers: ReadonlySet<string>;
  readonly filters: readonly string[];
}

const LEVELS = ['error', 'warning', 'note', 'none'];
const PR_TRIGGERS = ['pull_request', 'pull_request_target', 'merge_group'];

function gatesOf(text: string | undefined): Gates | undefined {
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch {
    return undefined;
  }
  if (!isObj(doc)) return undefined;
  const steps: Step[] = [];
  const waiting = new Map<string, string>();
  for (const [job, j] of Object.entries(isObj(doc['jobs']) ? doc['jobs'] : {})) {
    if (!isObj(j)) continue;
    const jobIf = str(j['if']) ?? '';
    if (/gate-passed/.test(jobIf)) waiting.set(job, jobIf);
    for (const s of Array.isArray(j['steps']) ? j['steps'] : []) {
      if (!isObj(s)) continue;
      const uses = str(s['uses']) ?? '';
      const run = str(s['run']) ?? '';
      if (!/chainproof/i.test(uses) && !/\bchainproof\b/.test(run)) continue;
      const w = isObj(s['with']) ? s['with'] : {};
      const failOn = str(w['fail-on']) ?? /--fail-on[= ](\w+)/.exec(run)?.[1];
      const gate = str(w['gate']) ?? /--gate[= ](\w+)/.exec(run)?.[1];
      steps.push({
        job,
        ifs: [jobIf, str(s['if']) ?? ''].join(' && '),
        quiet: truthy(s['continue-on-error']) || truthy(j['continue-on-error']) || /\|\|\s*(true|:|exit 0)\b/.test(run),
        ...(failOn !== undefined ? { failOn } : {}),
        ...(gate !== undefined ? { gate } : {}),
      });
    }
  }
  const on = doc['on'];
  const triggers = new Set(
    typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : isObj(on) ? Object.keys(on) : [],
  );
  const filters = isObj(on)
    ? PR_TRIGGERS.flatMap((t) => {
        const v = on[t];
        return isObj(v)
          ? Object.keys(v)
              .filter((k) => /^(paths|paths-ignore|branches-ignore|types)$/.test(k))
              .map((k) => `${t}.${k}`)
          : [];
      })
    : [];
  return { steps, waiting, triggers, filters };
}

const truthy = (v: unknown) => v === true || (typeof v === 'string' && v.trim() !== '' && v.trim() !== 'false');

/** What the head workflow no longer enforces that the base did. */
function weakenings(b: Gates, h: Gates | undefined): string[] {
  if (b.steps.length === 0 && b.waiting.size === 0) return [];
  if (!h) return ['the workflow that ran chainproof is gone or no longer parses'];
  const out: string[] = [];
  if (h.steps.length < b.steps.length) out.push(`chainproof steps ${b.steps.length} → ${h.steps.length}`);
  for (const s of h.steps) {
    const was = b.steps.find((x) => x.job === s.job) ?? b.steps[0];
    if (!was) continue;
    if (s.quiet && !was.quiet) out.push(`job ${s.job}: chainproof may now fail without failing the job`);
    if (s.ifs !== was.ifs)
      out.push(`job ${s.job}: the condition it runs under changed (${show(was.ifs)} → ${show(s.ifs)})`);
    if (LEVELS.indexOf(s.failOn ?? 'error') > LEVELS.indexOf(was.failOn ?? 'error'))
      out.push(`job ${s.job}: fail-on ${was.failOn ?? 'error'} → ${s.failOn ?? 'error'}`);
    if (was.gate !== undefined && s.gate !== was.gate)
      out.push(`job ${s.job}: gate ${was.gate} → ${s.gate ?? '(none)'}`);
  }
  for (const [job, cond] of b.waiting)
    if (h.waiting.get(job) !== cond) out.push(`job ${job} no longer waits for the gate as it did (${show(cond)})`);
  const lost = PR_TRIGGERS.filter((t) => b.triggers.has(t) && !h.triggers.has(t));
  if (lost.length > 0) out.push(`no longer runs on ${lost.join(', ')}`);
  const newFilters = h.filters.filter((f) => !b.filters.includes(f));
  if (newFilters.length > 0) out.push(`trigger filters added: ${newFilters.join(', ')}`);
  return out;
}

const show = (cond: string) => (cond.replace(/^ && | && $/g, '') || '(always)').slice(0, 120);

export function workflowGateFindings(changes: readonly InstallFileChange[]): Finding[] {
  const out: Finding[] = [];
  for (const c of changes) {
    if (!c.path.startsWith('.github/workflows/') || c.unread !== undefined) continue;
    const before = gatesOf(c.base);
    if (!before) continue;
    const lost = weakenings(before, gatesOf(c.head));
    if (lost.length === 0) continue;
    const line = c.head !== undefined ? c.head.split('\n').findIndex((l) => /chainproof/i.test(l)) + 1 : 0;
    out.push({
      ruleId: 'CPU033',
      message: `${c.path} weakens the chainproof check that gates this pull request: ${lost.join('; ')}. The workflow that runs on the pull request is the head's own, so the change decides whether it is reviewed at all. Restore the base revision's step and land workflow changes in a pull request of their own.`,
      location: { path: c.path, ...(line > 0 ? { line } : {}) },
      artifact: { kind: 'file', path: c.path },
      evidence: { weakenings: lost.join('\n') },
    });
  }
  return out;
}
