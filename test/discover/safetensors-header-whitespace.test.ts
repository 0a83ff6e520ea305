import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/discover/detect.js';

/** A safetensors file: u64 header length, the header text, the data. */
function safetensors(header: string, data: Buffer): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(header)));
  return Buffer.concat([len, Buffer.from(header), data]);
}

const TENSOR = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';

describe('safetensors header after JSON whitespace (SafeTensors::read_metadata has no starts_with check)', () => {
  it.each([
    { name: 'no whitespace', header: TENSOR },
    { name: 'newline and space', header: `\n ${TENSOR}` },
    { name: 'tab and CR', header: `\t\r\n${TENSOR}` },
  ])('$name is safetensors by content, whatever the name', ({ header }) => {
    const file = safetensors(header, Buffer.alloc(8));
    expect(detectFormat(file, 'weights.bin', file.length).format).toBe('safetensors');
    expect(detectFormat(file, 'model.safetensors', file.length).format).toBe('safetensors');
  });

  it.each([
    { name: 'a form feed, which serde_json does not skip', header: `\f${TENSOR}` },
    { name: 'text that is not an object', header: ` [${TENSOR}]` },
  ])('$name is not safetensors', ({ header }) => {
    const file = safetensors(header, Buffer.alloc(8));
    expect(detectFormat(file, 'weights.bin', file.length).format).not.toBe('safetensors');
  });
});
