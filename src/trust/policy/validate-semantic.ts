import { parsePackagePurl } from '../../core/package-key.js';
import { findRule, RULES } from '../../core/rules/index.js';
import type { SourceDocument } from './document.js';
import { isCalendarDate, regexError, repoPathError } from './patterns.js';
import type { PolicyProblem, ProblemCode } from './problems.js';
import { suggestion } from './suggest.js';

type Path = (string | number)[];

/**
 * Checks a schema cannot express: regexes compile, dates exist, rule IDs and signer names are known, suppressions
 * name what they cover. Runs on the raw document and guards every access, so it reports alongside schema errors.
 */
export function validateSemantics(doc: SourceDocument, inheritedSigners: readonly string[]): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  const add = (code: ProblemCode, path: Path, message: string, key = false) =>
    out.push({ code, path, message, ...doc.locate(path, { key }) });
  const root = asRecord(doc.value);
  if (!root) return out;

  checkRules(asRecord(root['rules']), add);
  checkSuppressions(root['suppressions'], add);
  checkModels(asRecord(root['models']), add);

  eachItem(asRecord(root['models'])?.['requireProvenance'], ['models', 'requireProvenance'], (item, path) => {
    const req = asRecord(item);
    eachItem(req?.['builders'], [...path, 'builders'], (b, bpath) => checkRegex(b, bpath, add));
    // The real verifiers need the source named: `gh attestation verify` refuses to run without --owner or --repo
    // (and always matches the certificate's Source Repository Owner URI), slsa-verifier without --source-uri. Without
    // it anyone can attest a model's digest from their own repository (actions/attest-build-provenance takes any
    // subject-digest), and a builder pattern does not stand in for it: the Build Signer URI of a reusable workflow
    // (slsa-github-generator's, or any `on: workflow_call` one) is the same whichever repository called it.
    if (req && req['sourceRepository'] === undefined)
      add(
        'missing-key',
        path,
        "expected sourceRepository (the repository the model must be built from): without it, an attestation made in anyone's repository would satisfy the requirement, whatever the builders (a reusable workflow signs the same for every repository that calls it)",
      );
  });

  const deps = asRecord(root['dependencies']);
  eachItem(deps?.['requireProvenance'], ['dependencies', 'requireProvenance'], (item, path) => {
    eachItem(asRecord(item)?.['identities'], [...path, 'identities'], (identity, ipath) => {
      for (const [field, value] of Object.entries(asRecord(identity) ?? {})) {
        checkRegex(value, [...ipath, field], add);
      }
    });
  });

  const python = asRecord(deps?.['python']);
  eachItem(python?.['requireProvenance'], ['dependencies', 'python', 'requireProvenance'], (item, path) => {
    eachItem(asRecord(item)?.['publishers'], [...path, 'publishers'], (publisher, ppath) => {
      for (const field of ['repository', 'workflow', 'email']) {
        checkRegex(asRecord(publisher)?.[field], [...ppath, field], add);
      }
    });
  });

  const sig = asRecord(root['signatures']);
  const signers = asRecord(sig?.['signers']) ?? {};
  const names = [...new Set([...inheritedSigners, ...Object.keys(signers)])];
  for (const [name, spec] of Object.entries(signers)) checkSigner(asRecord(spec), ['signatures', 'signers', name], add);
  eachItem(sig?.['require'], ['signatures', 'require'], (item, path) => {
    const req = asRecord(item);
    eachItem(req?.['paths'], [...path, 'paths'], (glob, gpath) => {
      const why = typeof glob === 'string' ? repoPathError(glob) : undefined;
      if (why) add('bad-path', gpath, `${why}, got ${JSON.stringify(glob)}`);
    });
    checkSignerRefs(req?.['signers'], [...path, 'signers'], names, add);
    // Every real verifier needs the signer named (cosign --certificate-identity, sigstore-python --cert-identity,
    // model_signing --identity): a requirement with no signer defined anywhere would take a signature by anyone.
    if (names.length === 0)
      add(
        'bad-value',
        path,
        'expected a signer to require: none is defined under signatures.signers, so a valid Sigstore signature by anyone (any e-mail, any CI workflow) would satisfy it',
      );
  });
  const registry = asRecord(sig?.['registry']);
  if (registry) {
    checkSignerRefs(registry['signers'], ['signatures', 'registry', 'signers'], names, add);
    if (registry['required'] === true && Array.isArray(registry['signers']) && registry['signers'].length === 0) {
      add('bad-value', ['signatures', 'registry', 'signers'], 'expected at least one signer when required is true');
    }
  }
  return out;
}

type Add = (code: ProblemCode, path: Path, message: string, key?: boolean) => void;

const RULE_IDS = () => RULES.map((r) => r.id);

