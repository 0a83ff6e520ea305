import { describe, expect, it } from 'vitest';
import { checkTemplateAst } from '../../../src/inspect/formats/chat-template-ast.js';
import { checkChatTemplate, templateHitsMessage } from '../../../src/inspect/formats/chat-template.js';

/** Written here in the shapes of public models' templates (Phi-3, Qwen2 tool calling, ChatML, Llama 3). */
const BENIGN: readonly { name: string; template: string }[] = [
  {
    name: 'phi-3',
    template:
      "{% for message in messages %}{% if message['role'] == 'system' %}{{'<|system|>\\n' + message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'user' %}{{'<|user|>\\n' + message['content'] + '<|end|>\\n'}}{% elif message['role'] == 'assistant' %}{{'<|assistant|>\\n' + message['content'] + '<|end|>\\n'}}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% else %}{{ eos_token }}{% endif %}",
  },
  {
    name: 'qwen2 tool calling',
    template:
      "{%- if tools %}{{- '<|im_start|>system\\n' }}{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] }}{%- endif %}{{- '\\n\\n# Tools\\n\\n<tools>' }}{%- for tool in tools %}{{- '\\n' }}{{- tool | tojson }}{%- endfor %}{{- '\\n</tools><|im_end|>\\n' }}{%- endif %}{%- for message in messages %}{%- if message.role == 'assistant' and message.tool_calls is defined %}{{- '<|im_start|>' + message.role }}{%- for tool_call in message.tool_calls %}{%- if tool_call.function is defined %}{%- set tool_call = tool_call.function %}{%- endif %}{{- '\\n<tool_call>\\n{\"name\": \"' }}{{- tool_call.name }}{{- '\", \"arguments\": ' }}{{- tool_call.arguments | tojson }}{{- '}\\n</tool_call>' }}{%- endfor %}{{- '<|im_end|>\\n' }}{%- elif message.role == 'tool' %}{%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != 'tool') %}{{- '<|im_start|>user' }}{%- endif %}{{- '\\n<tool_response>\\n' }}{{- message.content }}{{- '\\n</tool_response>' }}{%- else %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}",
  },
  {
    name: 'llama-3 with namespace and slicing',
    template:
      "{%- set ns = namespace(prompt='') %}{%- for m in messages %}{%- if m['role'] == 'system' %}{%- set ns.prompt = m['content'] | trim %}{%- endif %}{%- endfor %}{{ bos_token }}{%- for message in messages[-8:] %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}{%- endfor %}{%- if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}",
  },
  {
    name: 'key chosen between literals, raw block',
    template:
      "{% set key = 'content' if messages[0]['content'] is defined else 'text' %}{% for m in messages %}{{ m[key] }}{% endfor %}{% raw %}{{ not code }}{% endraw %}",
  },
  {
    // No internal attribute's name starts `content_` (jinja2 sandbox.py `is_internal_attribute`).
    name: 'key built after a plain literal',
    template:
      "{% for m in messages %}{% set key = 'content_' ~ m.type %}{{ m[key] if m[key] is defined else m['content_' + m.type + '_url'] }}{% endfor %}",
  },
];

