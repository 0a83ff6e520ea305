import { isAlias, isMap, isScalar, isSeq, LineCounter, type Document, type Node } from 'yaml';
import type { Finding } from '../../core/finding.js';
import type { AllowContext } from '../pickle/allowlist.js';
import { judgeDotted } from '../pickle/verdict.js';
import { extractedPath } from './member-path.js';
import { linkSteps, symlinkLandings, type LinkSteps } from '../containers/tar-links.js';
import { deepYamlMessage, MAX_YAML_DEPTH, parseShallowYaml, type DeepYaml } from '../../core/yaml-depth.js';

/**
 * A .nemo model config is KiB of YAML (tens of KiB for the largest). The `yaml` package parses many small nodes at a
 * few hundred KB/s and about 250 bytes of memory a byte (a 3.2 MB config: 23 s and 830 MB), so 16 MiB of hostile
 * YAML would take gigabytes: 4 MiB keeps one config to about a gigabyte at worst.
 */
export const MAX_CONFIG = 4 * 1024 * 1024;
/** Nodes visited at most: a config nested past this is not walked further (and says so). */
const MAX_NODES = 200_000;

/**
 * Libraries whose classes NeMo model configs name in `_target_` (modules, tokenizers, optimisers, data loaders).
 * NeMo's own fix for hydra targets (CVE-2025-23304) checks targets against allowed prefixes like these.
 */
const NEMO_TARGET_LIBRARIES =
  /^(nemo|torch|torchaudio|torchvision|lightning|pytorch_lightning|megatron|transformers|omegaconf|sentencepiece|apex|transformer_engine)\./;

/**
 * Whether a member of a tar is the config `SaveRestoreConnector.restore_from` reads from an unpacked .nemo:
 * `_unpack_nemo_file` extracts with `tarfile.extractall` (`os.path.join(out_folder, member.name)`), then the
 * connector opens `<out_folder>/model_config.yaml` — so every spelling of that path counts (`./`, `.//`,
 * `sub/../`), as `posixpath.normpath` resolves it.
 */
export function isNemoConfig(member: string): boolean {
  return extractedPath(member) === 'model_config.yaml';
}

/**
 * Links followed at most from `model_config.yaml` to the member it reads: Linux's MAXSYMLINKS, past which
 * `open` fails with ELOOP.
 */
const MAX_LINK_HOPS = 40;

/**
 * Path steps a file's look-ups of `model_config.yaml` may spend, apart from the file's own budget, which readTar may
 * have spent to its last step just before (a config then left unjudged). `open` follows at most 40 symlinks
 * (MAXSYMLINKS) whose targets are under PATH_MAX (4,096 bytes: at most 2,048 components), so one look-up as the OS
 * does it is about 84,000 steps: enough for it twice (the stream walk's look-up, then the in-memory reader's).
 */
export const CONFIG_LINK_STEPS = 200_000;

/** The config look-up budget of the file whose symlink budget is `file`: made once, never more than the file's. */
function configSteps(file: LinkSteps): LinkSteps {
  return (file.configLookup ??= linkSteps(Math.min(CONFIG_LINK_STEPS, file.total)));
}

/**
 * The members of a tar whose bytes `model_config.yaml` holds once extracted: each member of that path, and the one a
 * link of that path stands for. `_unpack_nemo_file` runs `tar.extractall` (no filter before Python 3.14, whose
 * `data` filter keeps links that stay in the folder): a hard link is written with its target's bytes (tarfile
 * `makelink` → `_find_link_target`, `hardLinkTargets`), a symlink is made and `OmegaConf.load` follows it. A link
 * to a link is followed too: `makelink`'s `os.link` of an extracted hard link or symlink (follow_symlinks) shares
 * that file's bytes, and the OS follows a symlink chain when the config is opened.
 * `unresolved` holds the `model_config.yaml` links whose chain was not followed to its end because the file's config
 * look-up budget (`configSteps` of the file's `steps`) ran out: what restore_from would read there is unknown, and the
 * caller must say so.
 */
export function nemoConfigMembers<
  T extends { readonly name: string; readonly type: string; readonly linkName?: string },
>(entries: readonly T[], hardLinkTargets: ReadonlyMap<T, T>, steps: LinkSteps): NemoConfigs<T> {
  const out = new Set<T>();
  const unresolved: T[] = [];
  // The member last written to each path (a later one overwrites an earlier): what a symlink finds there.
  let lastAt: Map<string, T> | undefined;
  let landings: Landings | undefined;
  for (const e of entries) {
    if (!isNemoConfig(e.name)) continue;
    let linked: T | undefined = e;
    for (let hops = 0; linked && (linked.type === '1' || linked.type === '2'); hops++) {
      if (hops === MAX_LINK_HOPS) linked = undefined;
      else if (linked.type === '1') linked = hardLinkTargets.get(linked);
      else {
        lastAt ??= new Map(entries.map((m) => [extractedPath(m.name), m]));
        landings ??= symlinkLandings(symlinksAt(lastAt), configSteps(steps));
        const next = symlinkTarget(lastAt, landings, linked);
        if (next === BUDGET_SPENT) {
          unresolved.push(e);
          linked = undefined;
        } else linked = next;
      }
    }
    if (linked) out.add(linked);
  }
  return { members: out, unresolved };
}

