import { describe, expect, it } from 'vitest';
import { toPython3 } from '../../../src/inspect/pickle/compat.js';
import { ByteSource } from '../../../src/inspect/pickle/source.js';
import { toFindings } from '../../../src/inspect/pickle/verdict.js';
import { runPickle } from '../../../src/inspect/pickle/vm.js';

const P = (s: string) => Buffer.from(s, 'latin1');
/** Protocol 2 (what `_compat_pickle` applies to): GLOBAL `mod name`, called with no arguments. */
const call = (mod: string, name: string) => P(`\x80\x02c${mod}\n${name}\n)R.`);

function findings(data: Buffer): { ruleId: string; message: string }[] {
  const run = runPickle(ByteSource.fromBuffer(data));
  return toFindings([run], { location: { path: 'x.pkl' }, allow: {}, what: 'pickle' });
}

describe("Python 2 names, renamed as CPython's find_class renames them (_compat_pickle)", () => {
  it.each([
    // NAME_MAPPING, by the pickled module and name, before IMPORT_MAPPING
    ['urllib', 'urlretrieve', 'urllib.request', 'urlretrieve'],
    ['urllib', 'urlopen', 'urllib.request', 'urlopen'],
    ['urllib', 'quote', 'urllib.parse', 'quote'],
    ['_socket', 'fromfd', 'socket', 'fromfd'],
    ['multiprocessing.forking', 'Popen', 'multiprocessing.popen_fork', 'Popen'],
    ['__builtin__', 'reduce', 'functools', 'reduce'],
    ['exceptions', 'StandardError', 'builtins', 'Exception'],
    ['UserDict', 'IterableUserDict', 'collections', 'UserDict'],
    // IMPORT_MAPPING
    ['__builtin__', 'eval', 'builtins', 'eval'],
    ['_winreg', 'SetValue', 'winreg', 'SetValue'],
    ['SimpleXMLRPCServer', 'SimpleXMLRPCServer', 'xmlrpc.server', 'SimpleXMLRPCServer'],
    ['test.test_support', 'run_unittest', 'test.support', 'run_unittest'],
    // Not in either table: imported under its own name (Python 3 has no such module or name; the load fails)
    ['exceptions', 'eval', 'exceptions', 'eval'],
    ['__builtin__', 'execfile', 'builtins', 'execfile'],
    ['builtins', 'reduce', 'builtins', 'reduce'],
  ])('%s.%s is %s.%s', (module, name, wantModule, wantName) => {
    expect(toPython3(module, name)).toEqual({ module: wantModule, name: wantName });
  });

  it.each([
    ['urllib', 'urlretrieve', 'urllib'],
    ['_winreg', 'SetValue', 'winreg'],
    ['_winapi', 'CreateProcess', '_winapi'],
    ['SimpleXMLRPCServer', 'SimpleXMLRPCServer', 'xmlrpc'],
    ['_socket', 'fromfd', 'socket'],
  ])('a protocol 2 call of %s.%s is judged as what it loads as (%s)', (module, name, why) => {
    const got = findings(call(module, name));
    expect(got.map((f) => f.ruleId)).toEqual(['CPI001']);
    expect(got[0]!.message).toContain(`(${why}`);
  });
});