/** Payloads with no `__` in their text: dunders spelled at render time and reached through subscripts. */
const MALICIOUS: readonly { name: string; template: string; want: string }[] = [
  {
    name: 'reverse filter',
    template: "{% set a = '__ssalc__' | reverse %}{{ messages[a] }}",
    want: 'attribute name built at render time',
  },
  {
    name: 'join filter',
    template: "{% set a = ['_','_','class','_','_'] | join %}{{ ''[a] }}",
    want: 'attribute name built at render time',
  },
  {
    name: "'{:c}'.format(95)",
    template: "{% set u = '{:c}'.format(95) %}{{ ''[u ~ u ~ 'class' ~ u ~ u] }}",
    want: 'character formatting',
  },
  {
    name: 'concatenation with ~',
    template: "{% set x = '_' ~ '_class_' ~ '_' %}{{ messages[x] }}",
    want: 'attribute name built at render time',
  },
  {
    name: 'concatenation with +',
    template: "{% set x = '_' + '_class_' + '_' %}{{ messages[x] }}",
    want: 'attribute name built at render time',
  },
  {
    name: 'namespace as gadget',
    template: '{{ namespace.init }}',
    want: 'namespace used as a gadget',
  },
  {
    name: 'private attribute',
    template: '{{ messages._x }}',
    want: 'private attribute',
  },
  // A literal start rules a name out only when no internal attribute's name could begin with it.
  {
    name: 'generator frame spelled from its start',
    template: "{{ (messages | select)['gi' ~ '_frame'] }}",
    want: 'attribute name built at render time',
  },
  {
    name: 'frame globals spelled from a one-letter start',
    template: "{% set g = (messages | select).gi_frame %}{{ g['f' ~ '_globals'] }}",
    want: 'attribute name built at render time',
  },
  {
    name: 'empty literal start',
    template: "{% set u = '_' %}{{ ''['' ~ u ~ u ~ 'class' ~ u ~ u] }}",
    want: 'attribute name built at render time',
  },
  {
    name: 'plain start sliced off',
    template: "{% set u = '_' %}{{ ''[('x' ~ u ~ u ~ 'class' ~ u ~ u)[1:]] }}",
    want: 'attribute name built at render time',
  },
  {
    // make_attrgetter splits the path at its dots: only the first part has the plain start.
    name: 'dotted attribute path after a plain start',
    template: "{% set u = '_' %}{{ messages | map(attribute='content.' ~ u ~ u ~ 'class' ~ u ~ u) | list }}",
    want: 'attribute name built at render time',
  },
  {
    name: 'a name set twice, once with a plain start',
    template: "{% set k = 'content_' ~ x %}{% set k = '_' * 2 ~ 'class' ~ '_' * 2 %}{{ ''[k] }}",
    want: 'attribute name built at render time',
  },
];

