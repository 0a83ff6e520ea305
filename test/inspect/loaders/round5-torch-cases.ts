import type { UnseenCase } from './unseen-runner.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const u32 = (n: number) => String.fromCharCode(n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24);
const str = (s: string) => `X${u32(s.length)}${s}`; // BINUNICODE
/** torch's legacy MAGIC_NUMBER 0x1950a86a20f9469cfc6c as LONG1, protocol 1001, an empty sys_info: the head pickles. */
const LEGACY_HEAD = '\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.' + '\x80\x02M\xe9\x03.' + '\x80\x02}.';
/** The persistent id legacy `torch.save` writes for a module class: `('module', <class>, <source file>, <source>)`. */
const modulePid = (module: string, name: string) =>
  `(${str('module')}c${module}\n${name}\n${str('/x/model.py')}${str('class X: pass')}tQ`;
/** A legacy `torch.save` file: the head, the model pickle, and no storage keys (the empty list). */
const legacyFile = (model: string) => latin1(`${LEGACY_HEAD}\x80\x02${model}.\x80\x02].`);

const LOADER = 'torch/serialization.py _legacy_load persistent_load: typename "module" returns data[0], the class';

/**
 * Whole modules in the legacy torch.save format: the unpickler's persistent_load hands back the class the id names
 * (not a computed value), so NEWOBJ instantiates that class and REDUCE calls it: judged as that global.
 */
export const ROUND5_TORCH_CASES: readonly UnseenCase[] = [
  {
    name: 'legacy whole nn.Linear: persistent id class instantiated by NEWOBJ',
    loader: LOADER,
    files: { 'model.pt': legacyFile(`${modulePid('torch.nn.modules.linear', 'Linear')})\x81}b`) },
    want: ['CPI119:note'],
  },
  {
    name: 'legacy persistent id naming os.system, called by REDUCE',
    loader: LOADER,
    files: { 'model.pt': legacyFile(`${modulePid('os', 'system')}(${str('id')}tR`) },
    want: ['CPI001:error'],
  },
  {
    name: 'legacy persistent id naming a user class: unknown global, nothing computed',
    loader: LOADER,
    files: { 'model.pt': legacyFile(`${modulePid('mymodels.nets', 'Net')})\x81}b`) },
    want: ['CPI002:warning'],
  },
];
