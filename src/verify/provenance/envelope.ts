import { parseShallowJson } from '../../core/json-depth.js';
import { parseStatement } from '../bundle/intoto.js';

/** A bare DSSE envelope: provenance present, but with nothing chainproof can verify it with offline. */
export interface BareEnvelope {
  /** The payload's predicate type, unverified (for the message only). */
  readonly predicateType: string | undefined;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Is this text a bare DSSE envelope (`payloadType`, `payload`, `signatures`, no Sigstore `mediaType`)? That is what
 * slsa-github-generator writes to `<name>.intoto.jsonl`. slsa-verifier (verifiers/internal/gha verifier.go,
 * VerifyArtifact) only takes the file as a Sigstore bundle when IsSigstoreBundle says so; otherwise it finds the
 * signing certificate and the log entry by searching Rekor online (VerifyProvenanceSignature). The envelope carries
 * neither, so a scan with no network cannot verify it: it is reported, never taken as provenance. Attacker-
 * controlled JSON, depth-checked; any parse problem means "not an envelope" (the bundle reader then says why).
 */
export function readBareEnvelope(text: string): BareEnvelope | undefined {
  let json: unknown;
  try {
    json = parseShallowJson(text);
  } catch {
    return undefined;
  }
  if (!isObject(json) || 'mediaType' in json || 'verificationMaterial' in json) return undefined;
  const { payloadType, payload, signatures } = json;
  if (typeof payloadType !== 'string' || typeof payload !== 'string' || !Array.isArray(signatures)) return undefined;
  let predicateType: string | undefined;
  try {
    const t = parseStatement(payloadType, Buffer.from(payload, 'base64')).predicateType;
    // Unverified and bound for messages: only a plain printable URI is repeated.
    predicateType = /^[\x21-\x7e]{1,200}$/.test(t) ? t : undefined;
  } catch {
    predicateType = undefined;
  }
  return { predicateType };
}
