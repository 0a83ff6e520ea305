import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A loopback registry nobody listens on: port 9 (discard) refuses every request at once, so a fail-closed scan
 * has something it cannot verify and nothing leaves the machine.
 */
export const DOWN_REGISTRY = 'http://127.0.0.1:9/';

/** An npm v3 lockfile with one package from DOWN_REGISTRY and `fail-closed.yml`, a policy that fails closed. */
export function writeFailClosedProject(root: string): { policy: string } {
  const lock = {
    name: 'app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'app', version: '1.0.0', dependencies: { 'left-pad': '1.3.0' } },
      'node_modules/left-pad': {
        version: '1.3.0',
        resolved: `${DOWN_REGISTRY}left-pad/-/left-pad-1.3.0.tgz`,
        integrity:
          'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEBMb5ei0imD+YNSRUBB8cHtg6K0Q6ek1QLM2W/m0xJ0CCXB3aA==',
      },
    },
  };
  writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0' }));
  writeFileSync(path.join(root, 'package-lock.json'), JSON.stringify(lock, null, 2));
  const policy = path.join(root, 'fail-closed.yml');
  writeFileSync(policy, `version: 1\ndependencies:\n  allowedRegistries: ['${DOWN_REGISTRY}']\n  failClosed: true\n`);
  return { policy };
}
