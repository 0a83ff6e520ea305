import { configOf, lineOfKey } from './config-json.js';
import { isObject } from './json.js';
import type { Findings } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError, readAt } from './source.js';

/** An index lists one name per weight: a few MiB for the largest models. */
const MAX_FILE = 64 * 1024 * 1024;
/** Shard names quoted in one finding. */
const MAX_LISTED = 5;

/**
 * Where `os.path.join(folder, subfolder, name)` leaves the folder: an absolute name (POSIX, a Windows drive or UNC
 * path) replaces it, and `..` past the names before it climbs out.
 */
function leavesFolder(name: string): boolean {
  if (/^([\\/]|[A-Za-z]:)/.test(name)) return true;
  let depth = 0;
  for (const part of name.split(/[\\/]+/)) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}

/**
 * A sharded checkpoint index. transformers' `get_checkpoint_shard_files` (utils/hub.py) reads it with `json.loads`,
 * takes `sorted(set(index["weight_map"].values()))` and, for a local folder, joins each with
 * `os.path.join(pretrained_model_name_or_path, subfolder, f)`; `load_state_dict` then reads each one with
 * `safe_open` or `torch.load`. A shard name that leaves the folder loads a file that is not part of the model.
 */
export function* shardIndexSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  if (src.size > MAX_FILE) throw new FormatError(`file of ${src.size} bytes is past the limit`, 0, 'limit');
  const text = (yield* readAt(src, 0, src.size)).toString('utf8');
  const index = configOf(text)?.value;
  if (!isObject(index) || !isObject(index.weight_map)) return;
  const names = new Set<string>();
  for (const v of Object.values(index.weight_map)) if (typeof v === 'string') names.add(v);
  const outside = [...names].filter(leavesFolder).sort();
  if (outside.length === 0) return;
  const quoted = outside.slice(0, MAX_LISTED).map((n) => JSON.stringify(n.slice(0, 200)));
  out.add(
    'CPI128',
    `weight_map names ${outside.length === 1 ? 'a shard' : `${outside.length} shards`} outside the model folder (${quoted.join(', ')}${outside.length > MAX_LISTED ? ` and ${outside.length - MAX_LISTED} more` : ''}): from_pretrained joins each name to the folder with os.path.join and loads that file as weights. Do not load the model; re-create the index with shard names in the folder.`,
    { shards: outside.slice(0, 50).join(', '), count: outside.length },
    undefined,
    undefined,
    lineOfKey(text, 'weight_map'),
  );
}
