import type { Finding } from '../../core/finding.js';
import type { KerasUnpickle } from './keras-object.js';
import { MAX_KERAS_ARCHIVE } from './keras-object.js';
import type { MemberAccess } from './member-access.js';
import type { PickleRun } from './result.js';
import type { GlobalRef } from './values.js';

/**
 * What the recognised Keras `_unpickle_model` calls of a run account for, so the verdict judges them once — by the
 * archive — instead of as a getattr gadget (CPI001), a computed call (CPI006) and an unlisted class (CPI002).
 */
export interface KerasExplained {
  /** How many REDUCEs call a `getattr` result: one per recognised call. */
  readonly computedCalls: number;
  /** Whether a `getattr` access is one of the recognised `<model class>._unpickle_model` lookups. */
  readonly isAccess: (a: MemberAccess) => boolean;
  /** Model classes used only as the owner of `_unpickle_model`. */
  readonly owners: ReadonlySet<GlobalRef>;
  /** Keras 2's `deserialize_model_from_bytecode` (`module.name`): its recognised calls are judged by the archive. */
  readonly loaders: ReadonlySet<string>;
}

/** The model classes the stream names (and judges) are never gadgets: a Keras helper module is not explained. */
export function kerasExplained(run: PickleRun, isGadget: (g: GlobalRef) => boolean): KerasExplained | undefined {
  const all = (run.kerasModels ?? []).filter((k) => !isGadget(k.owner));
  if (all.length === 0 || all.length !== run.kerasModels!.length) return undefined;
  const calls = all.filter((k) => k.via === 'unpickle-model');
  const owners = new Set(calls.map((k) => k.owner));
  const isAccess = (a: MemberAccess) => a.owner !== undefined && owners.has(a.owner) && a.attr === '_unpickle_model';
  if ((run.memberAccesses ?? []).filter(isAccess).length !== calls.length) return undefined;
  const loaders = new Set(all.filter((k) => k.via === 'bytecode').map((k) => `${k.owner.module}.${k.owner.name}`));
  // Every call of a loader must be a recognised one: a call with another argument shape is judged as any call.
  for (const c of run.calls.values())
    if (c.target !== undefined && loaders.has(`${c.target.module}.${c.target.name}`)) {
      const recognised = all.filter((k) => k.owner.module === c.target!.module && k.owner.name === c.target!.name);
      if (c.kind !== 'REDUCE' || c.count !== recognised.length) return undefined;
    }
  return { computedCalls: calls.length, isAccess, owners, loaders };
}

function problemOf(k: KerasUnpickle): { rule: string; text: string } | undefined {
  const v = k.verdict ?? { kind: 'unreadable' };
  switch (v.kind) {
    case 'checked':
      return v.findings.length === 0
        ? undefined
        : {
            rule: 'CPI112',
            text: `in its embedded .keras archive: ${v.findings
              .map((f) => `[${f.ruleId}] ${inArchive(f)}`)
              .join(' ')
              .replace(/\.$/, '')}`,
          };
    case 'too-large':
      return {
        rule: 'CPI004',
        text: `its embedded .keras archive (${k.archive?.len} bytes) is larger than the ${MAX_KERAS_ARCHIVE} bytes chainproof re-reads, so it was not checked`,
      };
    case 'unreadable':
      return {
        rule: 'CPI112',
        text: k.savedModelTar
          ? 'the argument is a numpy array holding a tar of a SavedModel folder (Keras 2.7–2.10), which chainproof does not open, so it was not checked'
          : 'chainproof could not locate the archive bytes the call is given, so they were not checked',
      };
    case 'too-deep':
      return {
        rule: 'CPI112',
        text: 'the archive is a pickled model inside a pickled model nested too deep to follow',
      };
    case 'no-analyser':
      return { rule: 'CPI112', text: 'no Keras archive analyser was loaded, so the archive was not checked' };
  }
}

/** An archive finding's message without the empty path the archive judge gives it (`: …` or ` (member): …`). */
function inArchive(f: Finding): string {
  const member = f.location.member;
  const prefix = member !== undefined ? ` (${member}): ` : ': ';
  const text = f.message.startsWith(prefix) ? f.message.slice(prefix.length) : f.message;
  return member !== undefined ? `${member}: ${text}` : text;
}

/**
 * One finding per recognised call whose archive does something Keras would run with safe_mode=False (CPI112), or
 * that could not be checked (CPI112; CPI004 past the size bound). A benign archive raises nothing.
 */
export function kerasFindings(
  run: PickleRun,
  index: number,
  where: string,
  base: Pick<Finding, 'location' | 'artifact'>,
): Finding[] {
  const out: Finding[] = [];
  for (const k of run.kerasModels ?? []) {
    const p = problemOf(k);
    if (p === undefined) continue;
    const cls = `${k.owner.module}.${k.owner.name}`;
    const inner = k.verdict?.kind === 'checked' ? k.verdict.findings : [];
    const how =
      k.via === 'bytecode'
        ? `the pickle rebuilds a Keras 2 model through \`${cls}\` at byte ${k.offset}, which writes the embedded model to a temporary folder and loads it`
        : `the pickle rebuilds a \`${cls}\` through Keras's _unpickle_model at byte ${k.offset}, which loads an embedded .keras archive with safe_mode=False`;
    out.push({
      ...base,
      ruleId: p.rule,
      message: `${where}: ${how}; ${p.text}. Do not load this file.`,
      evidence: {
        ...(k.via === 'bytecode' ? { loader: cls } : { class: cls }),
        offset: k.offset,
        pickle: index,
        ...(k.archive ? { archiveOffset: k.archive.at, archiveSize: k.archive.len } : {}),
        ...(inner.length ? { archiveRules: [...new Set(inner.map((f) => f.ruleId))].join(', ') } : {}),
        ...(k.verdict?.kind !== 'checked' ? { notChecked: k.verdict?.kind ?? 'unreadable' } : {}),
      },
    });
  }
  return out;
}
