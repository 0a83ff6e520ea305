// A large, valid GGUF v3 header for the formats bench: tokenizer arrays the size of a real vocabulary and one
// tensor info per tensor, followed by zeroed tensor data. Written in parts, never held whole.
import { closeSync, openSync, writeSync } from 'node:fs';

const u32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u64 = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
};
const str = (s) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
const stringArray = (items) => Buffer.concat([u32(9), u32(8), u64(items.length), ...items.map(str)]);
const scalarArray = (type, size, n) => Buffer.concat([u32(9), u32(type), u64(n), Buffer.alloc(size * n)]);

/** Write the file; returns its size. Each tensor is F32 [32, 4] (512 bytes), laid out back to back. */
export function writeLargeGguf(file, { tensors = 20_000, vocab = 200_000, merges = 150_000 } = {}) {
  const kv = [
    [str('general.architecture'), u32(8), str('llama')],
    [str('tokenizer.ggml.tokens'), stringArray(Array.from({ length: vocab }, (_, i) => `tok${i}`))],
    [str('tokenizer.ggml.scores'), scalarArray(6, 4, vocab)],
    [str('tokenizer.ggml.token_type'), scalarArray(5, 4, vocab)],
    [str('tokenizer.ggml.merges'), stringArray(Array.from({ length: merges }, (_, i) => `a${i} b${i}`))],
    [str('tokenizer.chat_template'), u32(8), str("{% for m in messages %}{{ m['content'] }}{% endfor %}")],
  ];
  const parts = [Buffer.from('GGUF'), u32(3), u64(tensors), u64(kv.length), ...kv.flat()];
  for (let i = 0; i < tensors; i++)
    parts.push(str(`blk.${i}.attn_q.weight`), u32(2), u64(32), u64(4), u32(0), u64(i * 512));
  const head = Buffer.concat(parts);
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, head);
    writeSync(fd, Buffer.alloc(Math.ceil(head.length / 32) * 32 - head.length + tensors * 512));
  } finally {
    closeSync(fd);
  }
  return Math.ceil(head.length / 32) * 32 + tensors * 512;
}
