import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { checkChatTemplate, exhaustionHit } from '../../../src/inspect/formats/chat-template.js';

/** Real-world benign chat templates (as shipped in tokenizer_config.json / GGUF metadata). */
const BENIGN: { name: string; template: string }[] = [
  {
    name: 'llama-2',
    template:
      "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}",
  },
  {
    name: 'chatml (qwen)',
    template:
      "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
  },
  {
    name: 'mistral-instruct',
    template:
      "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}",
  },
  {
    name: 'llama-3.1 (namespace, tools, tojson)',
    template:
      "{{- bos_token }}\n{%- if custom_tools is defined %}\n    {%- set tools = custom_tools %}\n{%- endif %}\n{%- if not tools_in_user_message is defined %}\n    {%- set tools_in_user_message = true %}\n{%- endif %}\n{%- if not date_string is defined %}\n    {%- set date_string = \"26 Jul 2024\" %}\n{%- endif %}\n{%- set ns = namespace(found=false) %}\n{%- if messages[0]['role'] == 'system' %}\n    {%- set system_message = messages[0]['content']|trim %}\n    {%- set messages = messages[1:] %}\n{%- else %}\n    {%- set system_message = \"\" %}\n{%- endif %}\n{{- \"<|start_header_id|>system<|end_header_id|>\\n\\n\" }}\n{%- if builtin_tools is defined or tools is not none %}\n    {{- \"Environment: ipython\\n\" }}\n{%- endif %}\n{{- \"Today Date: \" + date_string + \"\\n\\n\" }}\n{%- for t in tools %}\n    {{- t | tojson(indent=4) }}\n    {{- \"\\n\\n\" }}\n{%- endfor %}\n{{- system_message }}\n{{- \"<|eot_id|>\" }}\n{%- for message in messages %}\n    {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}\n        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}\n    {%- elif 'tool_calls' in message %}\n        {%- set tool_call = message.tool_calls[0].function %}\n        {{- '{\"name\": \"' + tool_call.name + '\", ' }}\n        {{- '\"parameters\": ' }}\n        {{- tool_call.arguments | tojson }}\n        {{- \"}\" }}\n        {{- \"<|eot_id|>\" }}\n    {%- endif %}\n{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n{%- endif %}\n",
  },
  {
    name: 'gemma',
    template:
      "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}",
  },
  {
    name: 'zephyr',
    template:
      "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}",
  },
  {
    name: 'deepseek (comments, ns attributes, split)',
    template:
      "{# DeepSeek template #}{% set ns = namespace(is_first=false, system_prompt='') %}{%- for message in messages %}{%- if message['role'] == 'system' %}{% set ns.system_prompt = message['content'] %}{%- endif %}{%- endfor %}{{ bos_token }}{{ ns.system_prompt }}{%- for message in messages %}{%- if message['role'] == 'assistant' %}{% set content = message['content'] %}{% if '</think>' in content %}{% set content = content.split('</think>')[-1] %}{% endif %}{{'<｜Assistant｜>' + content + '<｜end▁of▁sentence｜>'}}{%- endif %}{%- endfor %}",
  },
];