/** The configs of a tar (`nemoConfigMembers`): the members read as `model_config.yaml`, and the links not followed. */
export interface NemoConfigs<T> {
  readonly members: ReadonlySet<T>;
  readonly unresolved: readonly T[];
}

/** A symlink not followed: the file's symlink step budget ran out on the way. */
const BUDGET_SPENT = Symbol('budget spent');

/**
 * Why the `model_config.yaml` links `unresolved` were not followed: a problem of the tar (CPI013, with the tar's
 * other problems), since the config they stand for — the classes restore_from instantiates — was not checked.
 */
export function unresolvedNemoConfigProblem(unresolved: readonly { readonly name: string }[]): string | undefined {
  if (unresolved.length === 0) return undefined;
  const names = [...new Set(unresolved.map((e) => JSON.stringify(e.name)))].join(', ');
  return `the NeMo model config ${names} is a symlink that was not followed (the file's step budget for following its symlinks ran out): the classes restore_from would instantiate from it were not checked`;
}

/**
 * The member a symlink resolves to in the extracted folder: its target read from the link's own folder, each folder
 * on the way followed when it is itself a symlink, as the OS resolves the path when `OmegaConf.load` opens it
 * (`model_config.yaml -> d/real.yaml` with `d -> sub` reads `sub/real.yaml`). An absolute target, or one that climbs
 * out, leaves the folder (CPX025); a link to itself, or a loop, resolves to nothing; BUDGET_SPENT when the step
 * budget ran out before the path was resolved.
 */
function symlinkTarget<T extends { readonly name: string; readonly type: string; readonly linkName?: string }>(
  lastAt: ReadonlyMap<string, T>,
  landings: Landings,
  link: T,
): T | undefined | typeof BUDGET_SPENT {
  if (link.linkName === undefined) return undefined;
  const folder = extractedPath(link.name).split('/').slice(0, -1);
  // The last component is the member itself: a symlink there is the next hop of nemoConfigMembers' chain.
  const at = landings(folder, link.linkName.split('/'), false);
  if (at === undefined) return BUDGET_SPENT;
  const found = typeof at === 'string' ? undefined : lastAt.get(at.join('/'));
  return found === link ? undefined : found;
}

type Landings = ReturnType<typeof symlinkLandings>;

/** The symlinks of the extracted folder: the member last written at each path, when it is one. */
function* symlinksAt(lastAt: ReadonlyMap<string, TarLike>): Generator<readonly [string, string]> {
  for (const [path, m] of lastAt) if (m.type === '2' && m.linkName !== undefined) yield [path, m.linkName];
}

type TarLike = { readonly name: string; readonly type: string; readonly linkName?: string };

interface Target {
  readonly key: string;
  readonly value: string;
  readonly line: number | undefined;
}

/**
 * Every `_target_` (hydra.utils.instantiate) and `target` (NeMo `import_class_by_path`) string in the config.
 * OmegaConf's loader is a PyYAML SafeLoader, which composes an alias as the anchored node itself: `_target_: *t`
 * (and a key `*k` anchored as `_target_`) is that string. An alias of a map is not walked again: its anchor is.
 */
function targetsOf(doc: Document, lines: LineCounter): { targets: Target[]; cut: boolean } {
  const deref = (n: unknown) => (isAlias(n) ? n.resolve(doc) : n);
  const root = doc.contents;
  const targets: Target[] = [];
  const stack: (Node | null)[] = [root];
  let seen = 0;
  while (stack.length > 0) {
    const n = stack.pop();
    if (++seen > MAX_NODES) return { targets, cut: true };
    if (isMap(n)) {
      for (const pair of n.items) {
        const k = deref(pair.key);
        const key = isScalar(k) ? String(k.value) : undefined;
        const value = pair.value as Node | null;
        const v = deref(value);
        if ((key === '_target_' || key === 'target') && isScalar(v) && typeof v.value === 'string')
          targets.push({
            key,
            value: v.value,
            line: (value ?? v).range ? lines.linePos((value ?? v).range![0]).line : undefined,
          });
        else stack.push(value);
      }
    } else if (isSeq(n)) for (const item of n.items) stack.push(item as Node | null);
  }
  return { targets, cut: false };
}

/**
 * A config past MAX_CONFIG (or too large to keep while a tar is streamed): its targets were not checked (CPI015).
 * `via` names the `model_config.yaml` link that stands for this member.
 */
