import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAIN, scanProject } from './berry-project.js';
import { endpointsPerTest, tempDir } from './scan.js';

/**
 * The user's own CA for yarn (`httpsCaFilePath` in ~/.yarnrc.yml, or `YARN_HTTPS_CA_FILE_PATH`) is trusted for a
 * private registry over HTTPS, as yarn trusts it; one inside the scanned tree never is. A self-signed certificate
 * for 127.0.0.1 is made at test time with openssl, and an HTTPS front forwards to the loopback endpoints server.
 */
const startServer = endpointsPerTest({ keys: undefined });
let certDir: string;
let front: https.Server;
let frontUrl: string;
let backUrl = '';

beforeAll(async () => {
  certDir = tempDir('chainproof-berry-tls-');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'ca.pem'), '-days', '2'],
      ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  front = https.createServer(
    { key: readFileSync(path.join(certDir, 'key.pem')), cert: readFileSync(path.join(certDir, 'ca.pem')) },
    (req, res) => {
      const inner = http.get(new URL(req.url ?? '/', backUrl), { headers: { accept: req.headers.accept } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      inner.on('error', () => res.destroy());
    },
  );
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  frontUrl = `https://127.0.0.1:${(front.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  front.closeAllConnections();
  await new Promise<void>((resolve) => front.close(() => resolve()));
});

describe('berry over HTTPS with the user’s own CA', () => {
  it('~/.yarnrc.yml httpsCaFilePath: the private registry is verified', async () => {
    backUrl = (await startServer({ packages: [PLAIN] })).url;
    const ca = path.join(certDir, 'ca.pem');
    const { result, ids } = await scanProject({
      home: `npmRegistryServer: "${frontUrl}"\nhttpsCaFilePath: "${ca}"\n`,
      allowed: [],
    });
    expect(ids).toEqual([]);
    expect(result.summary).toMatchObject({ verified: 1, unverifiable: 0 });
  });

  it('without the CA: not verified (CPD131), never a pass', async () => {
    backUrl = (await startServer({ packages: [PLAIN] })).url;
    const { result, ids } = await scanProject({ home: `npmRegistryServer: "${frontUrl}"\n`, allowed: [] });
    expect(ids).toContain('CPD131');
    expect(result.summary).toMatchObject({ verified: 0, unverifiable: 1 });
  });

  it('a CA file inside the scanned tree is not trusted, even when the user names it', async () => {
    backUrl = (await startServer({ packages: [PLAIN] })).url;
    const root = tempDir('chainproof-berry-tls-root-');
    writeFileSync(path.join(root, 'ca.pem'), readFileSync(path.join(certDir, 'ca.pem')));
    const { result, ids } = await scanProject({
      root,
      env: { YARN_NPM_REGISTRY_SERVER: frontUrl, YARN_HTTPS_CA_FILE_PATH: path.join(root, 'ca.pem') },
      allowed: [],
    });
    expect(ids).toContain('CPD131');
    expect(result.summary).toMatchObject({ verified: 0, unverifiable: 1 });
    expect(result.notifications.map((n) => n.message).join('\n')).toMatch(/inside the scanned tree/);
  });
});
