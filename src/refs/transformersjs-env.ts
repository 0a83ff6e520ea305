import type { DynamicReference, FileReferences } from './types.js';

/**
 * transformers.js settings a file makes on the library's `env` object: where `pipeline()` and `from_pretrained()`
 * get model files. transformers.js utils/hub.js `getModelFile` reads `env.localModelPath/<model>/…` when local models
 * are allowed, and fetches `env.remoteHost` + `env.remotePathTemplate` (`{model}/resolve/{revision}/`) only while
 * `env.allowRemoteModels` is true (its default). Only the file's own assignments are read (a setting made in another
 * module is not followed: whether that module runs before a load is the import graph's and the run's question); one
 * the file cannot read, or two that disagree, is a run-time choice. The settings are also reported where they are
 * made (`settings`).
 */
export interface TransformersJsEnv {
  /** `env.allowRemoteModels = false`: nothing is fetched; the model id names a local directory. */
  readonly remoteOff: boolean;
  /** `env.remoteHost = '…'`: the host models are fetched from; null when the file sets it to something unknown. */
  readonly remoteHost: string | null | undefined;
}

const MODULES = ['@huggingface/transformers', '@xenova/transformers'];
const DEFAULT_HOST = 'https://huggingface.co/';

export const isTransformersJs = (resolved: string) => MODULES.some((m) => resolved.startsWith(`${m}.`));

/** Collects `env.<setting> = <value>` assignments (targets with import aliases resolved), in any order. */
export class TransformersJsEnvReader {
  private readonly seen = new Map<string, string | null>();
  /** Where each setting is first made (an offset in the file). */
  private readonly first = new Map<string, number>();

  /**
   * `value`: the literal assigned (`false`, a string's contents), or undefined when the file cannot say; `offset`:
   * where the assignment's target starts.
   */
  assign(resolvedTarget: string, value: string | undefined, offset: number): void {
    const m = /^(?:@huggingface\/transformers|@xenova\/transformers)\.env\.(allowRemoteModels|remoteHost)$/.exec(
      resolvedTarget,
    );
    if (!m) return;
    const key = m[1]!;
    if (!this.first.has(key)) this.first.set(key, offset);
    if (!this.seen.has(key)) this.seen.set(key, value ?? null);
    else if (this.seen.get(key) !== (value ?? null)) this.seen.set(key, null);
  }

  result(): TransformersJsEnv | undefined {
    if (this.seen.size === 0) return undefined;
    const host = this.seen.get('remoteHost');
    return { remoteOff: this.seen.get('allowRemoteModels') === 'false', remoteHost: host };
  }

  /**
   * The settings themselves, at their first assignment: they hold for every transformers.js load in the process once
   * this module has run — loads in other modules too, which a per-file reading cannot tie to them — so the setting is
   * reported where it is made. `env.remoteHost` other than the hub is a mirror (CPR017); `env.allowRemoteModels =
   * false` loads local files only (CPR018).
   */
  settings(path: string, at: (offset: number) => { line: number; column: number }, out: FileReferences): void {
    const setting = (key: string, value: string) => {
      const variable = `env.${key}`;
      out.dynamic.push({
        path,
        ...at(this.first.get(key)!),
        via: variable,
        runsRemoteCode: false,
        hubSetting: { variable, value },
      });
    };
    const host = this.seen.get('remoteHost');
    if (host !== undefined && host !== DEFAULT_HOST) setting('remoteHost', host ?? '<chosen at run time>');
    if (this.seen.get('allowRemoteModels') === 'false') setting('allowRemoteModels', 'false');
  }
}

/**
 * A transformers.js load under the file's `env` settings, when they change what it fetches: recorded in `out` and
 * true; false when the hub reading applies. `name`: the model id, undefined when chosen at run time.
 */
export function underTransformersJsEnv(
  env: TransformersJsEnv,
  where: Omit<DynamicReference, 'runsRemoteCode'>,
  name: string | undefined,
  revision: string | undefined,
  out: FileReferences,
): boolean {
  if (env.remoteOff) {
    out.dynamic.push({ ...where, runsRemoteCode: false, localModel: name ?? '' });
    return true;
  }
  // No model named: the library's default for the task (CPR013) or a run-time choice, as without the setting.
  if (env.remoteHost === undefined || env.remoteHost === DEFAULT_HOST || name === undefined) return false;
  if (env.remoteHost === null) {
    out.dynamic.push({ ...where, runsRemoteCode: false });
    return true;
  }
  const host = env.remoteHost.endsWith('/') ? env.remoteHost : `${env.remoteHost}/`;
  // A mirror serves whatever it holds under that path: a URL whose bytes the revision in it does not pin.
  out.references.push({
    ...where,
    hub: 'url',
    url: `${host}${name}`,
    ...(revision !== undefined ? { revision } : {}),
    revisionKind: 'none',
    runsRemoteCode: false,
  });
  return true;
}
