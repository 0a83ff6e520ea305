import type { Artifact, Finding, Location } from '../../core/finding.js';
import type { AllowContext } from './allowlist.js';
import { isAllowed, matchesPolicy, matchesPolicyExactly } from './allowlist.js';
import { toPython3 } from './compat.js';
import { dangerOf } from './danger.js';
import type { CallSite, PickleRun, ProblemKind } from './result.js';
import type { GlobalRef } from './values.js';
import { pushAll } from '../../core/push-all.js';

export type GlobalVerdict =
  { readonly kind: 'safe' } | { readonly kind: 'unknown' } | { readonly kind: 'dangerous'; readonly why: string };

/** Allowlist first (built-in, curated); then known-dangerous; then the policy's wildcards; else unknown. */
export function judgeGlobal(module: string, name: string, ctx: AllowContext): GlobalVerdict {
  const py3 = toPython3(module, name);
  if (isAllowed(py3.module, py3.name, { ...ctx, extra: [] })) return { kind: 'safe' };
  if (
    matchesPolicyExactly(module, name, ctx.extra ?? []) ||
    matchesPolicyExactly(py3.module, py3.name, ctx.extra ?? [])
  ) {
    return { kind: 'safe' };
  }
  const why = dangerOf(py3.module, py3.name) ?? dangerOf(module, name);
  if (why !== undefined) return { kind: 'dangerous', why };
  if (matchesPolicy(py3.module, py3.name, ctx.extra ?? [])) return { kind: 'safe' };
  return { kind: 'unknown' };
}

export interface VerdictContext {
  readonly location: Location;
  readonly artifact?: Artifact;
  readonly allow: AllowContext;
  /** What holds the pickle, for messages: `pickle`, `PyTorch archive member`, … */
  readonly what: string;
}

const PROBLEM_RULES: Record<ProblemKind, string> = {
  malformed: 'CPI003',
  budget: 'CPI004',
  frame: 'CPI007',
  expansion: 'CPI008',
  leftover: 'CPI009',
  extension: 'CPI010',
};

/** Findings for the pickles of one file or member; one finding per distinct global, call shape or problem. */
export function toFindings(runs: readonly PickleRun[], ctx: VerdictContext): Finding[] {
  const out: Finding[] = [];
  const base = { location: ctx.location, ...(ctx.artifact ? { artifact: ctx.artifact } : {}) };
  const where = ctx.location.member !== undefined ? `${ctx.location.path} (${ctx.location.member})` : ctx.location.path;
  const seen = new Set<string>();
  runs.forEach((run, index) => {
    const callsOf = (g: GlobalRef): string =>
      [...run.calls.values()]
        .filter((c) => c.target?.module === g.module && c.target.name === g.name)
        .map((c) => `${c.kind}${c.onGlobal ? '(on global)' : ''}×${c.count}`)
        .join(', ');
    for (const g of run.globals.values()) {
      const qualified = `${g.module}.${g.name}`;
      const v = judgeGlobal(g.module, g.name, ctx.allow);
      if (v.kind === 'safe' || seen.has(`g:${qualified}`)) continue;
      seen.add(`g:${qualified}`);
      const calls = callsOf(g);
      const evidence = {
        global: qualified,
        opcode: g.opcode,
        offset: g.offset,
        pickle: index,
        ...(calls ? { calls } : {}),
        ...(v.kind === 'dangerous' ? { resolvesTo: v.why } : {}),
      };
      out.push(
        v.kind === 'dangerous'
          ? {
              ...base,
              ruleId: 'CPI001',
              message: `${where}: the ${ctx.what} imports \`${qualified}\` (${v.why}) at byte ${g.offset}${calls ? `, called via ${calls}` : ''}; loading it can run code. Do not load this file.`,
              evidence,
            }
          : {
              ...base,
              ruleId: 'CPI002',
              message: `${where}: the ${ctx.what} imports \`${qualified}\`, which is not on the safe list${calls ? ` (called via ${calls})` : ''}. Check it and add it to models.allowedGlobals if you trust it.`,
              evidence,
            },
      );
    }
    for (const c of run.calls.values()) pushAll(out, callFindings(c, index, where, base, seen));
    for (const p of run.problems) {
      const key = `p:${p.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        ...base,
        ruleId: PROBLEM_RULES[p.kind],
        message: `${where}: ${p.message} (pickle ${index}, byte ${p.offset}); the ${ctx.what} is not known to be safe.`,
        evidence: { problem: p.kind, offset: p.offset, pickle: index, detail: p.message },
      });
    }
  });
  return out;
}

function callFindings(
  c: CallSite,
  index: number,
  where: string,
  base: Pick<Finding, 'location' | 'artifact'>,
  seen: Set<string>,
): Finding[] {
  const target = c.target ? `${c.target.module}.${c.target.name}` : 'a computed value';
  if (c.onGlobal && !['REDUCE', 'OBJ', 'INST', 'NEWOBJ', 'NEWOBJ_EX', 'EXT'].includes(c.kind)) {
    const key = `m:${target}:${c.kind}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [
      {
        ...base,
        ruleId: 'CPI005',
        message: `${where}: ${c.kind} at byte ${c.offset} modifies the imported global \`${target}\` itself, rewriting process state while loading. Do not load this file.`,
        evidence: { global: target, opcode: c.kind, offset: c.offset, pickle: index },
      },
    ];
  }
  if (c.computed) {
    const key = `c:${target}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [
      {
        ...base,
        ruleId: 'CPI006',
        message: `${where}: ${c.kind} at byte ${c.offset} calls a value computed at load time${c.target ? ` (derived from \`${target}\`)` : ''}, not an imported global. Do not load this file unless you can explain the call.`,
        evidence: { opcode: c.kind, offset: c.offset, pickle: index, ...(c.target ? { origin: target } : {}) },
      },
    ];
  }
  return [];
}
