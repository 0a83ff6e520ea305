import { zip } from '../formats/build.js';
import type { UnseenCase } from './unseen-runner.js';

const LOADER = 'running a llamafile (Cosmopolitan APE of llama.cpp, llamafile/zipalign.c appends the GGUF in a zip)';
/** ape/ape.S: the first bytes of an Actually Portable Executable, then the program (here a stand-in). */
const ape = (magic: string, rest: Buffer = Buffer.alloc(0)) =>
  Buffer.concat([Buffer.from(`${magic}\n#'"\n`, 'latin1'), Buffer.alloc(64, 0x90), rest]);
const GGUF = Buffer.concat([Buffer.from('GGUF', 'latin1'), Buffer.alloc(20)]);

/** A llamafile is a program that carries weights: whatever its name, running it runs its machine code. */
export const LLAMAFILE_CASES: readonly UnseenCase[] = [
  {
    name: 'llamafile with its GGUF weights in the zip at its end',
    loader: LOADER,
    files: { 'gemma.llamafile': ape("MZqFpD='", zip([{ name: 'gemma-2b.Q4_K_M.gguf', data: GGUF }])) },
    want: ['CPI130:warning'],
  },
  {
    name: 'the same program named as weights (content decides)',
    loader: LOADER,
    files: { 'model.bin': ape("MZqFpD='", zip([{ name: 'm.gguf', data: GGUF }])) },
    want: ['CPI130:warning'],
  },
  {
    name: 'an APE built without the PE header, weights given at run time',
    loader: LOADER,
    files: { 'server.llamafile': ape("jartsr='") },
    want: ['CPI130:warning'],
  },
];
