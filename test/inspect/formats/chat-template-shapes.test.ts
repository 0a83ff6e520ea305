import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTemplateAst } from '../../../src/inspect/formats/chat-template-ast.js';
import { checkChatTemplate } from '../../../src/inspect/formats/chat-template.js';
import { FIXTURES, inspectFolder } from '../pickle/scan-folder.js';
import { gguf } from './build.js';

const DIR = path.join(FIXTURES, 'chat-templates');
const read = (kind: string, file: string) => readFileSync(path.join(DIR, kind, file), 'utf8');

/** Templates written here in the shapes of Llama 3.2, Qwen2.5, Qwen3, DeepSeek-R1, Hermes and Mistral ones. */
const BENIGN = readdirSync(path.join(DIR, 'benign')).sort();

/** Payloads with no `__` anywhere in their text; `want` is the syntax-tree indicator that must catch each. */
const MALICIOUS: readonly { file: string; want: string }[] = [
  { file: 'block-set.jinja', want: 'attribute name built at render time' },
  { file: 'computed-call.jinja', want: 'call through a computed attribute' },
  { file: 'dict-keyword-underscore.jinja', want: 'underscore keyword' },
  { file: 'dict-keyword-underscore.jinja', want: 'attribute name built at render time' },
  { file: 'format-field-lookup.jinja', want: 'format string built at render time' },
  { file: 'format-bound-method.jinja', want: 'format string built at render time' },
  { file: 'format-map-field-lookup.jinja', want: 'format string built at render time' },
  { file: 'format-method-by-filter.jinja', want: 'format method taken by a filter' },
  { file: 'generator-repr-char.jinja', want: 'attribute name built at render time' },
  { file: 'loop-over-built-keys.jinja', want: 'attribute name built at render time' },
  { file: 'macro-param-built.jinja', want: 'attribute name built at render time' },
  { file: 'map-attribute-built.jinja', want: 'attribute name built at render time' },
  { file: 'namespace-as-value.jinja', want: 'namespace used as a gadget' },
  { file: 'ns-attr-concat.jinja', want: 'attribute name built at render time' },
  { file: 'percent-c.jinja', want: 'character formatting' },
  { file: 'slice-of-literal.jinja', want: 'attribute name built at render time' },
];

