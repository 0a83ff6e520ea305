import { describe, expect, it, vi } from 'vitest';
import { walkTarStream } from '../../../src/inspect/content/tar-stream.js';
import { symlinksEscapingThroughOthers } from '../../../src/inspect/containers/tar-links.js';
import { readTar } from '../../../src/inspect/containers/tar.js';
import { bufferFileSource } from '../../../src/io/file-source.js';
import type * as TarLinks from '../../../src/inspect/containers/tar-links.js';
import { buildTar } from '../../hostile/helpers/tar.js';

vi.mock('../../../src/inspect/containers/tar-links.js', async (original) => {
  const real = await original<typeof TarLinks>();
  return { ...real, symlinksEscapingThroughOthers: vi.fn(real.symlinksEscapingThroughOthers) };
});

/**
 * A tar past the in-memory limit is walked as a stream, and the image of its headers and small members is then read
 * by readTar (inspectTar), which follows its symlinks. The walk only needs the members' names (a NeMo config among
 * the members it did not keep): following the links there too made a hostile archive cost twice.
 */
describe('a streamed tar follows its symlinks once', () => {
  it('the stream walk lists the kept members without following their links', async () => {
    const links = Array.from({ length: 3 }, (_, i) => ({ name: `l${i}`, type: '2', linkName: 'x/..' }));
    // The suite may share modules between files (no isolation): count from here.
    vi.mocked(symlinksEscapingThroughOthers).mockClear();
    const tar = buildTar([...links, { name: 'weights.bin', data: Buffer.alloc(9 << 20, 1) }]);
    const image = await walkTarStream(
      bufferFileSource('model.tar', tar),
      { path: 'model.tar', allow: { extra: [] }, member: undefined, maxImage: 1 << 20, maxEntries: 100_000 },
      [],
    );
    expect(image).toBeDefined();
    expect(symlinksEscapingThroughOthers).not.toHaveBeenCalled();
    readTar(image!);
    expect(symlinksEscapingThroughOthers).toHaveBeenCalledTimes(1);
  });
});
