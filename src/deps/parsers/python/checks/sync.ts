import type { Finding } from '../../../../core/finding.js';
import { satisfies, valid } from '@renovatebot/pep440';
import type { PyProject } from '../pyproject.js';
import type { PythonLock } from '../types.js';
import { pyFileFinding } from './finding.js';

/**
 * CPP020: pyproject.toml beside a lockfile declares what the lockfile must lock. uv.lock and poetry.lock lock every
 * extra and group; a pylock exported by `uv export` holds the default dependencies only, so only those are
 * compared there. A self-reference (`project[extra]`) is the project, not a dependency. Requirements files and
 * Pipfile.lock are not generated from pyproject.toml.
 */
export function checkSync(lock: PythonLock, project: PyProject | undefined): Finding[] {
  if (!project || (lock.kind !== 'uv' && lock.kind !== 'poetry' && lock.kind !== 'pylock')) return [];
  const locked = new Map<string, string[]>();
  for (const p of lock.packages) locked.set(p.name, [...(locked.get(p.name) ?? []), p.version]);
  const projects = new Set([...lock.projects, project.name]);
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const dep of project.dependencies) {
    if (projects.has(dep.name) || (lock.kind === 'pylock' && dep.group !== 'main')) continue;
    const versions = locked.get(dep.name);
    const key = `${dep.name}\0${dep.specifier}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (versions === undefined) {
      out.push(
        pyFileFinding(
          'CPP020',
          project.file,
          dep.line,
          `${project.file}:${dep.line} declares ${dep.name}${dep.specifier}, which ${lock.file} does not lock. Re-lock (uv lock / poetry lock) and commit the result.`,
          { dependency: dep.name, lockfile: lock.file },
        ),
      );
      continue;
    }
    const spec = toPep440(dep.specifier);
    if (spec === undefined) continue;
    const ok = versions.some((v) => valid(v) === null || satisfies(v, spec, { prereleases: true }));
    if (!ok) {
      out.push(
        pyFileFinding(
          'CPP020',
          project.file,
          dep.line,
          `${project.file}:${dep.line} requires ${dep.name}${dep.specifier}, but ${lock.file} locks ${versions.join(', ')}. Re-lock and commit the result.`,
          { dependency: dep.name, specifier: dep.specifier, locked: versions.join(' '), lockfile: lock.file },
        ),
      );
    }
  }
  return out;
}

/** A PEP 440 specifier set, or undefined for Poetry's `^` / `*` / bare-version syntax, which is not compared. */
function toPep440(spec: string): string | undefined {
  const s = spec.replace(/\s+/g, '');
  if (s === '' || s === '*') return undefined;
  if (!s.split(',').every((c) => /^(~=|===|==|!=|<=|>=|<|>)[^,]+$/.test(c))) return undefined;
  return s;
}
