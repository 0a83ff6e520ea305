import type { DraftEdge, DraftImporter, DraftNode, EdgeKind, Manifest, ParsedLockfile } from '../types.js';
import { LockfileError, forEachStr, isRecord, splitDescriptor, str, strMap } from '../types.js';
import { yarnHeaderLines } from '../lines.js';
import { classifyResolved, classifySpec } from '../source.js';
import { DEP_FIELDS, parseAlias } from './npm-common.js';
import { parseYarnV1Syntax, YarnSyntaxError, type YarnObject } from './yarn-v1-syntax.js';

/**
 * yarn.lock v1 (yarn classic), read with yarn 1's grammar in linear time (yarn-v1-syntax.ts). One entry can carry
 * several descriptors (`a@^1.0.0, a@^1.2.0:`); they share one object, so entries are counted by identity.
 * Root dependencies are not in the file: they come from the package.json files when given.
 */
export function parseYarnClassic(
  file: string,
  text: string,
  manifests: Readonly<Record<string, Manifest>> | undefined,
): ParsedLockfile {
  const conflict = markerLine(text);
  if (conflict !== undefined)
    throw new LockfileError('LOCKFILE_SYNTAX', file, 'contains unresolved merge-conflict markers', conflict);
  let parsed: YarnObject;
  try {
    parsed = parseYarnV1Syntax(text);
  } catch (err) {
    if (!(err instanceof YarnSyntaxError)) throw err;
    throw new LockfileError('LOCKFILE_SYNTAX', file, `not a valid yarn.lock v1: ${err.message}`, err.line, {
      cause: err,
    });
  }
  const headerLines = yarnHeaderLines(text);
  const byDescriptor = new Map<string, number>();
  const objects = new Map<object, number>();
  const groups: { descriptors: string[]; entry: Record<string, unknown> }[] = [];
  for (const [descriptor, value] of Object.entries(parsed)) {
    // A top-level key with a plain value is no entry yarn can install from: the file is not what it claims.
    if (!isRecord(value))
      throw new LockfileError(
        'LOCKFILE_SHAPE',
        file,
        `entry ${JSON.stringify(descriptor.slice(0, 200))} is not a map of fields`,
        headerLines.get(descriptor),
      );
    let i = objects.get(value);
    if (i === undefined) {
      i = groups.length;
      objects.set(value, i);
      groups.push({ descriptors: [], entry: value });
    }
    groups[i]!.descriptors.push(descriptor);
    byDescriptor.set(descriptor, i);
  }

  const nodes: DraftNode[] = groups.map(({ descriptors, entry }) => {
    const first = descriptors[0]!;
    const [keyName, range] = splitDescriptor(first);
    const alias = parseAlias(range);
    const version = str(entry.version) ?? '';
    const rawResolved = str(entry.resolved);
    // Classified once: it parses the URL, and a 50 MB lockfile has 175k entries.
    const resolvedSource = classifyResolved(rawResolved);
    const gitLike = resolvedSource === 'git';
    const { resolved, sha1 } = splitFragment(rawResolved, gitLike);
    const integrity =
      str(entry.integrity) ?? (sha1 !== undefined ? `sha1-${Buffer.from(sha1, 'hex').toString('base64')}` : undefined);
    const edges: DraftEdge[] = [];
    for (const [field, kind] of [
      ['dependencies', 'prod'],
      ['optionalDependencies', 'optional'],
    ] as const) {
      forEachStr(entry[field], (name, spec) =>
        edges.push({ name, spec, kind, target: byDescriptor.get(`${name}@${spec}`) }),
      );
    }
    return {
      name: alias ? alias[0] : keyName,
      version,
      key: descriptors.join(', '),
      line: headerLines.get(first) ?? 1,
      ...(rawResolved !== undefined ? { resolved: gitLike ? rawResolved : resolved! } : {}),
      ...(integrity !== undefined ? { integrity } : {}),
      source: resolvedSource ?? classifySpec(alias ? alias[1] : range),
      ...(alias ? { alias: keyName } : {}),
      edges,
    };
  });

  const importers = importersFrom(manifests, byDescriptor, nodes);
  return {
    kind: 'yarn-classic',
    formatVersion: '1',
    nodes,
    importers,
    resolveDeclared: (_importer, name, spec) => {
      const hit = byDescriptor.get(`${name}@${spec}`);
      if (hit !== undefined) return hit;
      // yarn rewrites some specs (git shorthands, tags); only a plain registry range must match verbatim.
      return classifySpec(spec) === 'registry' && !/^[a-z]/i.test(spec) ? undefined : 'unknown';
    },
  };
}

function importersFrom(
  manifests: Readonly<Record<string, Manifest>> | undefined,
  byDescriptor: ReadonlyMap<string, number>,
  nodes: readonly DraftNode[],
): DraftImporter[] {
  if (manifests && Object.keys(manifests).length > 0) {
    return Object.entries(manifests).map(([path, m]) => {
      const declared: Record<string, string> = {};
      const edges: DraftEdge[] = [];
      for (const [field, kind] of DEP_FIELDS as (readonly [string, EdgeKind])[]) {
        for (const [name, spec] of Object.entries(strMap((m as Record<string, unknown>)[field]))) {
          if (!(name in declared)) declared[name] = spec;
          edges.push({ name, spec, kind, target: byDescriptor.get(`${name}@${spec}`) });
        }
      }
      return { path, declared, edges };
    });
  }
  // Without package.json: entries nothing else depends on are the roots.
  const required = new Set<number>();
  for (const n of nodes) for (const e of n.edges) if (e.target !== undefined) required.add(e.target);
  const edges: DraftEdge[] = [];
  nodes.forEach((n, i) => {
    if (!required.has(i)) edges.push({ name: n.alias ?? n.name, spec: n.version, kind: 'prod', target: i });
  });
  return [{ path: '', declared: {}, edges }];
}

/**
 * yarn 1 appends the tarball's sha1 as a URL fragment: `…/a-1.0.0.tgz#<40 hex>`. For git sources the fragment is
 * the commit, part of the identity: kept.
 */
function splitFragment(resolved: string | undefined, gitLike: boolean): { resolved?: string; sha1?: string } {
  if (resolved === undefined) return {};
  const hash = resolved.indexOf('#');
  if (hash < 0) return { resolved };
  const frag = resolved.slice(hash + 1);
  return /^[0-9a-f]{40}$/i.test(frag) && !gitLike ? { resolved: resolved.slice(0, hash), sha1: frag } : { resolved };
}

function markerLine(text: string): number | undefined {
  const m = /^(<<<<<<<|=======|>>>>>>>)/m.exec(text);
  if (!m) return undefined;
  return text.slice(0, m.index).split('\n').length;
}
