import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, inspectFolder } from './scan-folder.js';

const root = mkdtempSync(path.join(tmpdir(), 'cp-serializers-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const P = (s: string) => Buffer.from(s, 'latin1');
/** SHORT_BINUNICODE of an ASCII string. */
const u = (s: string) => `\x8c${String.fromCharCode(s.length)}${s}`;

/** Each CPI001 of one file, as `global` (the one it names) and `[serializer]` when it stands for a library. */
async function dangerousIn(dir: string, name: string): Promise<string[]> {
  const found = (await inspectFolder(dir)).get(name) ?? [];
  return found
    .filter((f) => f.ruleId === 'CPI001')
    .map((f) => {
      const serializer = f.evidence?.['serializer'];
      return `${String(f.evidence?.['global'])}${serializer === undefined ? '' : ` [${String(serializer)}]`}`;
    })
    .sort();
}

async function dangerousOf(name: string, data: Buffer): Promise<string[]> {
  const dir = mkdtempSync(path.join(root, 'case-'));
  writeFileSync(path.join(dir, name), data);
  return dangerousIn(dir, name);
}

async function fixture(name: string): Promise<string[]> {
  const dir = mkdtempSync(path.join(root, 'fx-'));
  copyFileSync(path.join(FIXTURES, 'loader-cases', name), path.join(dir, name));
  return dangerousIn(dir, name);
}

describe('a class written by value by cloudpickle or dill: one CPI001 for the library, another for anything else', () => {
  it.each([
    // cloudpickle 2.2.0 `_dynamic_class_reduce`: _make_skeleton_class(type, …), _class_setstate, _make_function ×2,
    // _function_setstate ×2 and _builtin_type('CodeType'): six globals, one cause.
    { file: 'cloudpickle_class.pkl', want: ['cloudpickle.cloudpickle._make_function [cloudpickle]'] },
    {
      file: 'cloudpickle_class_system.pkl',
      want: ['cloudpickle.cloudpickle._make_function [cloudpickle]', 'posix.system'],
    },
    // dill 0.3.6 `save_type` / `save_function`: _create_type, _create_function, _create_code, _load_type and the
    // function globals' `builtins.__dict__`.
    { file: 'dill_class.dill', want: ['dill._dill._create_function [dill]'] },
    // An enum mixed with str: its class dict keeps getattr(str, '__new__'), getattr(str, '__repr__') and
    // enum.Enum.__new__/__str__/__repr__/__format__ by reference, all arguments of _make_skeleton_enum.
    { file: 'cloudpickle_enum.pkl', want: ['cloudpickle.cloudpickle._make_skeleton_enum [cloudpickle]'] },
    { file: 'dill_class_system.dill', want: ['dill._dill._create_function [dill]', 'posix.system'] },
  ])('$file', async ({ file, want }) => {
    expect(await fixture(file)).toEqual(want);
  });

  it('the one finding names the other globals of the library it stands for', async () => {
    const dir = mkdtempSync(path.join(root, 'fx-'));
    copyFileSync(path.join(FIXTURES, 'loader-cases', 'cloudpickle_class.pkl'), path.join(dir, 'c.pkl'));
    const [found] = (await inspectFolder(dir)).get('c.pkl') ?? [];
    expect(found?.evidence?.['globals']).toContain('cloudpickle.cloudpickle._make_skeleton_class');
    expect(found?.evidence?.['globals']).toContain('builtins.type');
    expect(found?.message).toContain('with 5 more of its globals');
  });

  it('a callable handed to _make_skeleton_class as the metaclass keeps its own CPI001 (types.new_class calls it)', async () => {
    // cloudpickle `_make_skeleton_class(type_constructor, name, bases, …)` is types.new_class(…, {'metaclass':
    // type_constructor}): builtins.exec there runs the class name as code.
    const skeleton = (meta: string) =>
      P(`\x80\x02ccloudpickle.cloudpickle\n_make_skeleton_class\n(c${meta}\n${u('print(1)')})}${u('t')}NtR.`);
    expect(await dangerousOf('exec.pkl', skeleton('builtins\nexec'))).toEqual([
      'builtins.exec',
      'cloudpickle.cloudpickle._make_skeleton_class [cloudpickle]',
    ]);
    expect(await dangerousOf('type.pkl', skeleton('builtins\ntype'))).toEqual([
      'cloudpickle.cloudpickle._make_skeleton_class [cloudpickle]',
    ]);
  });

  it('builtins.type called by the stream itself (three arguments build a class) is not folded into cloudpickle', async () => {
    const data = P(`\x80\x02ccloudpickle.cloudpickle\nsubimport\n${u('os')}\x85R0cbuiltins\ntype\n${u('X')})}\x87R.`);
    expect(await dangerousOf('called-type.pkl', data)).toEqual([
      'builtins.type',
      'cloudpickle.cloudpickle.subimport [cloudpickle]',
    ]);
  });

  it('getattr fetching anything but a data type method keeps its own CPI001 beside cloudpickle', async () => {
    // getattr(str, '__getattribute__') hands out an attribute walker; getattr(str, '__new__') is what enums keep.
    const fetch = (attr: string) =>
      P(`\x80\x02ccloudpickle.cloudpickle\n_make_skeleton_enum\n0cbuiltins\ngetattr\ncbuiltins\nstr\n${u(attr)}\x86R.`);
    expect(await dangerousOf('walk.pkl', fetch('__getattribute__'))).toEqual([
      'builtins.getattr',
      'cloudpickle.cloudpickle._make_skeleton_enum [cloudpickle]',
    ]);
    expect(await dangerousOf('new.pkl', fetch('__new__'))).toEqual([
      'cloudpickle.cloudpickle._make_skeleton_enum [cloudpickle]',
    ]);
  });

  it("cloudpickle's public loads stays a finding of its own: it reads another pickle", async () => {
    const data = P(`\x80\x02ccloudpickle\nloads\nccloudpickle.cloudpickle\n_builtin_type\n${u('CodeType')}\x85R0.`);
    expect(await dangerousOf('loads.pkl', data)).toEqual([
      'cloudpickle.cloudpickle._builtin_type [cloudpickle]',
      'cloudpickle.loads',
    ]);
  });
});

describe("the libraries' other helpers are gadgets of their own, not their serialized code", () => {
  it.each([
    // dill/_dill.py `_import_module(name)` is `__import__(name)`, `_get_attr(obj, name)` is `getattr(obj, name)`.
    {
      name: 'import-getattr.pkl',
      data: `\x80\x02cdill._dill\n_get_attr\ncdill._dill\n_import_module\n${u('os')}\x85R${u('system')}\x86R${u('id')}\x85R.`,
      want: ['dill._dill._get_attr', 'dill._dill._import_module'],
    },
    // dill/_dill.py `_eval_repr(repr_str)` is `eval(repr_str)`: with any string but dill's own, a gadget.
    {
      name: 'eval.pkl',
      data: `\x80\x02cdill._dill\n_eval_repr\n${u("__import__('os').system('id')")}\x85R.`,
      want: ['dill._dill._eval_repr'],
    },
    // Old cloudpickle `_getobject(modname, attribute)`: `__import__(modname, fromlist=[attribute]).__dict__[attribute]`,
    // judged as the import it makes too, so the finding names `os.system`.
    {
      name: 'getobject.pkl',
      data: `\x80\x02ccloudpickle.cloudpickle\n_getobject\n${u('os')}${u('system')}\x86R${u('id')}\x85R.`,
      want: ['cloudpickle.cloudpickle._getobject', 'os.system'],
    },
  ])('$name: one CPI001 per gadget, none for the library', async ({ name, data, want }) => {
    expect(await dangerousOf(name, P(data))).toEqual(want);
  });
});