const tmp = mkdtempSync(path.join(tmpdir(), 'cp-templates-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('chat templates in the shapes of real models', () => {
  it('has every shape the brief names', () => {
    expect(BENIGN).toEqual(
      expect.arrayContaining(['llama-3.2-tools.jinja', 'qwen2.5-tools.jinja', 'deepseek-r1.jinja']),
    );
  });

  it.each(BENIGN)('%s: no indicator, no finding', async (file) => {
    const template = read('benign', file);
    expect(checkTemplateAst(template)).toEqual([]);
    expect(checkChatTemplate(template)).toEqual([]);
    expect([...(await inspectFolder(writeCase(file, template))).values()].flat()).toEqual([]);
  });

  it.each(MALICIOUS)('$file: $want, CPI055 at error', async ({ file, want }) => {
    const template = read('malicious', file);
    expect(template).not.toContain('__'); // the held-out class: nothing for a token check to see
    expect((checkTemplateAst(template) ?? []).map((h) => h.indicator)).toContain(want);
    const by = await inspectFolder(writeCase(file, template));
    const findings = [...by.values()].flat();
    expect(findings.map((f) => f.ruleId)).toContain('CPI055');
    expect(findings.find((f) => f.ruleId === 'CPI055')?.level).toBe('error');
  });

  it('names chained past the fixpoint bound are reported, not passed', () => {
    // Ordered against the walk, each round of the fixpoint moves the built value one name further.
    const chain = Array.from({ length: 150 }, (_, i) => `{% set n${149 - i} = n${150 - i} %}`).join('');
    const template = `${chain}{% set n150 = '{:c}'.format(95) * 2 ~ 'class' %}{{ messages[n0] }}`;
    expect((checkTemplateAst(template) ?? []).map((h) => h.indicator)).toContain('template too complex to check');
    const short = `${chain.slice(0, chain.indexOf('{% set n139'))}{% set n150 = 'f' ~ 'y' %}{{ messages[n140] }}`;
    expect((checkTemplateAst(short) ?? []).map((h) => h.indicator)).toEqual(['attribute name built at render time']);
  });

  it('a name with hundreds of literal choices counts as built (bounded work)', () => {
    const choices = (n: number) =>
      Array.from({ length: n }, (_, i) => `{% set k = 'key${i}' if c else k %}`).join('') + '{{ m[k] }}';
    expect(checkTemplateAst(choices(10))).toEqual([]);
    expect((checkTemplateAst(choices(300)) ?? []).map((h) => h.indicator)).toEqual([
      'attribute name built at render time',
    ]);
  });

  // Debian's python3-jinja2 renders each payload in a plain Environment: it must really reach a Python internal.
  const python = '/usr/bin/python3';
  const canRender =
    existsSync(python) &&
    (() => {
      try {
        execFileSync(python, ['-c', 'import jinja2'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
  it.skipIf(!canRender)('every malicious fixture reaches a Python internal when real Jinja2 renders it', () => {
    const files = MALICIOUS.map((m) => path.join(DIR, 'malicious', m.file));
    const out = execFileSync(python, [path.join(import.meta.dirname, 'render-templates.py'), ...new Set(files)], {
      encoding: 'utf8',
    });
    const rendered = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; out?: string; error?: string });
    expect(rendered).toHaveLength(new Set(files).size);
    for (const r of rendered)
      expect({
        file: path.basename(r.file),
        reached: /<class '|<function |<method-wrapper|dict_keys\(|'__builtins__'/.test(r.out ?? ''),
      }).toEqual({
        file: path.basename(r.file),
        reached: true,
      });
  });

  it('a namespace attribute named like a process call is only a store (`ns.system = …`)', () => {
    const template =
      "{% set ns = namespace(system='', read=false) %}{% set ns.system = 'x' %}{% set ns.read = true %}{{ ns.system }}";
    expect(checkChatTemplate(template)).toEqual([]);
    expect(checkChatTemplate("{{ ns.system('id') }}").map((h) => h.indicator)).toContain('call of .system');
    expect(checkChatTemplate('{{ x.os.popen }}').map((h) => h.indicator)).toContain('reference to os');
  });

  it('a literal format string with an attribute field is an attribute lookup (str.format does getattr)', () => {
    expect((checkTemplateAst("{{ '{0.mro}'.format(messages) }}") ?? []).map((h) => h.indicator)).toEqual([
      'attribute lookup in a format string',
    ]);
    expect(checkTemplateAst("{{ '{0} and {1:>4}'.format(a, b) }}")).toEqual([]);
    expect((checkTemplateAst("{{ '{m.mro}'.format_map({'m': messages}) }}") ?? []).map((h) => h.indicator)).toEqual([
      'attribute lookup in a format string',
    ]);
    expect(checkTemplateAst("{{ '{name}: {text}'.format_map(message) }}")).toEqual([]);
    // A literal kept in a variable is still that literal; `map('format', …)` is Jinja's %-style filter, not the method.
    expect((checkTemplateAst("{% set f = '{0.mro}' %}{{ f.format(messages) }}") ?? []).map((h) => h.indicator)).toEqual(
      ['attribute lookup in a format string'],
    );
    expect(checkTemplateAst("{% set f = '{0}: {1}' %}{{ f.format(a, b) }}{{ xs|map('format', 1)|join }}")).toEqual([]);
  });
});

/** The template as a GGUF's `tokenizer.chat_template`, inspected as a scan would (CPI055 is the GGUF rule). */
function writeCase(name: string, template: string): string {
  const dir = mkdtempSync(path.join(tmp, 'case-'));
  const kv: Parameters<typeof gguf>[0]['kv'] = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['tokenizer.chat_template', { type: 'string', value: template }],
  ];
  writeFileSync(path.join(dir, `${name}.gguf`), gguf({ kv }));
  return dir;
}
