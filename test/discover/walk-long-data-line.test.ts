import { describe, expect, it } from 'vitest';
import { DEFAULT_SKIP_DIRS, SNIFF_FURTHER_BYTES, walkTree } from '../../src/discover/walk.js';
import { tempTrees } from '../helpers/temp-tree.js';

const tree = tempTrees('chainproof-walk-long-line-');

async function formats(files: Record<string, string>): Promise<Record<string, string>> {
  const root = tree(files);
  const { files: found } = await walkTree(root, { include: [], exclude: [], skipDirs: DEFAULT_SKIP_DIRS });
  return Object.fromEntries(found.map((f) => [f.path, f.format]));
}

/** A first line longer than everything the sniff reads: `pickle.load` reads it whole as UNICODE's or STRING's. */
const LONG = 'A'.repeat(SNIFF_FURTHER_BYTES + 4096);
const PAYLOAD = "cos\nsystem\n(S'echo hi'\ntR.";

describe('a first line longer than the sniff reads (UNICODE or STRING) is judged by what follows it', () => {
  it.each([
    // pickle.loads raises "invalid load key 'O'" after pushing a str: nothing ran, nothing to report.
    {
      name: 'a text file whose first line starts with V',
      file: `VERSION_BLOB=${LONG}\nOTHER=1\nTHIRD=2\n`,
      want: 'other',
    },
    // "pickle data was truncated": the line never ends.
    { name: 'one line that runs to the end of the file', file: `V${LONG}`, want: 'other' },
    // load_string: "the STRING opcode argument must be quoted".
    { name: 'a STRING line without its closing quote', file: `S'${LONG}\n${PAYLOAD}`, want: 'other' },
    // What Debian python3's pickle.dumps(obj, protocol=0) writes for a long str and a dict holding one.
    { name: 'a protocol-0 pickle of a long str', file: `V${LONG}\np0\n.`, want: 'pickle' },
    {
      name: 'a protocol-0 pickle of a dict with a long str',
      file: `(dp0\nVk\np1\nV${LONG}\np2\nsVn\np3\nI1\ns.`,
      want: 'pickle',
    },
    // The padding the sniff reads further for: the payload after the line is still found.
    { name: 'a payload after a long UNICODE line', file: `V${LONG}\n${PAYLOAD}`, want: 'pickle' },
    { name: 'a payload after a long UNICODE line ending \\r\\n', file: `V${LONG}\r\n${PAYLOAD}`, want: 'pickle' },
    { name: 'a payload after a long quoted STRING line', file: `S'${LONG}'\n${PAYLOAD}`, want: 'pickle' },
  ])('$name', async ({ file, want }) => {
    expect(await formats({ 'data.env': file })).toEqual({ 'data.env': want });
  });
});
