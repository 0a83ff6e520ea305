import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describeUnseenCases, type UnseenCase } from './unseen-runner.js';

const fixture = (name: string) =>
  readFileSync(path.resolve(import.meta.dirname, '../../../fixtures/loader-cases', name));
const LOAD =
  'torch.load(weights_only=True) → _weights_only_unpickler refuses the transformers globals ("Unsupported global")';

/**
 * Hugging Face Trainer writes `torch.save(TrainingArguments)` as training_args.bin beside every checkpoint. The
 * default torch.load refuses it (a note: it needs weights_only=False), and nothing in it is code: no more than that.
 */
const CASES: readonly UnseenCase[] = [
  {
    name: 'training_args.bin, enums pickled by name (CPython 3.11: getattr(cls, name))',
    loader: LOAD,
    files: { 'checkpoint-500/training_args.bin': fixture('training_args.bin') },
    want: ['CPI119:note'],
  },
  {
    name: 'training_args.bin, enums pickled by value (CPython 3.10, 3.12+: cls(value))',
    loader: LOAD,
    files: { 'training_args.bin': fixture('training_args_by_value.bin') },
    want: ['CPI119:note'],
  },
];

describeUnseenCases('training_args.bin is refused by the default torch.load and nothing worse', CASES);
