import { describe, expect, it } from 'vitest';
import { pythonReferenceLines } from './python-readers.js';
import { findPythonReferences } from '../../src/refs/python.js';
import { findPythonReferencesFast } from '../../src/refs/python-fast.js';
import { judgeReference } from '../../src/refs/judge.js';
import { findJavaScriptReferences } from '../../src/refs/javascript.js';
import { findJavaScriptReferencesFast } from '../../src/refs/javascript-fast.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';

/**
 * A call that loads one of a set of models the file names — `"org/a" if big else "org/b"`, `MODELS[size]` of a dict
 * constant — was a run-time note that named none of them. Each is now a reference (`oneOf`: how many), to pin and
 * review; an item by a key the file decides is that one value. A dict the file may change (an item assigned,
 * updated or deleted, `**other` in it) names no set. Both readers alike.
 */
const noLocal = () => false;
const HEAD = 'from transformers import AutoModel\n';

function refs(text: string): string[] {
  expect(findPythonReferencesFast('app.py', text, noLocal)).toBeDefined();
  return pythonReferenceLines(text);
}

describe('a call choosing among models the file names', () => {
  it.each([
    {
      name: 'a conditional expression, through a name',
      text: `${HEAD}name = "org/a" if big else "org/b"\nm = AutoModel.from_pretrained(name, revision="main")\n`,
      want: ['3 org/a@main oneOf:2', '3 org/b@main oneOf:2'],
    },
    {
      name: 'a dict constant by a run-time key',
      text: `${HEAD}MODELS = {\n    "base": "org/base",\n    "large": "org/large",\n}\nm = AutoModel.from_pretrained(MODELS[size])\n`,
      want: ['6 org/base@- oneOf:2', '6 org/large@- oneOf:2'],
    },
    {
      name: 'get on a dict constant: a key it has, a default for one it cannot have',
      text: `${HEAD}CONFIG = {"model": "org/dict", "revision": "0123456789abcdef0123456789abcdef01234567"}\nm = AutoModel.from_pretrained(CONFIG.get("model"), revision=CONFIG.get("revision"))\nt = AutoModel.from_pretrained(CONFIG.get("tok", "org/fallback"))\n`,
      want: ['3 org/dict@0123456789abcdef0123456789abcdef01234567', '4 org/fallback@-'],
    },
    {
      name: 'get on a dict that may hold any key, or with no default',
      text: `${HEAD}CONFIG = {**BASE, "model": "org/dict"}\nm = AutoModel.from_pretrained(CONFIG.get("tok", "org/fallback"))\nn = AutoModel.from_pretrained(CONFIG.get("tok"))\n`,
      want: ['3 dynamic', '4 dynamic'],
    },
    {
      name: 'get on a dict constant the file changes',
      text: `${HEAD}CONFIG = {"model": "org/dict"}\nCONFIG["model"] = pick()\nm = AutoModel.from_pretrained(CONFIG.get("model"))\n`,
      want: ['4 dynamic'],
    },
    {
      name: 'a dict constant by a literal key',
      text: `${HEAD}CONFIG = {"model": "org/dict", "revision": "0123456789abcdef0123456789abcdef01234567"}\nm = AutoModel.from_pretrained(CONFIG["model"], revision=CONFIG["revision"])\n`,
      want: ['3 org/dict@0123456789abcdef0123456789abcdef01234567'],
    },
    {
      name: 'nested: a conditional over an item',
      text: `${HEAD}MODELS = {"x": "org/x", "y": "org/x"}\nm = AutoModel.from_pretrained("org/a" if big else MODELS[k])\n`,
      want: ['3 org/a@- oneOf:2', '3 org/x@- oneOf:2'],
    },
    {
      name: 'a dict with **other in it',
      text: `${HEAD}MODELS = {"base": "org/base", **other}\nm = AutoModel.from_pretrained(MODELS[size])\n`,
      want: ['3 dynamic'],
    },
    {
      name: 'an item assigned',
      text: `${HEAD}MODELS = {"base": "org/base"}\nMODELS["base"] = "org/other"\nm = AutoModel.from_pretrained(MODELS["base"])\n`,
      want: ['4 dynamic'],
    },
    {
      name: 'an item updated in place',
      text: `${HEAD}MODELS = {"base": "org/base"}\nMODELS["base"] += "-v2"\nm = AutoModel.from_pretrained(MODELS[k])\n`,
      want: ['4 dynamic'],
    },
    {
      name: 'an item deleted',
      text: `${HEAD}MODELS = {"base": "org/base", "x": "org/x"}\ndel MODELS["x"]\nm = AutoModel.from_pretrained(MODELS[k])\n`,
      want: ['4 dynamic'],
    },
    {
      name: 'one option unknown',
      text: `${HEAD}m = AutoModel.from_pretrained("org/a" if big else other)\n`,
      want: ['2 dynamic'],
    },
    {
      name: 'a dict read with .get elsewhere still names its set',
      text: `${HEAD}MODELS = {"base": "org/base", "large": "org/large"}\nprint(MODELS.get("base"))\nm = AutoModel.from_pretrained(MODELS[size])\n`,
      want: ['4 org/base@- oneOf:2', '4 org/large@- oneOf:2'],
    },
  ])('$name', ({ text, want }) => {
    expect(refs(text)).toEqual(want);
  });

  it('the finding says the call chooses among them', () => {
    const text = `${HEAD}name = "org/a" if big else "org/b"\nm = AutoModel.from_pretrained(name)\n`;
    const [ref] = findPythonReferences('app.py', text, noLocal).references;
    expect(judgeReference(ref!, new Map(), DEFAULT_POLICY)[0]?.message).toContain(
      'loads org/a (one of 2 models the call chooses among at run time) with no revision',
    );
  });
});

