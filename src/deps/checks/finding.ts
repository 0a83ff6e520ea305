import type {
  Artifact,
  DeferredFinding,
  Evidence,
  Finding,
  Level,
  Location,
  ResolvedFinding,
} from '../../core/finding.js';
import type { PackageNode } from '../../core/records.js';
import { redactUrls } from '../../core/redact-userinfo.js';
import { packageArtifact } from '../../core/finding.js';

export { redactUrls };

/** "root > a > b": how the build reaches a package, for messages. */
export function via(node: PackageNode): string {
  return node.path.join(' > ');
}

/**
 * Who pulls the package in, for a message. A path of its own name alone (graph.ts) is an entry no importer reaches:
 * a hand-added one, as npm never writes it (npm ci prunes it: build-ideal-tree `#fixDepFlags` → `#idealTreePrune`).
 */
function pulledInBy(node: PackageNode): string {
  return node.path.length < 2 ? 'nothing the project declares depends on it' : `pulled in by ${via(node)}`;
}

/** `name@version` (with the alias the code imports, when it differs); the name alone when no version is locked (a Bun git tuple). */
export function label(node: PackageNode): string {
  const name = node.alias !== undefined ? `${node.alias} (npm:${node.name})` : node.name;
  return node.version === '' ? name : `${name}@${node.version}`;
}

/** A rule's own evidence for a package: fixed values, or read from the node when the finding is reported. */
export type PackageEvidence = Evidence | ((node: PackageNode) => Evidence);

/**
 * What is wrong with a package: fixed words, or words read from the node when the message is formatted (a part
 * that differs per package, built eagerly, was a string kept per finding for the rest of the scan).
 */
export type PackageWhat = string | ((node: PackageNode) => string);

/**
 * A finding on a lockfile entry: located at its line, about the package, with the dependency path. Deferred: it
 * holds the node (which the dependency graph keeps anyway) and the rule's wording, and formats its message and
 * evidence when read — 150k packages gave 300k findings whose text and evidence, held at once, took 170 MB.
 */
export function packageFinding(
  ruleId: string,
  node: PackageNode,
  what: PackageWhat,
  todo: string,
  evidence: PackageEvidence = NO_EVIDENCE,
  level?: Level,
): Finding {
  return new PackageFinding(ruleId, node, { what, todo, evidence }, level);
}

const NO_EVIDENCE: Evidence = Object.freeze({});

/** What a package finding's text is made of besides its node; the rules' literal strings are shared. */
interface Wording {
  readonly what: PackageWhat;
  readonly todo: string;
  readonly evidence: PackageEvidence;
}

/** The text of a finding on `node`, formatted each time it is read. */
abstract class PackageFacts {
  readonly location: Location;
  // The wording's three parts as fields of the finding itself: a Wording object each was 12 MB per 300k findings.
  protected readonly what: PackageWhat;
  protected readonly todo: string;
  protected readonly ownEvidence: PackageEvidence;

  constructor(
    readonly ruleId: string,
    protected readonly node: PackageNode,
    wording: Wording,
    location?: Location,
  ) {
    this.what = wording.what;
    this.todo = wording.todo;
    this.ownEvidence = wording.evidence;
    this.location = location ?? { path: node.lockfile, line: node.line };
  }

  protected get wording(): Wording {
    return { what: this.what, todo: this.todo, evidence: this.ownEvidence };
  }

  get message(): string {
    const n = this.node;
    const what = typeof this.what === 'function' ? this.what(n) : this.what;
    return redactUrls(`${label(n)} ${what} at ${n.lockfile}:${n.line} (${pulledInBy(n)}). ${this.todo}`);
  }

  get artifact(): Artifact {
    // The deps stage's checks read npm-ecosystem lockfiles; Python's are python/checks/finding.ts.
    return packageArtifact('npm', this.node.name, this.node.version);
  }

  /** In the order `{ lockfileKey, dependencyPath, ...own }` gives: an own key of the same name overrides in place. */
  get evidence(): Evidence {
    const n = this.node;
    const out: Record<string, string | number | boolean> = {
      lockfileKey: redactUrls(n.key),
      dependencyPath: redactUrls(via(n)),
    };
    const own = this.ownEvidence;
    const values = typeof own === 'function' ? own(n) : own;
    for (const k of Object.keys(values)) {
      const v = values[k]!;
      out[k] = typeof v === 'string' ? redactUrls(v) : v;
    }
    return out;
  }
}

class PackageFinding extends PackageFacts implements DeferredFinding {
  declare readonly level?: Level;

  constructor(ruleId: string, node: PackageNode, wording: Wording, level: Level | undefined) {
    super(ruleId, node, wording);
    if (level !== undefined) this.level = level;
  }

  resolve(level: Level, fingerprint: string): ResolvedFinding {
    return new ResolvedPackageFinding(this.ruleId, this.node, this.wording, this.location, level, fingerprint);
  }

  /** JSON.stringify sees what a plain finding would hold, not the node. */
  toJSON(): Finding {
    return plainFinding(this);
  }
}

class ResolvedPackageFinding extends PackageFacts implements ResolvedFinding {
  constructor(
    ruleId: string,
    node: PackageNode,
    wording: Wording,
    location: Location,
    readonly level: Level,
    readonly fingerprint: string,
  ) {
    super(ruleId, node, wording, location);
  }

  toJSON(): ResolvedFinding {
    return { ...plainFinding(this), level: this.level, fingerprint: this.fingerprint };
  }
}

function plainFinding(f: Finding): Finding {
  return {
    ruleId: f.ruleId,
    message: f.message,
    location: f.location,
    ...(f.level !== undefined ? { level: f.level } : {}),
    artifact: f.artifact!,
    evidence: f.evidence!,
  };
}
