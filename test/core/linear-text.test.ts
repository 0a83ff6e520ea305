import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  afterTail,
  bindingParameter,
  cutTail,
  cutTailAny,
  trimEndRun,
  trimRun,
  withoutQuoted,
  cutLastSegmentFrom,
  cutComment,
  settingLineValue,
} from '../../src/core/linear-text.js';
import { redactUrls } from '../../src/deps/checks/finding.js';
import { redactUserinfo } from '../../src/core/redact-userinfo.js';
import { choosingVariables, variablesOf } from '../../src/deps/parsers/python/env-vars.js';
import { asToolIndex, keyValue } from '../../src/deps/parsers/python/config-indexes.js';
import { withoutExtras } from '../../src/deps/parsers/python/requirements.js';
import { withoutComment } from '../../src/deps/parsers/python/requirements-lines.js';
import { unlocked } from '../../src/app/review/workflow-installs.js';
import { isGitHubShorthand } from '../../src/deps/source.js';
import { expandYarnEnv } from '../../src/deps/yarnrc.js';
import { isTorchScriptCode } from '../../src/inspect/content/content.js';
import { braceGroups, hasCharFormat } from '../../src/inspect/formats/chat-template-ast.js';
import { hasEnvFallback, hasParameterDefault } from '../../src/refs/javascript-fast.js';
import { makeAssignment } from '../../src/core/make-assignment.js';
import { bindingOffsets } from '../../src/refs/syntax.js';
import { mentionsShellDownload } from '../../src/refs/prefilter.js';
import { stripLinks } from '../../src/report/sarif.js';
import { editDistance } from '../../src/trust/policy/suggest.js';
import { withinEditDistance } from '../../src/core/lookalike.js';
import { DECORATOR_CALL } from '../../src/refs/python.js';
import { virtualParts } from '../../src/app/review/pnp-runtime.js';

/**
 * Regular expressions that backtracked quadratically (or worse) on hostile input were replaced by hand-written
 * scans (src/core/linear-text.ts and the functions below). Each scan must answer exactly as the expression it
 * replaces, on text made of the pieces that expression cares about — and finish at once on the input that made the
 * expression take seconds (recheck found each; a test that hangs fails by its timeout).
 */
const textOf = (pieces: readonly string[], maxLength = 24) =>
  fc.array(fc.constantFrom(...pieces), { maxLength }).map((a) => a.join(''));
const RUNS = { numRuns: 3000 };
/** A string the expressions took seconds over: `unit` repeated to about 200,000 characters, then `tail`. */
const hostile = (unit: string, tail = '') => unit.repeat(Math.ceil(200_000 / unit.length)) + tail;

