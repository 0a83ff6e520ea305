/**
 * Python 2 names CPython's unpickler renames (`_compat_pickle`, applied for protocols < 3). Verdicts use the
 * Python 3 name so `__builtin__.eval` and `builtins.eval` are the same finding.
 */
const MODULES: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  exceptions: 'builtins',
  cPickle: 'pickle',
  commands: 'subprocess',
  httplib: 'http.client',
  urllib2: 'urllib.request',
  urlparse: 'urllib.parse',
  Queue: 'queue',
  SocketServer: 'socketserver',
  StringIO: 'io',
  cStringIO: 'io',
  thread: '_thread',
  dummy_thread: '_dummy_thread',
  UserDict: 'collections',
  UserList: 'collections',
  UserString: 'collections',
  repr: 'reprlib',
  xmlrpclib: 'xmlrpc.client',
  ConfigParser: 'configparser',
  cookielib: 'http.cookiejar',
  BaseHTTPServer: 'http.server',
  SimpleHTTPServer: 'http.server',
  CGIHTTPServer: 'http.server',
  Tkinter: 'tkinter',
  dbm: 'dbm.ndbm',
  anydbm: 'dbm',
  whichdb: 'dbm',
  gdbm: 'dbm.gnu',
  dumbdbm: 'dbm.dumb',
  markupbase: '_markupbase',
  htmlentitydefs: 'html.entities',
  HTMLParser: 'html.parser',
  robotparser: 'urllib.robotparser',
};

const NAMES: Readonly<Record<string, readonly [string, string]>> = {
  'builtins.xrange': ['builtins', 'range'],
  'builtins.unicode': ['builtins', 'str'],
  'builtins.long': ['builtins', 'int'],
  'builtins.basestring': ['builtins', 'str'],
  'builtins.unichr': ['builtins', 'chr'],
  'builtins.raw_input': ['builtins', 'input'],
  'builtins.reduce': ['functools', 'reduce'],
  'builtins.intern': ['sys', 'intern'],
  'builtins.execfile': ['builtins', 'exec'],
  'itertools.izip': ['builtins', 'zip'],
  'itertools.imap': ['builtins', 'map'],
  'itertools.ifilter': ['builtins', 'filter'],
  'subprocess.getoutput': ['subprocess', 'getoutput'],
};

/** The Python 3 module and name a pickled global resolves to. */
export function toPython3(module: string, name: string): { module: string; name: string } {
  const m = MODULES[module] ?? module;
  const renamed = NAMES[`${m}.${name}`];
  return renamed ? { module: renamed[0], name: renamed[1] } : { module: m, name };
}
