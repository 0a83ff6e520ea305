import { b, short, binunicode } from './pickle-bytes.js';
import type { UnseenCase } from './unseen-runner.js';

/** `{'w': 1}`: an instance's state. */
const STATE = b('}X\x01\x00\x00\x00wK\x01s');
const FIND_CLASS = "pickle.py find_class('__main__', name): getattr(sys.modules['__main__'], name)";
/** `cls(value)` of an enum class by REDUCE. */
const member = (cls: string, value: string) => Buffer.concat([b(`c${cls}\n`), binunicode(value), b('\x85R')]);
/**
 * A Trainer checkpoint's training_args.bin as torch.save writes it (protocol 2): TrainingArguments with its enums,
 * and the accelerate PartialState that `_setup_devices` keeps in `distributed_state` (NEWOBJ, BUILD of its dict).
 */
const TRAINING_ARGS = Buffer.concat([
  b('\x80\x02ctransformers.training_args\nTrainingArguments\n)\x81}('),
  binunicode('eval_strategy'),
  member('transformers.trainer_utils\nIntervalStrategy', 'steps'),
  binunicode('optim'),
  member('transformers.training_args\nOptimizerNames', 'adamw_torch'),
  binunicode('distributed_state'),
  b('caccelerate.state\nPartialState\n)\x81}('),
  binunicode('distributed_type'),
  member('accelerate.utils.dataclasses\nDistributedType', 'NO'),
  binunicode('device'),
  b('ctorch\ndevice\n'),
  binunicode('cpu'),
  b('\x85Rub'),
  b('ub.'),
]);

/**
 * Objects of a class defined in the script that saved them (`__main__.<Name>`): the loading program's own class,
 * or AttributeError. Only instantiating it is the program's own code; calling the name, or changing the class, is not.
 */
export const INSTANTIATED_CLASS_CASES: readonly UnseenCase[] = [
  {
    name: 'an object of a class the saving script defined (NEWOBJ, BUILD on the instance)',
    loader: `${FIND_CLASS}; load_newobj cls.__new__(cls); load_build inst.__dict__.update(state)`,
    files: { 'model.pkl': Buffer.concat([b('\x80\x02c__main__\nNet\n)\x81'), STATE, b('b.')]) },
    want: [],
  },
  {
    name: '__main__.system called by REDUCE (whatever the loading program imported under that name)',
    loader: `${FIND_CLASS}; load_reduce calls it`,
    files: { 'model.pkl': b('\x80\x02c__main__\nsystem\nX\x02\x00\x00\x00id\x85R.') },
    want: ['CPI100:error'],
  },
  {
    name: "a Trainer's training_args.bin: TrainingArguments, its enums and accelerate's PartialState",
    loader: 'pickle.load (copyreg __reduce_ex__ objects: NEWOBJ, BUILD; enums by REDUCE of their value)',
    files: { 'training_args.pkl': TRAINING_ARGS },
    want: [],
  },
  {
    name: "accelerate's PartialState called by REDUCE (its __init__ runs init_process_group(**kwargs))",
    loader: 'pickle.load load_reduce: PartialState(init_method=…) → torch.distributed.init_process_group',
    files: {
      'state.pkl': Buffer.concat([
        b('\x80\x02caccelerate.state\nPartialState\n)}'),
        binunicode('init_method'),
        binunicode('tcp://203.0.113.9:29500'),
        b('s\x86R.'),
      ]),
    },
    want: ['CPI002:warning'],
  },
  {
    name: 'BUILD on the __main__ class itself (sets the loading program’s class attributes)',
    loader: `${FIND_CLASS}; load_build on the class: setattr on the program's own class`,
    files: { 'model.pkl': Buffer.concat([b('\x80\x02c__main__\nNet\n'), STATE, b('b.')]) },
    want: ['CPI002:warning', 'CPI005:error'],
  },
  {
    name: 'a dotted __main__ name (protocol 4) reaching builtins.eval',
    loader: `${FIND_CLASS} with proto >= 4: _getattribute(sys.modules['__main__'], '__builtins__.eval')`,
    files: {
      'model.pkl': Buffer.concat([
        b('\x80\x04'),
        short('__main__'),
        short('__builtins__.eval'),
        b('\x93X\x01\x00\x00\x001\x85R.'),
      ]),
    },
    want: ['CPI001:error'],
  },
];
