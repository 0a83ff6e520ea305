import type { UnseenCase } from './unseen-runner.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const short = (s: string): Buffer => Buffer.concat([b('\x8c'), Buffer.from([s.length]), b(s)]);
/** `{'w': 1}`: an instance's state. */
const STATE = b('}X\x01\x00\x00\x00wK\x01s');
const FIND_CLASS = "pickle.py find_class('__main__', name): getattr(sys.modules['__main__'], name)";

/**
 * Objects of a class defined in the script that saved them (`__main__.<Name>`): the loading program's own class,
 * or AttributeError. Only instantiating it is the program's own code; calling the name, or changing the class, is not.
 */
export const MAIN_CLASS_CASES: readonly UnseenCase[] = [
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