export function oversizedNemoConfig(size: number, path: string, member: string | undefined, via?: string): Finding {
  const where = member !== undefined ? `${path} (${member})` : path;
  const linked = via !== undefined ? ` (linked as ${JSON.stringify(via)})` : '';
  return {
    ruleId: 'CPI015',
    message: `${where}: the NeMo model config${linked} is ${size} bytes, past the ${MAX_CONFIG}-byte limit; the classes it instantiates were not checked.`,
    location: { path, ...(member !== undefined ? { member } : {}) },
    evidence: { size, limit: MAX_CONFIG, ...(via !== undefined ? { link: via } : {}) },
  };
}

/** OmegaConf.load's reading of a config too deep for chainproof (CPI051's message). */
const NEMO_DEEP: DeepYaml = {
  what: 'the NeMo model config',
  reader: 'OmegaConf.load',
  then: 'restore_from instantiates the _target_ classes it names, which were not checked',
  not: 'this model',
};

/**
 * NeMo's `ModelPT.restore_from` (SaveRestoreConnector) unpacks the .nemo tar, `OmegaConf.load`s
 * `model_config.yaml`, and builds the model with `from_config_dict`: the root `target` through
 * `import_class_by_path`, every nested `_target_` through `hydra.utils.instantiate`, which imports the dotted path
 * and calls it with the node's other keys (and `_args_`) as arguments. So `_target_: os.system` runs a command.
 * Each target is judged like a pickle global: a dangerous one is an error, one outside the libraries NeMo configs
 * name is a warning.
 */
export function nemoConfigFindings(
  body: Buffer,
  path: string,
  member: string | undefined,
  allow: AllowContext,
): Finding[] {
  const at = (line?: number) => ({
    path,
    ...(member !== undefined ? { member } : {}),
    ...(line !== undefined ? { line } : {}),
  });
  const where = member !== undefined ? `${path} (${member})` : path;
  if (body.length > MAX_CONFIG) return [oversizedNemoConfig(body.length, path, member)];
  const lines = new LineCounter();
  // Attacker-controlled YAML: walked as nodes, aliases never expanded.
  const doc = parseShallowYaml(body.toString('utf8'), { lineCounter: lines, prettyErrors: false });
  const deep = doc.errors[0]?.code === 'RESOURCE_EXHAUSTION' ? doc.errors[0] : undefined;
  // OmegaConf.load's PyYAML loader composes about 400 levels (Python's recursion limit) and from_config_dict
  // instantiates the targets beside the deep part: unread is an error, never a warning a default gate lets through.
  if (deep)
    return [
      {
        ruleId: 'CPI051',
        level: 'error',
        message: `${where}: ${deepYamlMessage(NEMO_DEEP, deep.pos[0])}`,
        location: at(deep.linePos?.[0].line),
        evidence: { offset: deep.pos[0], limit: MAX_YAML_DEPTH },
      },
    ];
  if (doc.errors.length > 0)
    return [
      {
        ruleId: 'CPI015',
        message: `${where}: the NeMo model config is not valid YAML (${doc.errors[0]!.message.split('\n', 1)[0]}); NeMo cannot restore it, and the classes it names were not checked.`,
        location: at(),
        evidence: { error: doc.errors[0]!.message.split('\n', 1)[0]! },
      },
    ];
  const { targets, cut } = targetsOf(doc, lines);
  const out: Finding[] = [];
  for (const t of targets) {
    if (t.value.lastIndexOf('.') <= 0) continue; // import_class_by_path and hydra both need module.name
    const v = judgeDotted(t.value, allow);
    if (v.kind === 'safe' || (v.kind === 'unknown' && NEMO_TARGET_LIBRARIES.test(t.value))) continue;
    out.push({
      ruleId: 'CPI122',
      ...(v.kind === 'dangerous' ? { level: 'error' as const } : {}),
      message:
        v.kind === 'dangerous'
          ? `${where}${t.line !== undefined ? `:${t.line}` : ''}: ${t.key}: ${t.value} (${v.why}); NeMo's restore_from imports and calls it with the node's keys as arguments, so loading the model runs it. Do not load this file.`
          : `${where}${t.line !== undefined ? `:${t.line}` : ''}: ${t.key}: ${t.value} is outside the libraries NeMo configs name; restore_from imports and calls it while building the model. Review it before loading, and add it to models.allowedGlobals if you trust it.`,
      location: at(t.line),
      evidence: { key: t.key, target: t.value, ...(v.kind === 'dangerous' ? { resolvesTo: v.why } : {}) },
    });
  }
  if (cut)
    out.push({
      ruleId: 'CPI015',
      message: `${where}: the NeMo model config has more than ${MAX_NODES} nodes; the rest of the classes it instantiates were not checked.`,
      location: at(),
      evidence: { limit: MAX_NODES },
    });
  return out;
}
