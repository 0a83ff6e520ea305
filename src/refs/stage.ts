import { open } from 'node:fs/promises';
import path from 'node:path';
import type { ScanContext } from '../core/context.js';
import type { DiscoveredFile } from '../core/files.js';
import type { Finding } from '../core/finding.js';
import type { ModelReference } from '../core/records.js';
import type { Stage, StageInput, StageOutput } from '../core/stage.js';
import { mentionsModelKey, findConfigReferences } from './config.js';
import { findJavaScriptReferences } from './javascript.js';
import { dynamicFinding, judgeReference, reviewedCommits } from './judge.js';
import { findPythonReferences } from './python.js';
import { MAX_NESTING, looksGenerated, nestingDepth } from './text.js';
import type { FileReferences } from './types.js';
import { pushAll } from '../core/push-all.js';

type Finder = (path: string, text: string, existsLocally: (p: string) => boolean) => FileReferences;

/** Source languages by extension; only files the catalogue calls `other` (not lockfiles, manifests, models). */
const FINDERS: Readonly<Record<string, Finder>> = {
  py: findPythonReferences,
  js: findJavaScriptReferences,
  mjs: findJavaScriptReferences,
  cjs: findJavaScriptReferences,
  jsx: findJavaScriptReferences,
  ts: findJavaScriptReferences,
  mts: findJavaScriptReferences,
  cts: findJavaScriptReferences,
  tsx: findJavaScriptReferences,
  yaml: findConfigReferences,
  yml: findConfigReferences,
  json: findConfigReferences,
};

/** Cheap text tests before parsing: a file that names no loader is not parsed (most of a repository). */
const LOADER_WORDS =
  /from_pretrained|pipeline|hf_hub_download|snapshot_download|torch\.hub|create_model|SentenceTransformer|CrossEncoder|InferenceSession|loadGraphModel|loadLayersModel|downloadFile|snapshotDownload|huggingface\.co/;
const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/**
 * Model references: models the code downloads by name at run time, found by parsing Python, JavaScript/TypeScript
 * and YAML/JSON config — never by running them. Each is judged for pinning, remote code and the trusted registry.
 */
export const refsStage: Stage = {
  name: 'refs',
  async run(input: StageInput, ctx: ScanContext): Promise<StageOutput> {
    const candidates = input.files.filter((f) => f.format === 'other' && FINDERS[extOf(f.path)] !== undefined);
    // transformers' from_pretrained prefers a local folder of the same name (os.path.isdir): so do we.
    const known = new Set<string>();
    for (const f of input.files) {
      known.add(f.path);
      for (let d = path.posix.dirname(f.path); d !== '.' && !known.has(d); d = path.posix.dirname(d)) known.add(d);
    }
    const existsLocally = (p: string) => known.has(path.posix.normalize(p.replace(/^\.\//, '')));
    const references: ModelReference[] = [];
    const findings: Finding[] = [];
    const skipped: string[] = [];
    const reviewed = reviewedCommits(ctx.registry);
    await Promise.all(
      candidates.map((file) =>
        ctx.limit(async () => {
          const ext = extOf(file.path);
          if (file.size > MAX_SOURCE_BYTES) {
            if (ext !== 'json' && ext !== 'yaml' && ext !== 'yml') skipped.push(file.path);
            return;
          }
          const text = await readText(file);
          if (text === undefined) return;
          const config = ext === 'json' || ext === 'yaml' || ext === 'yml';
          if (config ? !mentionsModelKey(text) : !LOADER_WORDS.test(text)) return;
          if ((!config && looksGenerated(text)) || nestingDepth(text) > MAX_NESTING) {
            skipped.push(file.path);
            return;
          }
          let found: FileReferences;
          try {
            found = FINDERS[ext]!(file.path, text, existsLocally);
          } catch {
            // A parser that gives up (it should not: lezer recovers from syntax errors) skips the file, counted.
            skipped.push(file.path);
            return;
          }
          pushAll(references, found.references);
          for (const r of found.references) pushAll(findings, judgeReference(r, reviewed, ctx.policy));
          for (const d of found.dynamic) findings.push(dynamicFinding(d));
        }),
      ),
    );
    if (skipped.length > 0) {
      skipped.sort();
      findings.push({
        ruleId: 'CPR011',
        message: `${skipped.length} source file(s) were not searched for model references: minified, generated, nested deeper than ${MAX_NESTING} brackets, or over ${MAX_SOURCE_BYTES} bytes.`,
        location: { path: skipped[0]! },
        evidence: { count: skipped.length, files: skipped.slice(0, 200).join(' ') },
      });
    }
    return { references, findings };
  },
};

function extOf(p: string): string {
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (base.endsWith('.d.ts') || base.endsWith('.min.js')) return '';
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot + 1).toLowerCase();
}

async function readText(file: DiscoveredFile): Promise<string | undefined> {
  const fh = await open(file.abs, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    const buf = Buffer.alloc(Math.min(file.size, MAX_SOURCE_BYTES));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}