const MALICIOUS: { name: string; template: string; want: string }[] = [
  {
    name: 'CVE-2024-34359 proof of concept',
    template:
      '{% for x in ().__class__.__base__.__subclasses__() %}{% if "warning" in x.__name__ %}{{x()._module.__builtins__[\'__import__\'](\'os\').popen("touch /tmp/retr0reg")}}{%endif%}{% endfor %}',
    want: 'dunder attribute',
  },
  { name: 'attr filter with escapes', template: "{{ ''|attr('\\x5f\\x5fclass\\x5f\\x5f') }}", want: 'attr filter' },
  {
    name: 'hex-escaped dunder alone',
    template: "{{ x['\\x5f\\x5fglobals\\x5f\\x5f'] }}",
    want: 'escaped characters in a string',
  },
  { name: 'unicode-escaped dunder', template: "{{ x['\\u005f\\u005fclass\\u005f\\u005f'] }}", want: 'dunder string' },
  { name: 'concatenated dunder', template: "{{ x[('__cl' ~ 'ass__')] }}", want: 'dunder string' },
  {
    name: 'split concatenation',
    template: "{% set a = '_' %}{{ x[a ~ a ~ 'class' ~ a ~ a] }}",
    want: 'concatenated underscores',
  },
  { name: 'lipsum globals', template: '{{ lipsum.__globals__.os.popen("id").read() }}', want: 'lipsum global' },
  { name: 'cycler init', template: '{{ cycler.__init__.__globals__ }}', want: 'cycler global' },
  { name: 'joiner', template: '{{ joiner["__init__"] }}', want: 'joiner global' },
  { name: 'namespace reaching globals', template: '{{ namespace.__init__.__globals__ }}', want: 'dunder attribute' },
  { name: 'format char building', template: "{{ x|attr('%c%c'|format(95,95)) }}", want: 'character formatting' },
  { name: 'os module by string', template: "{{ self['_TemplateReference__context'] }}", want: 'dunder string' },
  {
    name: 'self private attribute',
    template: '{{ self._TemplateReference__context.cycler }}',
    want: 'dunder attribute',
  },
  { name: 'include statement', template: "{% include '/etc/passwd' %}", want: 'template-loading statement' },
  { name: 'popen in a statement block', template: '{% set r = x.popen("id") %}', want: 'call of .popen' },
  { name: 'dangerous name as string key', template: "{{ g['eval']('1') }}", want: 'string "eval"' },
];

describe('chat template SSTI checks', () => {
  it.each(BENIGN)('benign $name → nothing', ({ template }) => {
    expect(checkChatTemplate(template)).toEqual([]);
  });

  it.each(MALICIOUS)('$name → $want', ({ template, want }) => {
    const hits = checkChatTemplate(template);
    expect(hits.map((h) => h.indicator)).toContain(want);
    for (const h of hits) expect(template.slice(h.index)).not.toBe('');
  });

  it('payload text outside {{ }} / {% %} is literal output, not code', () => {
    expect(checkChatTemplate('Say __class__ and os.popen literally {# __globals__ #}')).toEqual([]);
  });

  it('an unclosed block is still checked to the end', () => {
    expect(checkChatTemplate('{{ x.__class__').map((h) => h.indicator)).toContain('dunder attribute');
  });
});

