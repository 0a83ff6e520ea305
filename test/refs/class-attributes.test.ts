import { describe, expect, it } from 'vitest';
import { findPythonReferences, findPythonReferencesInWholeFile } from '../../src/refs/python.js';
import { findPythonReferencesFast } from '../../src/refs/python-fast.js';
import { findNotebookReferences } from '../../src/refs/python-notebook.js';

/**
 * A model name kept as a class attribute and read through the class — the `CFG.model_name` of notebooks and
 * competition code — is the value the class body binds, when the file defines the class once, binds the attribute
 * once in its body and assigns `Class.attr` nowhere. The finder the scan uses must agree with lezer over the whole
 * file; the reader without a parser leaves such files to lezer (python-snippet.ts `readsClassAttribute`).
 */
const noLocal = () => false;

function refs(text: string): string[] {
  const got = findPythonReferences('train.py', text, noLocal);
  expect(got).toEqual(findPythonReferencesInWholeFile('train.py', text, noLocal));
  return [
    ...got.references.map((r) => `${r.line} ${r.repoId}@${r.revision ?? '-'}`),
    ...got.dynamic.map((d) => `${d.line} dynamic`),
  ];
}

const cfg = (body: string, more = '') =>
  `from transformers import AutoModel\nclass CFG:\n${body}\n${more}m = AutoModel.from_pretrained(CFG.model_name)\n`;