function checkRules(rules: Record<string, unknown> | undefined, add: Add): void {
  for (const id of Object.keys(rules ?? {})) {
    if (/^CP[A-Z][0-9]{3}$/.test(id) && !findRule(id)) {
      add(
        'unknown-rule',
        ['rules', id],
        `unknown rule ID${suggestion(id, RULE_IDS(), 1)} (see \`chainproof rules\`)`,
        true,
      );
    }
  }
}

function checkSuppressions(list: unknown, add: Add): void {
  eachItem(list, ['suppressions'], (item, path) => {
    const s = asRecord(item);
    if (!s) return;
    const rule = s['rule'];
    if (typeof rule === 'string' && /^CP[A-Z][0-9]{3}$/.test(rule) && !findRule(rule)) {
      add(
        'unknown-rule',
        [...path, 'rule'],
        `unknown rule ID ${JSON.stringify(rule)}${suggestion(rule, RULE_IDS(), 1)}`,
      );
    }
    if (s['path'] === undefined && s['package'] === undefined) {
      add('incomplete-suppression', path, 'expected a path or a package the suppression applies to');
    }
    checkSuppressedPackage(s['package'], s['ecosystem'], path, add);
    const expires = s['expires'];
    if (typeof expires === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(expires) && !isCalendarDate(expires)) {
      add('bad-date', [...path, 'expires'], `expected a real calendar date YYYY-MM-DD, got ${JSON.stringify(expires)}`);
    }
    const glob = s['path'];
    const why = typeof glob === 'string' ? repoPathError(glob) : undefined;
    if (why) add('bad-path', [...path, 'path'], `${why}, got ${JSON.stringify(glob)}`);
  });
}

/** A purl in `package` must be one chainproof reads, and `ecosystem` must name the ecosystem of a package. */
function checkSuppressedPackage(pkg: unknown, ecosystem: unknown, path: Path, add: Add): void {
  if (ecosystem !== undefined && pkg === undefined) {
    add(
      'incomplete-suppression',
      [...path, 'ecosystem'],
      'expected a package beside ecosystem: it says which package is meant',
    );
  }
  if (typeof pkg !== 'string' || !pkg.startsWith('pkg:')) return;
  const purl = parsePackagePurl(pkg);
  if (typeof purl === 'string') add('bad-value', [...path, 'package'], `${purl}, got ${JSON.stringify(pkg)}`);
  else if (typeof ecosystem === 'string' && ecosystem !== purl.ecosystem) {
    add(
      'conflict',
      [...path, 'ecosystem'],
      `${JSON.stringify(ecosystem)} is not the ecosystem of the purl in package (${purl.ecosystem})`,
    );
  }
}

function checkModels(models: Record<string, unknown> | undefined, add: Add): void {
  const allowed = models?.['allowedFormats'];
  const forbidden = models?.['forbiddenFormats'];
  if (!Array.isArray(allowed) || !Array.isArray(forbidden)) return;
  forbidden.forEach((f, i) => {
    if (allowed.includes(f)) {
      add('conflict', ['models', 'forbiddenFormats', i], `${JSON.stringify(f)} is also in models.allowedFormats`);
    }
  });
}

function checkSigner(spec: Record<string, unknown> | undefined, path: Path, add: Add): void {
  if (spec?.['kind'] !== 'sigstore') return;
  const hasSubject = typeof spec['subject'] === 'string';
  const pattern = spec['subjectPattern'];
  if (!hasSubject && pattern === undefined) {
    add(
      'missing-key',
      [...path, 'subject'],
      'expected subject or subjectPattern: an issuer alone accepts anyone it signs for',
    );
  } else if (hasSubject && pattern !== undefined) {
    add('conflict', [...path, 'subjectPattern'], 'expected subject or subjectPattern, not both');
  }
  checkRegex(pattern, [...path, 'subjectPattern'], add);
}

function checkRegex(value: unknown, path: Path, add: Add): void {
  if (typeof value !== 'string' || value === '') return;
  const err = regexError(value);
  if (err !== undefined) add('bad-regex', path, `expected a valid regular expression, got /${value}/ (${err})`);
}

function checkSignerRefs(list: unknown, path: Path, names: readonly string[], add: Add): void {
  eachItem(list, path, (name, npath) => {
    if (typeof name !== 'string' || names.includes(name)) return;
    const defined = names.length > 0 ? `defined: ${names.join(', ')}` : 'none are defined under signatures.signers';
    add('unknown-signer', npath, `unknown signer ${JSON.stringify(name)}${suggestion(name, names)} (${defined})`);
  });
}

function eachItem(list: unknown, path: Path, fn: (item: unknown, path: Path) => void): void {
  if (Array.isArray(list)) list.forEach((item: unknown, i) => fn(item, [...path, i]));
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
