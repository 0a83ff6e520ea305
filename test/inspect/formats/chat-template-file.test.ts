import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/core/result.js';
import { MAX_TEMPLATE_FILE } from '../../../src/discover/formats/chat-template-head.js';
import { corpusPath } from '../../helpers/corpus.js';
import { scanAsCli } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('chainproof-template-file-');

const PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('id').read() }}";
const CHAT = "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}";

/** rule:level per repo-relative path, over every finding of a whole scan (`chainproof scan --offline`). */
function byPath(res: ScanResult): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of res.findings) (out[f.location.path] ??= []).push(`${f.ruleId}:${f.level}`);
  for (const rules of Object.values(out)) rules.sort();
  return out;
}

const scanTree = async (files: Record<string, string>) => byPath(await scanAsCli(tree(files)));

const JINJA2 = ['released', 'pickles', 'modelaudit', 'tests', 'assets', 'samples', 'jinja2'];

/** Every file under a folder, repo-relative. */
function filesUnder(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(dir, path.posix.join(rel, e.name)) : [path.posix.join(rel, e.name)],
  );
}

/**
 * The verdict modelaudit's samples expect, by name (`malicious*` flagged, `benign*` silent), and for the rest what
 * the runtimes do: transformers renders only `chat_template` (not `custom_chat_template`), a template that does not
 * parse is reported as at tokenizer_config.json, and a template past nothing is silent.
 */
function expected(rel: string): 'flagged' | 'silent' {
  const named = rel.split('/').find((part) => /^(malicious|benign)/.test(part));
  if (named !== undefined) return named.startsWith('malicious') ? 'flagged' : 'silent';
  const rest: Record<string, 'flagged' | 'silent'> = {
    'tokenizer_config.json': 'flagged',
    'edge_cases/malformed_template.json': 'flagged',
    'edge_cases/empty_template.json': 'silent',
    'edge_cases/multiple_templates.json': 'silent',
    'edge_cases/no_template.json': 'silent',
    'edge_cases/oversized_template.json': 'silent',
    'obfuscated/base64_payload.json': 'flagged',
    'obfuscated/char_construction.json': 'flagged',
    'obfuscated/format_bypass.json': 'flagged',
    'obfuscated/getattr_bypass.json': 'flagged',
    'standalone/suspicious_benign.template': 'silent',
    'yaml/model_config.yaml': 'silent',
  };
  const want = rest[rel];
  if (want === undefined) throw new Error(`no expected verdict for ${rel}: add it to the table`);
  return want;
}