describe('chat template syntax tree (@huggingface/jinja parser)', () => {
  it.each(BENIGN)('$name: no indicator', ({ template }) => {
    expect(checkTemplateAst(template)).toEqual([]);
    expect(checkChatTemplate(template)).toEqual([]);
  });

  it.each(MALICIOUS)('$name: $want', ({ template, want }) => {
    expect((checkTemplateAst(template) ?? []).map((h) => h.indicator)).toContain(want);
    expect(checkChatTemplate(template).length).toBeGreaterThan(0);
  });

  // Real Jinja2 (3.1 lexer integer_re / float_re, and the `+` of `{%+` / `+%}`) reads these; transformers renders
  // them. Checked as Jinja2 reads them, not reported as unparsed, and a payload beside them is still seen.
  it.each([
    '{% set ns = namespace(budget=1_000_000) %}{{ ns.budget }}',
    '{{ (messages | length) * 1e3 + 1_000.5 - 1.5E-3 }}',
    '{% if n > 0x1F or n > 0o17 or n > 0b101 %}{{ n }}{% endif %}',
    '{%+ for m in messages +%}{{ m.content }}{% endfor %}',
    // jinja2 Parser.parse_test: a test takes one argument after its name, bare or in parentheses.
    '{% for m in messages %}{% if loop.index0 is divisibleby 2 %}{{ m.content }}{% endif %}{% endfor %}',
    "{% for m in messages %}{% if loop.index is divisibleby(2) and m.role is not in ['system'] %}{{ m.content }}{% endif %}{% endfor %}",
    '{% for m in messages %}{{ m.content if m is sameas messages[0] or m.role is eq "user" else "" }}{% endfor %}',
    // jinja2 Parser.parse_with, parse_autoescape and parse_for's `recursive`.
    '{% for m in messages %}{% with role = m.role, text = m.content | trim %}{{ role }}: {{ text }}{% endwith %}{% endfor %}',
    '{%- with -%}{% for m in messages %}{{ m.content }}{% endfor %}{%- endwith %}',
    '{% autoescape false %}{% for m in messages %}{{ m.content }}{% endfor %}{% endautoescape %}',
    '{% for m in messages recursive %}{{ m.content }}{% if m.parts %}{{ loop(m.parts) }}{% endif %}{% endfor %}',
    // jinja2 name_re is Python's identifier pattern.
    '{% for m in messages %}{% set contenu_reçu = m.content %}{{ contenu_reçu }}{% endfor %}',
    // jinja2 Parser.parse_tuple / parse_primary: a trailing comma and `()`; a call's trailing comma too.
    "{% for m in messages %}{% if m.role in ('system',) %}{{ m.content }}{% endif %}{% endfor %}",
    "{% set roles = ('user', 'assistant',) %}{% set none_yet = () %}{{ (roles | join(', '),)[0] }}{{ none_yet or ( ) }}",
    "{% set t = messages[0].content, %}{{ t | join }}{{ messages | selectattr('role', 'equalto', 'user',) | list }}",
  ])('reads Jinja2 spelling %j as Jinja2 does', (template) => {
    expect(checkTemplateAst(template)).toEqual([]);
    expect(checkChatTemplate(template)).toEqual([]);
  });
  it('a name built inside a one-item tuple is still followed', () => {
    const template = "{% set k = ('_' * 2 ~ 'class' ~ '_' * 2,) | join %}{{ ''[k] }}";
    expect((checkTemplateAst(template) ?? []).map((h) => h.indicator)).toContain('attribute name built at render time');
  });
  it('a `with` whose names carry a built attribute name is still followed', () => {
    const template = "{% with k = '_' * 2 ~ 'class' ~ '_' * 2 %}{{ ''[k] }}{% endwith %}";
    expect((checkTemplateAst(template) ?? []).map((h) => h.indicator)).toContain('attribute name built at render time');
  });
  it('a payload beside a Jinja2-only number is seen, the number kept as its value', () => {
    const template = "{% set n = 1_000 %}{{ ''.__class__.__mro__[0x1] }}";
    expect((checkTemplateAst(template) ?? []).map((h) => h.indicator)).toContain('private attribute');
    // Jinja2 lexes `1__0` as the integer 1 then the name `__0`: it refuses the template, and so does the check.
    expect(checkTemplateAst('{{ 1__0 }}')).toBeUndefined();
  });
  it.each([
    "{{ m is sameas(''.__class__.__mro__) }}",
    "{{ m is sameas ''.__class__.__mro__ }}",
    "{% set clé = ''.__class__ %}{{ clé.__mro__ }}",
    "{% with c = ''.__class__ %}{{ c }}{% endwith %}",
    "{% autoescape ''.__class__ %}{% endautoescape %}",
    "{% for m in ''.__class__.__mro__ recursive %}{{ m }}{% endfor %}",
    "{{ (''.__class__.__mro__,)[0] }}",
    "{% set t = ''.__class__.__mro__, %}{{ t }}",
  ])('a payload in a test argument, a statement Jinja2 adds or behind a non-ASCII name is seen: %j', (template) => {
    expect((checkTemplateAst(template) ?? []).map((h) => h.indicator)).toContain('private attribute');
  });

  it('a template that does not parse is reported, not passed', () => {
    expect(checkTemplateAst('{% for %}')).toBeUndefined();
    expect(checkChatTemplate('{% for %}').map((h) => h.indicator)).toContain(
      'template does not parse (it cannot be checked)',
    );
  });

  // A parse failure is no sign of a payload by itself: the message says what went unchecked, apart from the signs.
  it('the finding words a template that does not parse apart from the signs of a payload', () => {
    const alone = templateHitsMessage('default', checkChatTemplate('{% for %}'), 'rendering it can run code.');
    expect(alone).toMatch(/^chat template default does not parse as a Jinja template, so it could not be checked/);
    expect(alone).not.toContain('payload');
    const both = templateHitsMessage(
      'default',
      checkChatTemplate("{{ ''.__class__ }}{% for %}"),
      'rendering it can run code.',
    );
    expect(both).toContain('contains a template-injection payload (dunder attribute');
    expect(both).toContain('it also does not parse');
    expect(both).not.toContain('(template does not parse');
  });
});