describe('templates that exhaust their renderer', () => {
  const LOOP = "{% for m in messages %}{{ m['content'] }}{% endfor %}";
  it.each([
    { name: 'string times a billion', template: `${LOOP}{{ 'A' * 1000000000 }}` },
    { name: 'factor first, with underscores', template: `${LOOP}{{ 1_000_000 * messages }}` },
    { name: 'factor in parentheses', template: `${LOOP}{% set x = 'x' * (10000000) %}{{ x }}` },
    { name: 'power tower', template: `${LOOP}{{ 9 ** 9 ** 9 }}` },
    { name: 'power as a factor', template: `${LOOP}{{ 'A' * 10 ** 10 }}` },
    { name: 'a product of literal factors, none huge alone', template: `${LOOP}{{ 'A' * 99999 * 99999 }}` },
    { name: 'a string squared by a variable', template: `${LOOP}{% set n = 99999 %}{{ 'A' * n * n }}` },
    { name: 'a hex factor', template: `${LOOP}{{ 'A' * 0x7fffffff }}` },
  ])('$name → flagged', ({ template }) => {
    expect(exhaustionHit(template)?.indicator).toBe('huge repetition or power');
  });

  // jinja2 sandbox.safe_range caps one range() at MAX_RANGE (100,000) items; loops inside loops multiply.
  it.each([
    {
      name: 'two nested ranges at the cap',
      template: `{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}${LOOP}`,
    },
    {
      name: 'ranges as powers, a start and a step',
      template: `${LOOP}{%- for i in range(0, 10**5, 1) if i -%}{% for j in range(1, 10000) %}{% for k in range(100) %}{% endfor %}{% endfor %}{% endfor %}`,
    },
    {
      name: 'a range loop inside a message loop',
      template: `{% for m in messages %}{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}{% endfor %}`,
    },
    {
      name: 'a macro with a range loop called in one',
      template: `{% macro spin() %}{% for j in range(100000) %}{% endfor %}{% endmacro %}{% for i in range(100000) %}{{ spin() }}{% endfor %}${LOOP}`,
    },
    {
      name: 'a range bound by set, looped over twice',
      template: `{% set r = range(100000) %}{% for i in r %}{% for j in r %}x{% endfor %}{% endfor %}${LOOP}`,
    },
    {
      name: 'a listed range bound by set, around a literal one',
      template: `{% set r = range(100000)|list %}{% for i in r %}{% for j in range(100000) %}x{% endfor %}{% endfor %}${LOOP}`,
    },
    {
      name: 'a range held in a namespace',
      template: `{% set ns = namespace(r=range(100000)) %}{% for i in ns.r %}{% for j in ns.r %}x{% endfor %}{% endfor %}${LOOP}`,
    },
    {
      name: 'a range set on a namespace attribute',
      template: `{% set ns = namespace() %}{% set ns.r = range(100000) %}{% for i in ns.r %}{% for j in ns.r %}{% endfor %}{% endfor %}${LOOP}`,
    },
    {
      name: 'a range passed to a macro',
      template: `{% macro spin(r) %}{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}{% endmacro %}{{ spin(range(100000)) }}${LOOP}`,
    },
    {
      name: "a range as a macro parameter's default",
      template: `{% macro spin(n, r=range(100000)) %}{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}{% endmacro %}{{ spin(1) }}${LOOP}`,
    },
    {
      name: 'a range passed to a macro by keyword',
      template: `{% macro spin(r) %}{% for i in r %}{% for j in range(100000) %}{% endfor %}{% endfor %}{% endmacro %}{{ spin(r=range(100000)) }}${LOOP}`,
    },
  ])('$name → nested range() loops', ({ template }) => {
    expect(exhaustionHit(template)?.indicator).toBe('nested range() loops');
    // At the range, or at the loop over the name that holds it.
    expect(exhaustionHit(template)?.snippet).toMatch(/range\(|\bfor i in (?:r|ns\.r)\b/);
  });
  it.each([
    {
      name: 'a string over 64 passes',
      template: `{% set ns = namespace(s='A') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}${LOOP}`,
    },
    {
      name: 'a list per message',
      template: `{% set ns = namespace(l=[0]) %}{% for m in messages %}{% set ns.l = ns.l + ns.l %}{{ m.content }}{% endfor %}`,
    },
    {
      name: 'a list set on the namespace, doubled per message',
      template: `{% set ns = namespace() %}{% set ns.l = [0] %}{% for m in messages %}{% set ns.l = ns.l + ns.l %}{% endfor %}`,
    },
    {
      name: 'a string times two',
      template: `{% set ns = namespace(s='A') %}{% for i in range(99) %}{% set ns.s = ns.s * 2 %}{% endfor %}${LOOP}`,
    },
  ])('$name → namespace value doubled in a loop', ({ template }) => {
    expect(exhaustionHit(template)?.indicator).toBe('namespace value doubled in a loop');
  });

  // Jinja2 3.1 makes some 60,000 macro calls a second (f(16) below: 2^17 calls, 1.1 s); the sandbox counts none.
  it.each([
    {
      name: 'two calls counting down from 40',
      template: `{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}${LOOP}`,
    },
    {
      name: 'one call in a loop of 10, a conditional expression, a keyword start',
      template: `{% macro f(s, n) %}{% for i in range(10) %}{{ f(s, n=n - 1) if n else s }}{% endfor %}{% endmacro %}{{ f('x', n=8) }}${LOOP}`,
    },
    {
      name: "a start from the parameter's default",
      template: `{%- macro walk(depth=30) -%}{{- depth > 0 and walk(depth - 1) -}}{{- depth > 0 and walk(depth - 1) -}}{%- endmacro -%}{{ walk() }}${LOOP}`,
    },
  ])('$name → macro calling itself exponentially', ({ template }) => {
    const hit = exhaustionHit(template);
    expect(hit?.indicator).toBe('macro calling itself exponentially');
    expect(hit?.snippet).toMatch(/^\{%-? ?macro/);
  });

  it.each([
    ...BENIGN,
    {
      // The shape of tool-schema renderers: recursion over parts of the caller's data, no literal count.
      name: 'a schema renderer calling itself twice over sub-schemas',
      template: `{% macro render(schema) %}{% if schema.items %}{{ render(schema.items) }}{% endif %}{% if schema.properties %}{% for k, v in schema.properties.items() %}{{ render(v) }}{% endfor %}{% endif %}{% endmacro %}{% for t in tools %}{{ render(t.parameters) }}{% endfor %}${LOOP}`,
    },
    {
      name: 'two calls counting down from a small start',
      template: `{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(10) }}${LOOP}`,
    },
    {
      // Python's recursion limit ends the first way down at once (RecursionError).
      name: 'two unconditional calls',
      template: `{% macro f(n) %}{{ f(n - 1) }}{{ f(n - 1) }}{% endmacro %}{{ f(40) }}${LOOP}`,
    },
    {
      name: 'one call counting down from 40',
      template: `{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}${LOOP}`,
    },
    {
      name: 'a range passed to a macro that loops once',
      template: `{% macro each(r) %}{% for i in r %}{{ i }}{% endfor %}{% endmacro %}{{ each(range(100)) }}${LOOP}`,
    },
    { name: 'small repeat (indentation)', template: `${LOOP}{{ '  ' * 4 }}{{ 2 ** 10 }}` },
    { name: 'numeric maths by a big number', template: `${LOOP}{{ (loop.index * 1000000) }}{{ 3 * 1000000 }}` },
    { name: 'a subscript repeated a little', template: `${LOOP}{{ m['content'] * 2 }}{{ '-' * width }}` },
    { name: 'digits in a string or a name', template: `${LOOP}{{ '1000000 * 2' }}{{ x100000 * 2 }}{{ 1.5 * 2 }}` },
    {
      name: "ranges over the caller's data",
      template: `{% for m in messages %}{% for i in range(messages|length) %}{% for j in range(100) %}{% endfor %}{% endfor %}{% endfor %}`,
    },
    { name: 'one range at the cap', template: `${LOOP}{% for i in range(100000) %}{% endfor %}` },
    {
      // jinja2 `sandbox.safe_range` raises OverflowError for range(1000000) before the inner loop runs once.
      name: 'a range past the sandbox cap, around another',
      template: `{% for i in range(1000000) %}{% for j in range(1000) %}x{% endfor %}{% endfor %}${LOOP}`,
    },
    {
      name: 'a macro with a range loop called once per message',
      template: `{% macro spin() %}{% for j in range(100000) %}{% endfor %}{% endmacro %}{% for m in messages %}{{ spin() }}{% endfor %}`,
    },
    {
      name: 'a namespace that appends',
      template: `{% set ns = namespace(s='', n=0) %}{% for m in messages %}{% set ns.s = ns.s ~ m.content %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.s }}`,
    },
    {
      name: 'a plain set doubling (reset each pass)',
      template: `{% set s = 'A' %}{% for m in messages %}{% set s = s ~ s %}{{ m.content }}{% endfor %}`,
    },
    {
      name: 'a namespace integer doubled per message',
      template: `{% set ns = namespace(w=1) %}{% for m in messages %}{% set ns.w = ns.w * 2 %}{% set ns.w = ns.w + ns.w %}{{ m.content }}{% endfor %}`,
    },
    {
      name: 'a namespace doubled a few times',
      template: `{% set ns = namespace(s='-') %}{% for i in range(4) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}${LOOP}`,
    },
  ])('$name → not flagged', ({ template }) => {
    expect(exhaustionHit(template)).toBeUndefined();
  });

  // Debian's Jinja2: the sandbox transformers and llama-cpp-python render with lets `*` through unbounded.
  it.runIf(existsSync('/usr/lib/python3/dist-packages/jinja2'))('the real sandbox renders a huge repeat', () => {
    const script = [
      'from jinja2.sandbox import ImmutableSandboxedEnvironment',
      't = ImmutableSandboxedEnvironment().from_string("{{ \'A\' * 3_000_000 }}")',
      'print(len(t.render(messages=[])))',
    ].join('\n');
    const out = execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
    expect(out.trim()).toBe('3000000');
    expect(exhaustionHit("{{ 'A' * 3_000_000 }}")).toBeDefined();
  });
});