describe('chat templates under any name (chat-template-file)', () => {
  it('modelaudit’s jinja2 samples, read in place: every malicious file flagged, no other finding', async () => {
    const dir = corpusPath(...JINJA2);
    const got = byPath(await scanAsCli(dir));
    const want = Object.fromEntries(
      filesUnder(dir)
        .filter((rel) => expected(rel) === 'flagged')
        .map((rel) => [rel, ['CPI055:error']]),
    );
    expect(got).toEqual(want);
  });

  it.each([
    {
      name: 'a tokenizer config under another name',
      files: { 'my_tokenizer.json': JSON.stringify({ tokenizer_class: 'LlamaTokenizer', chat_template: PAYLOAD }) },
    },
    {
      name: 'a list of named templates, the payload in the second',
      files: {
        'models/tok.json': JSON.stringify({
          chat_template: [
            { name: 'default', template: CHAT },
            { name: 'tool_use', template: PAYLOAD },
          ],
        }),
      },
    },
    {
      name: 'the key spelled with an escape',
      files: { 'cfg.json': `{"chat\\u005ftemplate": ${JSON.stringify(PAYLOAD)}}` },
    },
    {
      name: 'the key after a large added-token table, past what the walk reads whole',
      files: {
        'tok.json': JSON.stringify({
          added_tokens_decoder: Object.fromEntries(
            Array.from({ length: 6000 }, (_, i) => [String(i), { content: `<t${i}>`, special: true }]),
          ),
          chat_template: PAYLOAD,
        }),
      },
    },
    { name: 'a YAML config', files: { 'serve.yaml': `chat_template: ${JSON.stringify(PAYLOAD)}\nport: 8000\n` } },
    {
      // PyYAML's safe_load merges `<<` (SafeConstructor.flatten_mapping): the key reaches the top level.
      name: 'a YAML merge key bringing the template to the top level',
      files: { 'serve.yml': `base: &b\n  chat_template: ${JSON.stringify(PAYLOAD)}\n<<: *b\n` },
    },
    {
      name: 'a YAML list of named templates',
      files: { 'serve.yaml': `chat_template:\n  - name: default\n    template: ${JSON.stringify(PAYLOAD)}\n` },
    },
    {
      // axolotl extract_chat_template_args / get_chat_template: `chat_template: jinja` renders chat_template_jinja.
      name: 'an axolotl config with its template in chat_template_jinja',
      files: {
        'axolotl.yml': `chat_template: jinja\nchat_template_jinja: ${JSON.stringify(PAYLOAD)}\n`,
      },
    },
    {
      name: 'an axolotl dataset entry with its own chat_template_jinja',
      files: {
        'train.yaml': `datasets:\n  - path: a/b\n    type: chat_template\n    chat_template: jinja\n    chat_template_jinja: ${JSON.stringify(CHAT + PAYLOAD)}\n`,
      },
    },
    {
      name: 'an axolotl config as JSON, the template in a test dataset entry',
      files: {
        'axolotl.json': JSON.stringify({
          chat_template: 'chatml',
          test_datasets: [{ path: 'a/b', chat_template: 'jinja', chat_template_jinja: PAYLOAD }],
        }),
      },
    },
    { name: 'a standalone .jinja chat template', files: { 'templates/llama.jinja': `${CHAT}${PAYLOAD}` } },
    { name: 'a standalone .j2 payload with no chat in it', files: { 'x.j2': PAYLOAD } },
    {
      // Underscores are material only: where they become a name jinja2 looks up, that lookup is the sign.
      name: 'a .j2 with no chat in it that looks up a name spelled from underscores',
      files: { 'roles/x/templates/a.j2': "{% set u = '_' %}{{ config[u ~ u ~ 'class' ~ u ~ u] }}" },
    },
    {
      name: 'a .j2 with no chat in it that hands a %c-spelled name to attr',
      files: { 'b.j2': "{{ lipsum | attr('%c%cglobals%c%c' | format(95, 95, 95, 95)) }}" },
    },
    { name: 'a .jinja2 template', files: { 'chat.jinja2': `${CHAT}\n${PAYLOAD}` } },
    {
      name: 'a .tmpl whose Jinja starts past the sniffed head',
      files: { 'prompt.tmpl': `${'Text before the template.\n'.repeat(400)}${CHAT}${PAYLOAD}` },
    },
    {
      name: 'a .template hiding a dunder in an escape',
      files: { 'chat.template': `${CHAT}{{ cycler['\\x5f\\x5finit\\x5f\\x5f'] }}` },
    },
  ])('flagged: $name', async ({ files }) => {
    const [file] = Object.keys(files);
    expect(await scanTree(files)).toEqual({ [file!]: ['CPI055:error'] });
  });

  it('a config padded past the limit before its template: unchecked, so an error (json.load reads it whole)', async () => {
    const padded = `{"pad": "${'x'.repeat(MAX_TEMPLATE_FILE)}", "chat_template": ${JSON.stringify(PAYLOAD)}}`;
    expect(await scanTree({ 'serving.json': padded })).toEqual({ 'serving.json': ['CPI051:error'] });
  });

  it('a YAML config past its parse limit: refused unparsed as an error, however cheap its padding', async () => {
    // `yaml` parses many small nodes at a few hundred KB/s: a YAML candidate is parsed only up to 1 MiB.
    const padded = `${'# padding\n'.repeat(110_000)}chat_template_jinja: ${JSON.stringify(PAYLOAD)}\n`;
    expect(await scanTree({ 'axolotl.yaml': padded })).toEqual({ 'axolotl.yaml': ['CPI051:error'] });
    const small = `# padding\nchat_template_jinja: ${JSON.stringify(PAYLOAD)}\n`;
    expect(await scanTree({ 'axolotl.yaml': small })).toEqual({ 'axolotl.yaml': ['CPI055:error'] });
  });

  it('names a standalone file as the template, and a config by its key', async () => {
    const res = await scanAsCli(
      tree({ 'roles/x/templates/a.j2': PAYLOAD, 'tok.json': JSON.stringify({ chat_template: PAYLOAD }) }),
    );
    expect(res.findings.map((f) => f.message.slice(0, f.message.indexOf(' (')))).toEqual([
      'roles/x/templates/a.j2: chat template file contains a template-injection payload',
      'tok.json: chat template chat_template contains a template-injection payload',
    ]);
  });

  it.each([
    {
      name: 'benign templates under other names (string, list, YAML, standalone)',
      files: {
        'tok.json': JSON.stringify({ tokenizer_class: 'GPT2Tokenizer', chat_template: CHAT }),
        'named.json': JSON.stringify({ chat_template: [{ name: 'default', template: CHAT }] }),
        'serve.yaml': `chat_template: ${JSON.stringify(CHAT)}\n`,
        'chat.jinja': CHAT,
        'chat.j2': CHAT,
        'axolotl.yml': 'chat_template: chatml\nsequence_len: 4096\n',
        'axolotl-jinja.yml': `chat_template: jinja\nchat_template_jinja: ${JSON.stringify(CHAT)}\n`,
      },
    },
    {
      // Only the template's own node is built (PyYamlView): anchors and aliases elsewhere are never expanded, so a
      // config that reuses blocks many times is no limit finding.
      name: 'a YAML config with a benign template and many aliases elsewhere',
      files: {
        'serve.yaml': [
          `chat_template: ${JSON.stringify(CHAT)}`,
          'defaults: &d {gpu: 1, dtype: bf16}',
          ...Array.from({ length: 150 }, (_, i) => `replica${i}: *d`),
        ].join('\n'),
      },
    },
    {
      // A top-level key only: transformers reads no other (a nested key, `custom_chat_template`, a value).
      name: 'the key anywhere but at the top level',
      files: {
        'helm/values.yaml': `vllm:\n  chat_template: ${JSON.stringify(PAYLOAD)}\n`,
        'nested.json': JSON.stringify({ tokenizer: { chat_template: PAYLOAD } }),
        'other-key.json': JSON.stringify({ custom_chat_template: PAYLOAD }),
        'notes.json': JSON.stringify({ notes: 'set chat_template in the tokenizer' }),
        'list.json': JSON.stringify([{ chat_template: PAYLOAD }]),
      },
    },
    {
      name: 'Ansible templates',
      files: {
        'roles/web/templates/nginx.conf.j2': [
          '# {{ ansible_managed }}',
          'user {{ nginx_user }};',
          'worker_processes {{ ansible_processor_vcpus | default(2) }};',
          'http {',
          '{% for vhost in nginx_vhosts %}',
          '  server { listen {{ vhost.listen | default("80") }}; server_name {{ vhost.server_name }}; }',
          '{% endfor %}',
          "{% include 'upstreams.conf.j2' %}",
          '}',
        ].join('\n'),
        'roles/web/templates/hosts.j2': [
          '127.0.0.1 localhost',
          "{% for host in groups['all'] %}",
          "{{ hostvars[host]['ansible_default_ipv4']['address'] }} {{ host }} {{ hostvars[host]['ansible_facts']['os_family'] | lower }}",
          '{% endfor %}',
          "{{ lookup('env', 'HOME') }} {{ lookup('pipe', 'date +%Y') }}",
        ].join('\n'),
      },
    },
    {
      // Ansible's own idioms: facts per interface, variables per item (`hostvars[host]['ansible_' + item]`).
      name: 'Ansible templates that build fact and variable names',
      files: {
        'roles/net/templates/interfaces.j2': [
          '{% for iface in ansible_interfaces | sort %}',
          "{% set facts = hostvars[inventory_hostname]['ansible_' ~ iface] %}",
          "{{ iface }} {{ facts['ipv4']['address'] | default('-') }}",
          '{% endfor %}',
          "{% for host in groups['db'] %}{{ hostvars[host]['ansible_' + db_iface]['ipv4']['address'] }}{% endfor %}",
          "{% for app in apps %}{{ app }}: {{ vars['app_' ~ app ~ '_port'] }}{% endfor %}",
        ].join('\n'),
        'roles/app/templates/app.env.j2': [
          "APP_ID={{ [app_name, deploy_env] | join('_') }}",
          "SERVICE={{ app_name | replace('-', '_') | upper }}",
          "LOG_PREFIX={{ inventory_hostname ~ '_' ~ app_name }}",
          "BUILT={{ '%c' | strftime(ansible_date_time.epoch) }}",
        ].join('\n'),
      },
    },
    {
      // A Salt formula's map.jinja and a state template: grains are looked up by their names, `os` among them.
      name: 'a Salt formula keyed by the os grain',
      files: {
        'nginx/map.jinja': [
          "{% set nginx = salt['grains.filter_by']({'Debian': {'pkg': 'nginx'}, 'RedHat': {'pkg': 'nginx'}}, grain='os_family') %}",
          "{% set osmap = salt['grains.filter_by']({'Ubuntu': {'ppa': true}}, grain='os', default='Ubuntu') %}",
        ].join('\n'),
        'nginx/files/nginx.conf.j2': [
          "{% if grains['os'] == 'Ubuntu' %}include /etc/nginx/ubuntu.conf;{% endif %}",
          "{% if pillar.get('mode') == 'exec' %}daemon off;{% endif %}",
        ].join('\n'),
      },
    },
    {
      // Flask-WTF's render_field macro calls the field its caller names.
      name: 'a Flask-WTF macro calling a form field by name',
      files: {
        'app/templates/_forms.html.j2': [
          '{% macro render_field(form, name) %}',
          "<label>{{ form[name].label }}</label>{{ form[name](class_='form-control') }}",
          '{% endmacro %}',
        ].join('\n'),
      },
    },
    {
      name: 'Flask templates, one of them a chat page over `messages`',
      files: {
        'app/templates/base.jinja2': [
          "<title>{% block title %}{{ config['SITE_NAME'] }}{% endblock %}</title>",
          '<link rel="stylesheet" href="{{ url_for(\'static\', filename=\'style.css\') }}">',
          '<body class="{{ request.endpoint }}">',
          '{% with messages = get_flashed_messages(with_categories=true) %}',
          '{% for category, message in messages %}<div class="{{ category }}">{{ message }}</div>{% endfor %}',
          '{% endwith %}',
          "{% set row = cycler('odd', 'even') %}",
          '{% for item in items %}<tr class="{{ row.next() }}"><td>{{ item.name }}</td></tr>{% endfor %}',
          '{% block content %}{% endblock %}</body>',
        ].join('\n'),
        'app/templates/chat.html.j2': [
          '{% extends "base.jinja2" %}',
          '{% import "macros.jinja2" as m %}',
          '{% block content %}',
          '<form action="{{ url_for(\'chat.send\') }}">{{ m.csrf(request) }}</form>',
          '{% for message in messages %}<div class="{{ message.role }}">{{ message.content | e }}</div>{% endfor %}',
          '{{ super() }}',
          '{% endblock %}',
        ].join('\n'),
      },
    },
    {
      name: 'a Django template and a Helm (Go) template',
      files: {
        'web/page.tmpl': [
          '{% extends "base.html" %}{% load static i18n %}',
          '{% for message in messages %}<li class="{{ message.tags }}">{{ message }}</li>{% endfor %}',
          '<a href="{% url \'profile\' user.pk %}">{{ user.get_full_name|default:"anon" }}</a>{% csrf_token %}',
          '{{ request.user.username }}',
        ].join('\n'),
        'chart/templates/_labels.tmpl': [
          '{{- define "app.labels" -}}',
          'app: {{ .Chart.Name }}',
          '{{- range $k, $v := .Values.labels }}',
          '{{ $k }}: {{ $v | quote }}',
          '{{- end }}',
          '{{- end -}}',
        ].join('\n'),
        'chart/templates/deployment.yaml': [
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata:',
          '  name: {{ include "vllm.fullname" . }}',
          'spec:',
          '  template:',
          '    spec:',
          '      containers:',
          '        - args: ["--chat-template", "/templates/chat_template.jinja"]',
        ].join('\n'),
      },
    },
    {
      name: '.env templates',
      files: {
        '.env.template': 'DATABASE_URL=postgres://{{ db_user }}:{{ db_password }}@{{ db_host }}/app\nDEBUG=false\n',
        'config.env.template': 'API_URL=${API_URL}\nTOKEN=\n',
      },
    },
  ])('no finding at all: $name', async ({ files }) => {
    expect(await scanTree(files)).toEqual({});
  });
});