describe('one-pass string surgery holds to the expression it replaces', () => {
  const cases: readonly [
    name: string,
    pieces: readonly string[],
    scan: (s: string) => unknown,
    expression: (s: string) => unknown,
    attack: string,
  ][] = [
    [
      'trimEndRun /',
      ['/', 'a', '\0', '\n'],
      (s) => trimEndRun(s, '/'),
      (s) => s.replace(/\/+$/, ''),
      hostile('/', '\0/'),
    ],
    [
      'trimEndRun \\0',
      ['\0', 'a', '/'],
      (s) => trimEndRun(s, '\0'),
      (s) => s.replace(/\0+$/, ''),
      hostile('\0', 'x\0'),
    ],
    ['trimRun \\', ['\\', 'a', ' '], (s) => trimRun(s, '\\'), (s) => s.replace(/^\\+|\\+$/g, ''), hostile('\\', 'x\\')],
    [
      'cutTailAny #?',
      ['#', '?', 'a', '\n', '\r', '\u2028'],
      (s) => cutTailAny(s, '#?'),
      (s) => s.replace(/[#?].*$/, ''),
      hostile('#', '\n#'),
    ],
    [
      'cutTail ::',
      [':', '::', 'a', '\n'],
      (s) => cutTail(s, '::'),
      (s) => s.replace(/::.*$/, ''),
      hostile('::', '\n::'),
    ],
    [
      'afterTail @workspace:',
      ['@workspace:', '@', 'a', '\n'],
      (s) => afterTail(s, '@workspace:'),
      (s) => /@workspace:(.*)$/.exec(s)?.[1],
      hostile('@workspace:', '\n@workspace:'),
    ],
    [
      'bindingParameter locator',
      ['::', '&', 'locator=', 'x', ',', '"', '\n', ':'],
      (s) => bindingParameter(s, 'locator', '&,"'),
      (s) => /::(?:.*&)?locator=([^&,"]+)/.exec(s)?.[1],
      hostile('&::&', '&::locator=U'),
    ],
    [
      'redactUrls',
      ['?', '&', '=', '#', ' ', '\n', 'token', 'KEY', 'a', 'sig', 'Auth', '=='],
      redactUrls,
      (s) => {
        const out = redactUserinfo(s);
        return out.includes('?') || out.includes('&')
          ? out.replace(/([?&][^=&#\s]*(?:token|auth|key|secret|password|sig|credential)[^=&#\s]*=)[^&#\s]+/gi, '$1***')
          : out;
      },
      hostile('?', 'token'),
    ],
    [
      'variablesOf expandvars',
      ['$', '{', '}', 'a', '_', '-', ' '],
      (s) => variablesOf(s, 'expandvars').map((v) => `${v.index}:${v.name}`),
      (s) => [...s.matchAll(/\$(\w+|\{[^}]*\})/g)].map((m) => `${m.index}:${m[1]!.replace(/^\{|\}$/g, '')}`),
      hostile('0${', '0'),
    ],
    [
      'variablesOf pip',
      ['$', '{', '}', 'A', '_', 'a', '1'],
      (s) => variablesOf(s, 'pip').map((v) => `${v.index}:${v.name}`),
      (s) => [...s.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => `${m.index}:${m[1]}`),
      hostile('${A', ''),
    ],
    [
      'keyValue',
      ['a', '=', ':', ' ', '\t', '\r', 'b'],
      (s) => {
        const m = keyValue(s);
        return m && [m.key.trim(), m.value];
      },
      (s) => {
        const m = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(s);
        return m ? [m[1]!.trim(), m[2]] : undefined;
      },
      `\t${'\t'.repeat(3000)}:${'\t'.repeat(3000)}\0\n`,
    ],
    [
      'asToolIndex',
      ['[[', ']]', 'index', ' ', '\n', '\r', 'x', '['],
      asToolIndex,
      (s) => s.replace(/^(\s*)\[\[\s*index\s*\]\]/gm, '$1[[tool.uv.index]]'),
      hostile('\n\t', '\n]]\n[[index]]'),
    ],
    [
      'withoutExtras',
      ['[', ']', 'a', '\n'],
      withoutExtras,
      (s) => s.replace(/\[[^\]]+\]$/, ''),
      hostile('[\0', '][[]'),
    ],
    [
      'requirement line comment and strip',
      ['#', ' ', '\t', 'x', '\x1c', '\x85', '\u00a0', 'a'],
      withoutComment,
      (s) => {
        const ws = '\\s\\x1c-\\x1f\\x85';
        return s.replace(new RegExp(`(^|[${ws}]+)#.*$`), '').replace(new RegExp(`^[${ws}]+|[${ws}]+$`, 'g'), '');
      },
      `pkg${' '.repeat(200_000)}x`,
    ],
    [
      'workflow install without its lockfile',
      [
        'pnpm',
        'yarn',
        ' ',
        'install',
        'i',
        '--no-frozen-lockfile',
        '--no-immutable',
        'x',
        'npm',
        '-g',
        'bun',
        '--frozen-lockfile',
      ],
      unlocked,
      (cmd) =>
        [
          { re: /\bnpm\s+(install|i|isntall|add|update|up)\b/, unless: /\s(-g|--global|--package-lock-only)\b/ },
          { re: /\bpnpm\s+(install|i)\b.*--no-frozen-lockfile/ },
          { re: /\byarn(\s+install)?\b.*--(no-immutable|no-frozen-lockfile)/ },
          { re: /\bbun\s+(install|i)\b/, unless: /--frozen-lockfile|--production\b.*--frozen-lockfile/ },
          { re: /\buv\s+sync\b/, unless: /--(locked|frozen)\b/ },
          {
            re: /\b(pip3?|-m\s+pip|uv\s+pip)\s+install\b/,
            unless:
              /\s(-r|--requirement|-c|--constraint)[\s=]|--require-hashes|--upgrade\s+(pip|setuptools|wheel)(\s|$)|-U\s+(pip|setuptools|wheel)(\s|$)/,
          },
        ].some((u: { re: RegExp; unless?: RegExp }) => u.re.test(cmd) && !(u.unless?.test(cmd) ?? false)),
      hostile('pnpm i ', 'x'),
    ],
    [
      'isGitHubShorthand',
      ['a', '/', '#', ' ', '\n', '@', ':'],
      isGitHubShorthand,
      (s) => /^[^@/\s:]+\/[^/\s]+(#.*)?$/.test(s),
      `\0/:${'#'.repeat(200_000)}\n`,
    ],
    [
      'expandYarnEnv',
      ['${', '}', 'A', 'B', ':', '-', 'x', '$'],
      (s) => {
        const missing: string[] = [];
        return [expandYarnEnv(s, { A: 'va', B: '' }, missing), missing.join(',')];
      },
      (s) => {
        const missing: string[] = [];
        const out = s.replace(/\$\{([\w]+)(:)?-?([^}]+)?\}/g, (orig, name: string, colon?: string, fb?: string) => {
          const v = ({ A: 'va', B: '' } as Record<string, string | undefined>)[name];
          if (v !== undefined && v !== '') return v;
          if (v !== undefined && colon === undefined) return v;
          if (fb === undefined) missing.push(name);
          return fb ?? orig;
        });
        return [out, missing.join(',')];
      },
      hostile('${0'),
    ],
    [
      'isTorchScriptCode',
      ['code/', 'CoDe/', '/', '.py', '.pY', 'x', '\n'],
      isTorchScriptCode,
      (s) => /(^|\/)code\/.*\.py$/i.test(s),
      hostile('/code/', '\n'),
    ],
    [
      'hasCharFormat',
      ['%', '(', ')', '-', '0', '5', '.', 'c', '{', '}', ':', '#'],
      hasCharFormat,
      (s) => /%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?c|\{[^{}]*:[^{}]*c\}/.test(s),
      hostile('.0c%('),
    ],
    [
      'braceGroups attribute',
      ['{', '}', '.', '[', 'a'],
      (s) => braceGroups(s, (c) => c.includes('.') || c.includes('[')),
      (s) => /\{[^{}]*[.[][^{}]*\}/.test(s),
      `{${'.'.repeat(200_000)}`,
    ],
    [
      'hasEnvFallback',
      ['process', '.env', '?.env', ' ', ';', '??', '||', '|', 'x'],
      hasEnvFallback,
      (s) => /process\s*(?:\?\.|\.)\s*env\b[^;]*?(?:\?\?|\|\|)/.test(s),
      hostile('process.env|', ';process.env||'),
    ],
    [
      'redactUserinfo, empty userinfo too (the registry redactor)',
      ['://', 'a', 'b', '1', '+', '.', '@', '/', ' ', '-', 'x'],
      (s) => redactUserinfo(s, { emptyToo: true }),
      (s) => s.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi, '$1***@'),
      hostile('A+', '\0A://@'),
    ],
    [
      'stripLinks',
      ['[', ']', '(', ')', 'a'],
      stripLinks,
      (s) => s.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'),
      hostile('['),
    ],
    [
      'mentionsShellDownload from',
      ['from', ' ', '\t', '\n', '\r', 'x', 'FROM'],
      mentionsShellDownload,
      (s) =>
        /huggingface-cli|\bhf\s+download|huggingface\.co|hf\.co|ollama|vllm|text-generation-|LLAMA_ARG_HF_REPO|[\s"']--?hf|HF_ENDPOINT|HF_HUB_OFFLINE|TRANSFORMERS_OFFLINE/.test(
          s,
        ) || /^\s*from\s/im.test(s),
      hostile('\n', '\tM\nFROM\n'),
    ],
    [
      'withoutQuoted (shell words)',
      ["'", '"', '\\', 'a', ' ', '\n', '\r', '\u2028'],
      withoutQuoted,
      (s) => s.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, ''),
      `a${hostile('\\"')}`,
    ],
    [
      'makeAssignment (Makefile variables)',
      ['export', 'override', ' ', '\t', '\r', '\u2028', '\ufeff', '#', '=', ':', '?', 'X', 'a_1', '$', 'x y', '::='],
      makeAssignment,
      (s) => {
        const m = /^(?:(?:override|export)\s+)?([A-Za-z_]\w*)\s*(\?=|:{0,3}=)\s*([^#]*?)\s*(?:#.*)?$/.exec(s);
        return m ? { name: m[1], op: m[2], value: m[3] } : undefined;
      },
      `p=${hostile('\t', '#\rx')}`,
    ],
    [
      'hasParameterDefault (JavaScript)',
      ['(', ')', ',', '{', ' ', '\t', '\n', ';', '\\', '\\(', '//', '*', ':', '=', 'a', 'null', "'x'", '<T>', '|'],
      hasParameterDefault,
      (text) => {
        const DEFAULTED =
          /[(,{][ \t\r\n]*[A-Za-z_$][\w$]*[ \t]*(?::[ \t]*[\w$.<>[\]| '"]*)?=(?![=>])[ \t]*(?!(?:null|undefined|true|false|this|new|function|async|void|typeof)\b)['"`A-Za-z_$]/g;
        for (const m of text.matchAll(DEFAULTED)) {
          const lineStart = text.lastIndexOf('\n', m.index - 1) + 1;
          if (/^[ \t]*(?:\/\/|\/\*|\*)/.test(text.slice(lineStart, m.index + 1))) continue;
          const start = Math.max(lineStart, text.lastIndexOf(';', m.index - 1) + 1);
          const line = text.slice(start, m.index + 1).replace(/\\[()]/g, '');
          let open = 0;
          for (const c of line) open += c === '(' ? 1 : c === ')' ? -1 : 0;
          if (open > 0) return true;
        }
        return false;
      },
      `(c:${hostile(' ', 'x')}${')'.repeat(100_000)}${hostile(",a='x'")}`,
    ],
    [
      'cutLastSegmentFrom @ / (a VCS URL`s revision)',
      ['@', '/', 'a', '\n', '\r'],
      (s) => cutLastSegmentFrom(s, '@', '/'),
      (s) => s.replace(/@[^/]*$/, ''),
      hostile('@', '/@'),
    ],
    [
      'bindingOffsets (Python, mayBindInClassBody)',
      ['\t', ' ', 'attr', 'x', ':', '=', '==', '\n', '\r', '\u2028', 'attrs'],
      (s) => [...bindingOffsets(s, 'attr')],
      (s) => [...s.matchAll(/^([ \t]+)attr[ \t]*(?::[^=\n]*)?=(?!=)/gm)].map((m) => m.index + m[1]!.length),
      hostile('\tattr:\r', '\n'),
    ],
    [
      'cutComment (a requirements or workflow line`s comment)',
      ['#', ' ', '\t', 'a', '\n', '\r', '\u2028', '\u00a0', '\x85'],
      cutComment,
      (s) => s.replace(/(^|\s)#.*$/, ''),
      hostile('#\t', '\n#'),
    ],
    [
      'settingLineValue: .yarnrc yarn-path',
      ['yarn-path', '"', ' ', '\t', 'x', '#', '\n', '\r', '\u2028', '\r\n'],
      (s) => settingLineValue(s, /[ \t]*"?yarn-path"?/y, 1, '"', '"\r\n'),
      (s) => /^[ \t]*"?yarn-path"?[ \t]+"?([^"\r\n]+?)"?[ \t]*$/m.exec(s)?.[1],
      `yarn-path\t${hostile('\t', 'x')}${hostile('\t', '"x')}`,
    ],
    [
      'settingLineValue: .npmrc pnpmfile',
      ['pnpmfile', '=', '"', "'", ' ', '\t', 'x', '#', ';', '\n', '\r', '\u2029'],
      (s) => settingLineValue(s, /[ \t]*pnpmfile[ \t]*=/y, 0, `"'`, `"'\r\n#;`),
      (s) => /^[ \t]*pnpmfile[ \t]*=[ \t]*["']?([^"'\r\n#;]+?)["']?[ \t]*$/m.exec(s)?.[1],
      `pnpmfile=${hostile('\t', 'f')}${hostile('\t', '"p')}`,
    ],
    [
      'settingLineValue: pnpm-workspace.yaml pnpmfile',
      ['pnpmfile:', '"', "'", ' ', '\t', 'x', '#', '\n', '\r', '\u2028'],
      (s) => settingLineValue(s, /pnpmfile:/y, 0, `"'`, `"'\r\n#`),
      (s) => /^pnpmfile:[ \t]*["']?([^"'\r\n#]+?)["']?[ \t]*$/m.exec(s)?.[1],
      `pnpmfile:${hostile('\t', 'f')}${hostile('\t', '"n')}`,
    ],
    [
      'virtualParts (a Plug`n`Play location through __virtual__)',
      ['__virtual__/', '__virtual__/a/1/', '__virtual__/\n/', '/', 'a', '0', '12', '\n', '\u2028', 'x/'],
      virtualParts,
      (p) => /^(.*?)(?:^|\/)__virtual__\/[^/]+\/(\d+)\/(.*)$/.exec(p)?.slice(1),
      `u${hostile('/__virtual__/i/0/', '/__virtual__/\n/0/')}`,
    ],
  ];

  it.each(cases)('%s', (_name, pieces, scan, expression, attack) => {
    fc.assert(
      fc.property(textOf(pieces), (s) => {
        expect(scan(s)).toEqual(expression(s));
      }),
      RUNS,
    );
    // The input that took the expression seconds: the scan answers at once.
    scan(attack);
  });

  it('withinEditDistance answers as the whole table of editDistance', () => {
    const word = textOf(['a', 'b', 'c', 'ab', 'ba', '@', '/', '-'], 10);
    fc.assert(
      fc.property(word, word, fc.integer({ min: 0, max: 3 }), (a, b, k) => {
        expect(withinEditDistance(a, b, k)).toBe(editDistance(a, b) <= k);
      }),
      { numRuns: 20_000 },
    );
    // 100 KB names one and two swaps apart: the band is a few hundred thousand cells, the table 10^10.
    const long = hostile('abcde').slice(0, 100_000);
    const swap = (s: string, at: number) => s.slice(0, at) + s[at + 1]! + s[at]! + s.slice(at + 2);
    expect(withinEditDistance(long, swap(long, 500), 1)).toBe(true);
    expect(withinEditDistance(long, swap(swap(long, 500), 90_000), 1)).toBe(false);
    expect(withinEditDistance(long, swap(swap(long, 500), 90_000), 2)).toBe(true);
  });

  it('DECORATOR_CALL matches as the expression with `\\s*` on both sides of the arguments', () => {
    const before = /^@\s*([\w.]+)\s*(?:\(([^()]*)\))?\s*$/;
    fc.assert(
      fc.property(textOf(['@', ' ', '\t', '\n', 'a', '.', '(', ')', 'x=1', '\\', '\u2028']), (s) => {
        expect(DECORATOR_CALL.exec(s)?.slice(1)).toEqual(before.exec(s)?.slice(1));
      }),
      RUNS,
    );
    expect(DECORATOR_CALL.exec(`@lru_cache${hostile(' ', '\\\n()')}`)).toBeNull();
  });

  it('choosingVariables finds the same names as with the expressions', () => {
    fc.assert(
      fc.property(textOf(['$', '{', '}', 'A', 'https://', '@', '/', ' ', 'h', '?'], 16), (s) => {
        for (const syntax of ['pip', 'expandvars'] as const) expect(() => choosingVariables(s, syntax)).not.toThrow();
      }),
      RUNS,
    );
    expect(choosingVariables('https://${USER}:${TOKEN}@pypi.example/simple ${INDEX}')).toEqual(['INDEX']);
    expect(choosingVariables(hostile('A'.repeat(10) + '://'), 'expandvars')).toEqual([]);
  });
});

describe('a Python line of Unicode spaces between dots', () => {
  it('is read at once by the statement selection (its alias test backtracked exponentially)', async () => {
    const { keptStatements } = await import('../../src/refs/python-snippet.js');
    // U+1680 is white space to JavaScript and an identifier character to lezer: 200 characters took hours.
    const line = `model = AutoModel ${'. \u1680\t\u1680\t'.repeat(40)}.`;
    const text = `from transformers import AutoModel\n${line}\nAutoModel.from_pretrained(model)\n`;
    expect(keptStatements(text)).toBeDefined();
  });
});
