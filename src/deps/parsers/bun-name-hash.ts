/**
 * The 32-bit name hash Bun keeps a `trustedDependencies` list as (lockfile.zig: `trusted_dependencies` is a set of
 * `@truncate(String.Builder.stringHash(name))`, and `hasTrustedDependency` looks a dependency's name up the same way):
 * `bun.Wyhash11.hash(0, name)`, Bun's copy of Zig 0.11's wyhash (src/wyhash.zig `WyhashStateless`), cut to its low
 * 32 bits. Two names with one hash are the same name to such a Bun, so a package named to collide with a listed one
 * is trusted, and 2^32 tries find such a name: with `trustedDependencies: ["esbuild"]`, Bun 1.2.0 ran the postinstall
 * of a `file:` package named `cp-pez7ntcaa` (same hash) and blocked `cp-pez7ntcab`; Bun 1.4.5 blocked both. Matching
 * by hash is the safe side: the scripts run under the older Bun. Checked against Bun 1.4.5's bun.lockb for names of
 * 1 to 61 bytes.
 */
export function bunTrustedNameHash(name: string): number {
  const d = Buffer.from(name, 'utf8');
  const aligned = d.length - (d.length % 32);
  let seed = 0n;
  for (let o = 0; o < aligned; o += 32)
    seed = mix0(le(d, o, 8), le(d, o + 8, 8), seed) ^ mix1(le(d, o + 16, 8), le(d, o + 24, 8), seed);
  const rest = d.length - aligned;
  const t = aligned;
  // WyhashStateless.final, its 32 cases by the length of the tail: 1–8, 9–16, 17–24, 25–31 bytes.
  if (rest > 24)
    seed = mix0(swapped(d, t), swapped(d, t + 8), seed) ^ mix1(swapped(d, t + 16), tail(d, t + 24, rest - 24), seed);
  else if (rest > 16) seed = mix0(swapped(d, t), swapped(d, t + 8), seed) ^ mix1(tail(d, t + 16, rest - 16), P4, seed);
  else if (rest > 8) seed = mix0(swapped(d, t), tail(d, t + 8, rest - 8), seed);
  else if (rest > 0) seed = mix0(tail(d, t, rest), P4, seed);
  return Number(mum(seed ^ BigInt(d.length), P4) & 0xffffffffn);
}

const U64 = (1n << 64n) - 1n;
const P0 = 0xa0761d6478bd642fn;
const P1 = 0xe7037ed1a0b428dbn;
const P2 = 0x8ebc6af09c88c6e3n;
const P3 = 0x589965cc75374cc3n;
const P4 = 0x1d8e4e27c47d124fn;

function mum(a: bigint, b: bigint): bigint {
  const r = a * b;
  return ((r >> 64n) ^ r) & U64;
}

function mix0(a: bigint, b: bigint, seed: bigint): bigint {
  return mum(a ^ seed ^ P0, b ^ seed ^ P1);
}

function mix1(a: bigint, b: bigint, seed: bigint): bigint {
  return mum(a ^ seed ^ P2, b ^ seed ^ P3);
}

/** `read_bytes`: `n` bytes at `o`, little-endian. */
function le(d: Buffer, o: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(d[o + i]!);
  return v;
}

/** `read_8bytes_swapped`: the two 4-byte halves, the first one high. */
function swapped(d: Buffer, o: number): bigint {
  return (le(d, o, 4) << 32n) | le(d, o + 4, 4);
}

/** The 1 to 8 tail bytes at `o` as `final` packs them (its cases 1–8, the same again from 8, 16 and 24). */
function tail(d: Buffer, o: number, n: number): bigint {
  switch (n) {
    case 1:
    case 2:
    case 4:
      return le(d, o, n);
    case 3:
      return (le(d, o, 2) << 8n) | le(d, o + 2, 1);
    case 5:
      return (le(d, o, 4) << 8n) | le(d, o + 4, 1);
    case 6:
      return (le(d, o, 4) << 16n) | le(d, o + 4, 2);
    case 7:
      return (le(d, o, 4) << 24n) | (le(d, o + 4, 2) << 8n) | le(d, o + 6, 1);
    default:
      return swapped(d, o);
  }
}