describe('JavaScript: a call choosing among models the file names', () => {
  const H = "import { pipeline } from '@huggingface/transformers';\n";
  const js = (text: string) => {
    const got = findJavaScriptReferences('app.ts', text, noLocal);
    // The reader without a parser leaves these shapes to lezer, or answers the same.
    const fast = findJavaScriptReferencesFast('app.ts', text, noLocal);
    if (fast) expect(fast).toEqual(got);
    return [
      ...got.references.map((r) => `${r.line} ${r.repoId}@${r.revision ?? '-'}${r.oneOf ? ` oneOf:${r.oneOf}` : ''}`),
      ...got.dynamic.map((d) => `${d.line} dynamic`),
    ];
  };
  it.each([
    {
      name: 'a conditional through a const',
      text: `${H}const model = gpu ? 'onnx-community/a-webgpu' : 'onnx-community/a';\nconst p = await pipeline('asr', model);\n`,
      want: ['3 onnx-community/a-webgpu@- oneOf:2', '3 onnx-community/a@- oneOf:2'],
    },
    {
      name: 'a conditional in the call, with a revision',
      text: `${H}const p = await pipeline('asr', gpu ? 'org/a' : 'org/b', { revision: 'main' });\n`,
      want: ['2 org/a@main oneOf:2', '2 org/b@main oneOf:2'],
    },
    {
      name: 'an object constant by a run-time key',
      text: `${H}const MODELS = { tiny: 'Xenova/whisper-tiny', base: 'Xenova/whisper-base' };\nconst p = await pipeline('asr', MODELS[size]);\n`,
      want: ['3 Xenova/whisper-tiny@- oneOf:2', '3 Xenova/whisper-base@- oneOf:2'],
    },
    {
      name: 'an object constant by a literal key',
      text: `${H}const MODELS = { tiny: 'Xenova/whisper-tiny' };\nconst p = await pipeline('asr', MODELS['tiny']);\n`,
      want: ['3 Xenova/whisper-tiny@-'],
    },
    {
      name: 'a member assigned by a computed key',
      text: `${H}const MODELS = { tiny: 'Xenova/whisper-tiny' };\nMODELS[k] = x;\nconst p = await pipeline('asr', MODELS[size]);\n`,
      want: ['4 dynamic'],
    },
    {
      name: 'an object with a spread',
      text: `${H}const MODELS = { tiny: 'Xenova/whisper-tiny', ...more };\nconst p = await pipeline('asr', MODELS[size]);\n`,
      want: ['3 dynamic'],
    },
  ])('$name', ({ text, want }) => {
    expect(js(text)).toEqual(want);
  });
});
