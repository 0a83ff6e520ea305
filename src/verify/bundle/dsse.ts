/** DSSE pre-authentication encoding (https://github.com/secure-systems-lab/dsse/blob/v1.0.0/protocol.md). */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/**
 * The encoding model_signing v0.2 signed by mistake: `DSSEV1 <n> <type> <m> ` followed by Python's `repr()` of the
 * payload bytes. Keyed model signatures made with that release only verify over this.
 */
export function paeModelSigningCompat(payloadType: string, payload: Buffer): Buffer {
  return Buffer.from(
    `DSSEV1 ${payloadType.length} ${payloadType} ${payload.length} ${pythonBytesRepr(payload)}`,
    'utf8',
  );
}

/** CPython's `repr(bytes)`: b'…' (or b"…" when only single quotes occur), escaping as bytes_repr does. */
export function pythonBytesRepr(data: Buffer): string {
  const quote = data.includes(0x27) && !data.includes(0x22) ? 0x22 : 0x27;
  const escapes = quote === 0x27 ? ESCAPES_SINGLE : ESCAPES_DOUBLE;
  // Written byte by byte into one buffer (an escape is at most 4 bytes): a payload of several MiB, bounded by
  // MAX_BUNDLE_BYTES and rebuilt for each key tried, must not be assembled as millions of small strings.
  const out = Buffer.allocUnsafe(data.length * 4 + 3);
  let o = 0;
  out[o++] = 0x62; // b
  out[o++] = quote;
  for (const c of data) {
    const escaped = escapes[c];
    if (escaped === undefined) out[o++] = c;
    else for (const e of escaped) out[o++] = e;
  }
  out[o++] = quote;
  return out.toString('latin1', 0, o);
}

/** bytes_repr's escape of each byte that is not printed as itself (ASCII codes), for either quote character. */
function escapeTable(quote: number): readonly (readonly number[] | undefined)[] {
  const ascii = (s: string) => [...s].map((ch) => ch.charCodeAt(0));
  return Array.from({ length: 256 }, (_, c) => {
    if (c === quote || c === 0x5c) return [0x5c, c];
    if (c === 0x09) return ascii('\\t');
    if (c === 0x0a) return ascii('\\n');
    if (c === 0x0d) return ascii('\\r');
    if (c < 0x20 || c >= 0x7f) return ascii(`\\x${c.toString(16).padStart(2, '0')}`);
    return undefined;
  });
}
const ESCAPES_SINGLE = escapeTable(0x27);
const ESCAPES_DOUBLE = escapeTable(0x22);
