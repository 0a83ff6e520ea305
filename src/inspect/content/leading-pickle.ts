import type { ScanContext } from '../../core/context.js';
import type { DiscoveredFile } from '../../core/files.js';
import { formatsReadBy } from '../../discover/catalogue/index.js';
import { leadingPickle } from '../../discover/formats/pickle-head.js';
import { createFileOpener } from '../../io/file-source.js';
import type { AnalysisReport, ModelAnalyser } from '../analyser.js';

/** Bytes of the head walked for a pickle; a head still undecided there is read on by the pickle VM. */
const HEAD = 64 * 1024;

/**
 * A file content detection names by a magic that comes before the pickle tests (GGUF, TFLite, HDF5, ONNX,
 * safetensors, llamafile) whose first bytes are also a pickle. `pickle.load` (Lib/pickle.py `_Unpickler.load`),
 * `joblib.load` and `torch.load`'s non-zip path (serialization.py `_legacy_load`, whose first act is
 * `pickle_module.load(f)`, before it checks the magic number) read any file from byte 0 as opcodes and run each as
 * they read it: `GGUF` is BINFLOAT over the version, `TFL3` at byte 4 can sit in a string argument, and an HDF5 user
 * block is the writer's to fill (h5py `userblock_size`). So a `pytorch_model.bin` spelled so is loaded as a pickle,
 * whatever the format's own reader makes of the rest. Only a head that reads as a pickle up to an import is judged
 * (`leadingPickle`): the real formats' first bytes fail as opcodes at once, and the pickle VM is loaded only then.
 */
const FORMATS = formatsReadBy('leading-pickle');

export const leadingPickleAnalyser: ModelAnalyser = {
  name: 'leading-pickle',
  formats: FORMATS,
  async analyze(file: DiscoveredFile, ctx: ScanContext): Promise<AnalysisReport> {
    // The stage also runs this for a name that claims one of these formats (`analysersFor`: `.h5` is loaded by name),
    // but content detected as a pickle is the pickle analyser's already: only the detected format counts here.
    if (!FORMATS.includes(file.format)) return { status: 'ok', findings: [] };
    // The walk's sniff read these same first bytes and found no pickle there (the common case: each format's magic
    // fails as opcodes at once): no second open.
    if (file.pickleFreeHead) return { status: 'ok', findings: [] };
    // Tests call analysers with a bare context: they then read through an opener of their own.
    const opener = (ctx.files as ScanContext['files'] | undefined) ?? createFileOpener();
    const src = await opener.open(file.abs, file.path, file);
    try {
      const head = await src.read(0, Math.min(src.size, HEAD));
      const lead = leadingPickle(head, head.length >= src.size);
      if (lead === 'no') return { status: 'ok', findings: [] };
      const { analyseLeadingPickleFile, leadingFindings } = await import('../pickle/pickles.js');
      const read = await analyseLeadingPickleFile(src, {
        path: file.path,
        allow: { extra: ctx.policy.models.allowedGlobals },
        what: `pickle its first bytes spell (content detection read them as ${file.format})`,
      });
      const findings = leadingFindings(lead, read);
      const artifact = { kind: 'model' as const, path: file.path, format: file.format };
      // A head pickle cut short or past a limit was not read to its end, as the pickle analyser says of a file.
      const partial = findings.some((f) => f.ruleId === 'CPI003' || f.ruleId === 'CPI004');
      return {
        status: partial ? 'partial' : 'ok',
        findings: findings.map((f) => ({ ...f, artifact: f.artifact ?? artifact })),
      };
    } finally {
      await src.close();
    }
  },
};