describe('class attributes read through the class', () => {
  it.each([
    { name: 'plain', text: cfg('    model_name = "acme/deberta"'), want: ['4 acme/deberta@-'] },
    { name: 'annotated', text: cfg('    model_name: str = "acme/deberta"'), want: ['4 acme/deberta@-'] },
    {
      name: 'built from another attribute read the same way',
      text: cfg('    org = "acme"\n    model_name = "acme/" + "x"', 'NAME = CFG.org\n'),
      want: ['6 acme/x@-'],
    },
    {
      // Bound twice in the body: which one holds depends on order, not decided here.
      name: 'bound twice',
      text: cfg('    model_name = "acme/a"\n    model_name = "acme/b"'),
      want: ['5 dynamic'],
    },
    {
      name: 'assigned elsewhere',
      text: cfg('    model_name = "acme/a"', 'CFG.model_name = pick()\n'),
      want: ['5 dynamic'],
    },
    {
      name: 'the class defined twice',
      text: cfg('    model_name = "acme/a"', 'class CFG:\n    model_name = "acme/b"\n'),
      want: ['6 dynamic'],
    },
    {
      // An instance made with no arguments of a class with no `__init__` and nothing assigning the attribute reads
      // the class's (rebinding.test.ts has the cases that do not); the whole file decides.
      name: 'read through an instance',
      text: 'from transformers import AutoModel\nclass CFG:\n    model_name = "acme/a"\ncfg = CFG()\nm = AutoModel.from_pretrained(cfg.model_name)\n',
      want: ['5 acme/a@-'],
      fast: false,
    },
    {
      // An instance may have its own attribute (`__init__`): not followed.
      name: 'read through an instance of a class with __init__',
      text: 'from transformers import AutoModel\nclass CFG:\n    model_name = "acme/a"\n    def __init__(self, m):\n        self.model_name = m\ncfg = CFG()\nm = AutoModel.from_pretrained(cfg.model_name)\n',
      want: ['7 dynamic'],
      fast: false,
    },
  ])('$name', ({ text, want, fast }) => {
    expect(refs(text)).toEqual(want);
    // No class attribute read: the reader without a parser answers (the same, `refs` checked).
    expect(findPythonReferencesFast('train.py', text, noLocal) !== undefined).toBe(fast === true);
  });

  it('a method called on a class of the file still goes through the fast reader', () => {
    const text =
      'from transformers import PreTrainedModel\nclass MyModel(PreTrainedModel):\n    pass\nm = MyModel.from_pretrained("acme/custom")\n';
    expect(refs(text)).toEqual(['4 acme/custom@-']);
    expect(findPythonReferencesFast('train.py', text, noLocal)).toBeDefined();
  });

  it('a notebook reads the class in one cell and the call in another', () => {
    const cell = (lines: string[]) => ({ cell_type: 'code', metadata: {}, outputs: [], source: lines });
    const nb = JSON.stringify({
      cells: [
        cell(['class CFG:\n', '    model_name = "acme/kaggle"\n']),
        cell(['from transformers import AutoModel\n', 'm = AutoModel.from_pretrained(CFG.model_name)\n']),
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    });
    const got = findNotebookReferences('nb.ipynb', nb, noLocal);
    expect(got.references.map((r) => r.repoId)).toEqual(['acme/kaggle']);
  });
});

describe('class attributes read through the instance (self.attr, cls.attr)', () => {
  const klass = (body: string, more = '') =>
    'from transformers import AutoModel, pipeline\n' +
    `class Classifier:\n${body}\n` +
    '    def __init__(self):\n' +
    '        self.pipe = pipeline("text-classification", model=self.model_id, revision=self.revision)\n' +
    more;
  const A = 'a'.repeat(40);
  it.each([
    {
      // Python's attribute lookup: the instance has no model_id, the class has.
      name: 'plain',
      text: klass(`    model_id = "acme/sst2"\n    revision = "${A}"`),
      want: [`6 acme/sst2@${A}`],
    },
    {
      name: 'annotated',
      text: klass('    model_id: str = "acme/sst2"\n    revision: str = "main"'),
      want: ['6 acme/sst2@main'],
    },
    {
      name: 'two classes that agree',
      text: klass('    model_id = "acme/sst2"', 'class Other:\n    model_id = "acme/sst2"\n'),
      want: ['5 acme/sst2@-'],
    },
    {
      // Which class `self` is depends on the instance: not decided here.
      name: 'two classes that differ',
      text: klass('    model_id = "acme/a"', 'class Other(Classifier):\n    model_id = "acme/b"\n'),
      want: ['5 dynamic'],
    },
    {
      name: 'set on an instance somewhere',
      text: klass('    model_id = "acme/a"', 'c = Classifier()\nc.model_id = pick()\n'),
      want: ['5 dynamic'],
    },
    {
      name: 'bound on self elsewhere in the class',
      text: klass('    model_id = "acme/a"\n    def use(self, m):\n        self.model_id = m'),
      want: ['7 dynamic'],
    },
    { name: 'no class binds it', text: klass('    pass'), want: ['5 dynamic'] },
    {
      name: 'cls in a classmethod',
      text:
        'from transformers import AutoModel\nclass Loader:\n    model_id = "acme/cls"\n' +
        '    @classmethod\n    def load(cls):\n        return AutoModel.from_pretrained(cls.model_id)\n',
      want: ['6 acme/cls@-'],
    },
  ])('$name', ({ text, want }) => {
    expect(refs(text)).toEqual(want);
  });

  it('a file whose self.attr no class body may bind stays with the reader without a parser', () => {
    const text =
      'from transformers import AutoModel\nclass M:\n    def __init__(self, model_id):\n        self.model_id = model_id\n' +
      '    def load(self):\n        return AutoModel.from_pretrained(self.model_id)\n';
    expect(findPythonReferencesFast('train.py', text, noLocal)).toBeDefined();
  });
});

describe('pydantic-settings fields read through an instance', () => {
  // pydantic_settings sources `EnvSettingsSource`: each field is read from `<env_prefix><name>` (any case unless
  // case_sensitive), its default when that is unset — an env read, named in the finding.
  const settings = (config: string, more = '') =>
    'from pydantic_settings import BaseSettings, SettingsConfigDict\nfrom transformers import AutoModel\n' +
    `class Settings(BaseSettings):\n${config}    model_id: str = "acme/served"\n` +
    `    model_revision: str = "0123456789abcdef0123456789abcdef01234567"\n${more}settings = Settings()\n` +
    'm = AutoModel.from_pretrained(settings.model_id, revision=settings.model_revision)\n';
  const read = (text: string) => {
    const got = findPythonReferences('app.py', text, noLocal);
    expect(got).toEqual(findPythonReferencesInWholeFile('app.py', text, noLocal));
    return [
      ...got.references.map(
        (r) => `${r.line} ${r.repoId}@${r.revisionKind} ${r.nameFrom ?? '-'} ${r.revisionFrom ?? '-'}`,
      ),
      ...got.dynamic.map((d) => `${d.line} dynamic`),
    ];
  };
  it.each([
    { name: 'no prefix', text: settings(''), want: ['7 acme/served@commit MODEL_ID MODEL_REVISION'] },
    {
      name: 'a prefix, any case',
      text: settings('    model_config = SettingsConfigDict(env_prefix="app_", env_file=".env")\n'),
      want: ['8 acme/served@commit APP_MODEL_ID APP_MODEL_REVISION'],
    },
    {
      name: 'case-sensitive',
      text: settings('    model_config = {"env_prefix": "App_", "case_sensitive": True}\n'),
      want: ['8 acme/served@commit App_model_id App_model_revision'],
    },
    {
      // pydantic 1: `class Config:` inside the settings class.
      name: 'pydantic 1 Config',
      text: settings('', '    class Config:\n        env_prefix = "ML_"\n').replace(
        'from pydantic_settings import BaseSettings, SettingsConfigDict',
        'from pydantic import BaseSettings',
      ),
      want: ['9 acme/served@commit ML_MODEL_ID ML_MODEL_REVISION'],
    },
    {
      name: 'a prefix the file does not decide',
      text: settings('    model_config = SettingsConfigDict(env_prefix=PREFIX)\n'),
      want: ['8 dynamic'],
    },
    {
      name: 'an instance made with arguments',
      text: settings('').replace('settings = Settings()', 'settings = Settings(model_id=pick())'),
      want: ['7 dynamic'],
    },
    {
      // FastAPI's settings dependency: `@lru_cache def get_settings(): return Settings()` (python.ts `factoryClass`).
      name: 'through a cached factory',
      text: settings('').replace(
        'settings = Settings()',
        'from functools import lru_cache\n@lru_cache\ndef get_settings():\n    """The settings."""\n    return Settings()\n' +
          'settings = get_settings()',
      ),
      want: ['12 acme/served@commit MODEL_ID MODEL_REVISION'],
    },
    {
      name: 'read off the call',
      text: settings('').replace(
        'settings = Settings()\nm = AutoModel.from_pretrained(settings.model_id, revision=settings.model_revision)',
        'import functools\n@functools.lru_cache(maxsize=1)\ndef get_settings():\n    return Settings()\n' +
          'm = AutoModel.from_pretrained(get_settings().model_id, revision=Settings().model_revision)',
      ),
      want: ['10 acme/served@commit MODEL_ID MODEL_REVISION'],
    },
    ...[
      ['a factory that takes an argument', 'def get_settings(env=None):\n    return Settings()'],
      ['a factory that does more', 'def get_settings():\n    log()\n    return Settings()'],
      ['a factory with another decorator', '@app.on_event("startup")\ndef get_settings():\n    return Settings()'],
      ['a factory defined twice', 'def get_settings():\n    return Settings()\ndef get_settings():\n    return 1'],
      ['a factory of arguments', 'def get_settings():\n    return Settings(model_id=pick())'],
    ].map(([name, factory]) => ({
      name: name!,
      text: settings('').replace('settings = Settings()', `${factory!}\nsettings = get_settings()`),
      want: [`${7 + factory!.split('\n').length} dynamic`],
    })),
  ])('$name', ({ text, want }) => {
    expect(read(text)).toEqual(want);
  });

  it('a bool field is a bool: `False` trusts no remote code, `True` does', () => {
    const text =
      'from pydantic_settings import BaseSettings\nfrom transformers import AutoModel\n' +
      'class Settings(BaseSettings):\n    trust_remote_code: bool = False\n    allow_code: bool = True\n' +
      'settings = Settings()\n' +
      'a = AutoModel.from_pretrained("acme/off", trust_remote_code=settings.trust_remote_code)\n' +
      'b = AutoModel.from_pretrained("acme/on", trust_remote_code=settings.allow_code)\n';
    expect(
      findPythonReferences('app.py', text, noLocal).references.map((r) => `${r.repoId} ${r.runsRemoteCode}`),
    ).toEqual(['acme/off false', 'acme/on true']);
  });
});
