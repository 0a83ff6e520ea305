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
  const quote = data.includes(0x27) && !data.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const c of data) {
    if (c === quote.charCodeAt(0) || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(c);
  }
  return out + quote;
}
