import { describe, expect, it } from 'vitest';
import type { PypiMaliciousPackage } from '../../../src/core/trusted-registry.js';
import { matchPypiAdvisory } from '../../../src/deps/parsers/python/checks/malicious.js';

// An OSV MAL-* record that lists versions only (no ranges), as most malicious-package records do.
const listed: PypiMaliciousPackage = {
  id: 'MAL-0000-1',
  name: 'evil-pkg',
  ranges: [],
  versions: ['1.0', '2.0a1', '3.0.post1'],
  file: 'trusted-registry/mal.json',
};

describe('a listed malicious version matches every spelling pip installs it by (PEP 440 equality)', () => {
  it.each([
    { name: 'zero-padded release', version: '1.0.0', want: '1.0.0' },
    { name: 'leading zeros', version: '01.0', want: '01.0' },
    { name: 'explicit zero epoch', version: '0!1.0', want: '0!1.0' },
    { name: 'long pre-release spelling', version: '2.0-alpha1', want: '2.0-alpha1' },
    { name: 'post-release with a separator', version: '3.0-post1', want: '3.0-post1' },
    { name: 'a local version is another release', version: '1.0+local', want: undefined },
    { name: 'a different release', version: '1.0.1', want: undefined },
  ])('$name: $version', ({ version, want }) => expect(matchPypiAdvisory(version, listed)).toBe(want));
});
