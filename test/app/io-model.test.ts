import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanRepository } from '../../src/app/scan.js';
import { loadTrust } from '../../src/app/trust.js';
import { silentLogger } from '../../src/core/context.js';
import { testOptions } from '../helpers/scan.js';

/** A valid safetensors file: one U8 tensor of `dataLen` bytes after an 8-byte length and a JSON header. */
function safetensors(dataLen: number): Buffer {
  const header = Buffer.from(JSON.stringify({ w: { dtype: 'U8', shape: [dataLen], data_offsets: [0, dataLen] } }));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  const data = Buffer.alloc(dataLen);
  for (let i = 0; i < dataLen; i += 4096) data[i] = i & 0xff;
  return Buffer.concat([len, header, data]);
}

async function scan(root: string, cacheDir: string | undefined) {
  return scanRepository({
    root,
    trust: await loadTrust(root, undefined, []),
    options: testOptions({ cacheDir }),
    include: [],
    exclude: [],
    logger: silentLogger,
  });
}

describe('a model file that is hashed and inspected: every read counted, its bytes read once', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'cp-io-model-'));
  mkdirSync(path.join(root, 'models'));
  const file = safetensors(3 * 1024 * 1024 + 17);
  writeFileSync(path.join(root, 'models', 'model.safetensors'), file);
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'cp-io-cache-'));

  it('cold: the hash worker reads the whole file once; inspection opens it once and reads its header only', async () => {
    const r = await scan(root, cacheDir);
    expect(r.models.map((m) => m.path)).toEqual(['models/model.safetensors']);
    expect(r.io?.byKind.hash).toEqual({ opens: 1, bytesRead: file.length });
    expect(r.io?.byKind.plugins.opens).toBe(1);
    // The safetensors analyser reads the length, the header and a 64 KiB window at most: never the tensor data.
    expect(r.io?.byKind.plugins.bytesRead).toBeGreaterThan(0);
    expect(r.io?.byKind.plugins.bytesRead).toBeLessThanOrEqual(64 * 1024);
    expect(r.io?.bytesRead).toBe(file.length + r.io!.byKind.plugins.bytesRead);
    expect(r.io?.opens).toBe(2);
  });

  it('warm: the digest cache answers, and the file is not read again for its hash', async () => {
    const r = await scan(root, cacheDir);
    expect(r.io?.byKind.hash).toEqual({ opens: 0, bytesRead: 0 });
    expect(r.io?.byKind.plugins.opens).toBe(1);
  });
});
