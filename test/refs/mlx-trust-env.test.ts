import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { dynamicFinding, judgeReference } from '../../src/refs/judge.js';
import { findPythonReferencesFast } from '../../src/refs/python-fast.js';
import { findPythonCommandReferences } from '../../src/refs/python-commands.js';
import { findShellReferences } from '../../src/refs/shell-commands.js';
import { findPythonReferences, findPythonReferencesInWholeFile } from '../../src/refs/python.js';
import type { FileReferences } from '../../src/refs/types.js';

/**
 * `MLX_LM_TRUST_REMOTE_CODE` set by the script (python-env.ts `readMlxTrustSetting`): mlx_lm/utils.py `load_model`
 * runs `_trust_remote_code(trust_remote_code)`, which is also true when `os.environ.get("MLX_LM_TRUST_REMOTE_CODE",
 * "").lower() in ("1", "true", "yes")`, and then imports the `model_file` the repository's config.json names. Each
 * reader on its own: the parser-free one (python-fast.ts), lezer's over the whole file and over the snippet (python.ts).
 */
const noLocal = () => false;
const READERS: readonly [string, (p: string, t: string) => FileReferences | undefined][] = [
  ['python-fast.ts', (p, t) => findPythonReferencesFast(p, t, noLocal)],
  ['python.ts (lezer)', (p, t) => findPythonReferencesInWholeFile(p, t, noLocal)],
  ['python.ts (snippet first)', (p, t) => findPythonReferences(p, t, noLocal)],
];

/** Per reference (`repo@revision`) or run-time note (`dynamic`): its CPR002 level, or `-` for none. */
function remoteCode(refs: FileReferences): string[] {
  const out: string[] = [];
  for (const ref of refs.references) {
    const f = judgeReference(ref, new Map(), DEFAULT_POLICY).find((x) => x.ruleId === 'CPR002');
    out.push(`${ref.repoId!}${ref.revision ? `@${ref.revision}` : ''} ${f ? (f.level ?? 'error') : '-'}`);
  }
  for (const d of refs.dynamic) {
    const f = dynamicFinding(d);
    out.push(`dynamic ${f.ruleId === 'CPR002' ? (f.level ?? 'error') : '-'}`);
  }
  return out;
}

const PIN = 'a'.repeat(40);

/** [case, source, CPR002 per reference]. */
const CASES: readonly [string, string, readonly string[]][] = [
  [
    'set to "1" before an unpinned load',
    'import os\nos.environ["MLX_LM_TRUST_REMOTE_CODE"] = "1"\nfrom mlx_lm import load\nmodel, tok = load("acme/chat-4bit")\n',
    ['acme/chat-4bit error'],
  ],
  [
    'set to "TRUE" (lowered by mlx-lm) before a pinned load',
    `import os\nimport mlx_lm\nos.environ['MLX_LM_TRUST_REMOTE_CODE'] = 'TRUE'\nmlx_lm.load("acme/chat-4bit", revision="${PIN}")\n`,
    [`acme/chat-4bit@${PIN} error`],
  ],
  [
    'setdefault to "yes", load imported under an alias, from the module',
    'import os\nfrom mlx_lm.utils import load as mlx_load\nos.environ.setdefault("MLX_LM_TRUST_REMOTE_CODE", "yes")\nmlx_load("acme/chat-4bit")\n',
    ['acme/chat-4bit error'],
  ],
  [
    'from os import environ, then sharded_load with a tokenizer_config that leaves the tokenizer alone',
    'from os import environ\nfrom mlx_lm.utils import sharded_load\nenviron["MLX_LM_TRUST_REMOTE_CODE"] = "1"\nsharded_load("acme/big", tokenizer_config={"eos_token": "x"})\n',
    ['acme/big error'],
  ],
  [
    'CRLF line ends, and a `;` after the value',
    'import os\r\nfrom mlx_lm import load\r\nos.environ["MLX_LM_TRUST_REMOTE_CODE"] = "1"\r\nload("acme/a")\r\nos.environ["MLX_LM_TRUST_REMOTE_CODE"] = "1"; load("acme/b")\r\n',
    ['acme/a error', 'acme/b error'],
  ],
  [
    'convert',
    'import os\nfrom mlx_lm import convert\nos.environ["MLX_LM_TRUST_REMOTE_CODE"] = "1"\nconvert("acme/chat", mlx_path="out")\n',
    ['acme/chat error'],
  ],
  [
    'a model name chosen at run time',
    'import os, sys\nfrom mlx_lm import load\nos.environ["MLX_LM_TRUST_REMOTE_CODE"] = "1"\nload(sys.argv[1])\n',
    ['dynamic error'],
  ],
  [
    'a value chosen at run time',
    'import os\nfrom mlx_lm import load\nos.environ["MLX_LM_TRUST_REMOTE_CODE"] = os.getenv("TRUST", "0")\nload("acme/chat-4bit")\n',
    ['acme/chat-4bit warning'],
  ],
  [
    'a literal that is only part of the value',
    'import os\nfrom mlx_lm import load\nos.environ["MLX_LM_TRUST_REMOTE_CODE"] = "1" if DEV else "0"\nload("acme/chat-4bit")\n',
    ['acme/chat-4bit warning'],
  ],
];

/** Settings that leave mlx-lm's `model_file` gate shut, or loaders that do not read the variable. */
const NOT_TRUSTED: readonly [string, string, readonly string[]][] = [
  [
    'set to "0"',
    'import os\nfrom mlx_lm import load\nos.environ["MLX_LM_TRUST_REMOTE_CODE"] = "0"\nload("acme/chat-4bit")\n',
    ['acme/chat-4bit -'],
  ],
  [
    'set to "on" (not one of mlx-lm\'s true words)',
    'import os\nfrom mlx_lm import load\nos.environ["MLX_LM_TRUST_REMOTE_CODE"] = "on"\nload("acme/chat-4bit")\n',
    ['acme/chat-4bit -'],
  ],
  [
    'os.putenv, which os.environ does not see',
    'import os\nfrom mlx_lm import load\nos.putenv("MLX_LM_TRUST_REMOTE_CODE", "1")\nload("acme/chat-4bit")\n',
    ['acme/chat-4bit -'],
  ],
  [
    'only read, not set',
    'import os\nfrom mlx_lm import load\nprint(os.environ.get("MLX_LM_TRUST_REMOTE_CODE"))\nload("acme/chat-4bit")\n',
    ['acme/chat-4bit -'],
  ],
  [
    'shown in a comment',
    'import os\nfrom mlx_lm import load\n# os.environ["MLX_LM_TRUST_REMOTE_CODE"] = "1"\nload("acme/chat-4bit")\n',
    ['acme/chat-4bit -'],
  ],
  [
    'mlx-vlm, which reads no such variable, and transformers beside it',
    'import os\nfrom mlx_vlm import load\nfrom transformers import AutoModel\nos.environ["MLX_LM_TRUST_REMOTE_CODE"] = "1"\nload("acme/vision-4bit")\nAutoModel.from_pretrained("acme/bert")\n',
    ['acme/vision-4bit -', 'acme/bert -'],
  ],
];

describe.each(READERS)('MLX_LM_TRUST_REMOTE_CODE set by the script, %s', (_, read) => {
  it.each(CASES)('runs the repository code: %s', (_case, source, want) => {
    const refs = read('app.py', source);
    expect(refs).toBeDefined();
    expect(remoteCode(refs!)).toEqual(want);
  });

  it.each(NOT_TRUSTED)('does not: %s', (_case, source, want) => {
    const refs = read('app.py', source);
    expect(refs).toBeDefined();
    expect(remoteCode(refs!)).toEqual(want);
  });

  it('without the setting, the same load runs nothing', () => {
    expect(remoteCode(read('app.py', 'from mlx_lm import load\nload("acme/chat-4bit")\n')!)).toEqual([
      'acme/chat-4bit -',
    ]);
  });
});

describe('MLX_LM_TRUST_REMOTE_CODE and the mlx_lm commands the script starts', () => {
  // subprocess passes the script's os.environ to the command (no `env=`): mlx_lm.generate's load reads it there.
  const script = (value: string) =>
    `import os\nimport subprocess\nos.environ["MLX_LM_TRUST_REMOTE_CODE"] = "${value}"\n` +
    'subprocess.run(["mlx_lm.generate", "--model", "org/cmd", "--prompt", "hi"])\n';
  it.each([
    ['1', ['org/cmd error']],
    ['0', ['org/cmd -']],
  ])('set to "%s"', (value, want) => {
    expect(remoteCode(findPythonCommandReferences('run.py', script(value), noLocal))).toEqual(want);
  });
});

describe('MLX_LM_TRUST_REMOTE_CODE on a command line that runs mlx_lm', () => {
  // The command's environment: an assignment word of its own simple command, or an export earlier on the line.
  it.each([
    ['MLX_LM_TRUST_REMOTE_CODE=1 mlx_lm.server --model org/sh', 'error'],
    ['env MLX_LM_TRUST_REMOTE_CODE=True python -m mlx_lm generate --model org/sh', 'error'],
    ['export MLX_LM_TRUST_REMOTE_CODE=yes && mlx_lm.generate --model org/sh', 'error'],
    // A shell variable, not exported: the command does not see it.
    ['MLX_LM_TRUST_REMOTE_CODE=1; mlx_lm.server --model org/sh', '-'],
    ['MLX_LM_TRUST_REMOTE_CODE=0 mlx_lm.server --model org/sh', '-'],
    // mlx-vlm reads no such variable.
    ['MLX_LM_TRUST_REMOTE_CODE=1 mlx_vlm.generate --model org/sh', '-'],
  ])('%s', (line, level) => {
    expect(remoteCode(findShellReferences('run.sh', `#!/bin/sh\n${line}\n`, noLocal))).toEqual([`org/sh ${level}`]);
  });
});

describe('MLX_LM_TRUST_REMOTE_CODE exported by an earlier line', () => {
  // runtimes.ts `mlxTrusted`: a Dockerfile's ENV is the environment of its later RUN and CMD lines, a script's export
  // that of its later commands; a line that names the variable itself decides for its command.
  it.each([
    ['Dockerfile', 'FROM python:3.12\nENV MLX_LM_TRUST_REMOTE_CODE=1\nRUN mlx_lm.generate --model org/sh\n', 'error'],
    [
      'Dockerfile',
      'FROM python:3.12\nENV MLX_LM_TRUST_REMOTE_CODE true\nCMD ["mlx_lm.server", "--model", "org/sh"]\n',
      'error',
    ],
    [
      'Dockerfile',
      'FROM python:3.12\nENV MLX_LM_TRUST_REMOTE_CODE=0\nCMD ["mlx_lm.server", "--model", "org/sh"]\n',
      '-',
    ],
    [
      'Dockerfile',
      'FROM python:3.12\nENV MLX_LM_TRUST_REMOTE_CODE=1\nCMD ["mlx_vlm.server", "--model", "org/sh"]\n',
      '-',
    ],
    [
      'Dockerfile',
      'FROM python:3.12\nENV MLX_LM_TRUST_REMOTE_CODE=1\nRUN MLX_LM_TRUST_REMOTE_CODE=0 mlx_lm.generate --model org/sh\n',
      '-',
    ],
    ['run.sh', '#!/bin/sh\nexport MLX_LM_TRUST_REMOTE_CODE=Yes\nmlx_lm.generate --model org/sh\n', 'error'],
    // A shell variable on a line of its own is not exported: the command does not see it.
    ['run.sh', '#!/bin/sh\nMLX_LM_TRUST_REMOTE_CODE=1\nmlx_lm.generate --model org/sh\n', '-'],
  ])('%s: %j', (file, text, level) => {
    expect(remoteCode(findShellReferences(file, text, noLocal))).toEqual([`org/sh ${level}`]);
  });
});

describe('MLX_LM_TRUST_REMOTE_CODE in the environment of a container that runs mlx_lm', () => {
  // runtimes.ts `readMlxContainer` (servers.ts `readServer`): a Compose service's `environment:` (interpolated from
  // the project's `.env`), or the image's ENV for its exec-form CMD, is the environment mlx_lm's load reads.
  const compose = (environment: string, command = 'mlx_lm.server --model org/sh') =>
    `services:\n  llm:\n    image: python:3.12\n    environment:\n${environment}\n    command: ${command}\n`;
  it.each([
    ['a map entry', compose('      MLX_LM_TRUST_REMOTE_CODE: "1"'), 'error'],
    [
      'a list entry, exec form',
      compose('      - MLX_LM_TRUST_REMOTE_CODE=true', '["mlx_lm.server", "--model", "org/sh"]'),
      'error',
    ],
    ['off', compose('      MLX_LM_TRUST_REMOTE_CODE: "0"'), '-'],
    ['from .env', compose('      MLX_LM_TRUST_REMOTE_CODE: ${TRUST}'), 'error'],
    ['unset in .env: the run time decides', compose('      MLX_LM_TRUST_REMOTE_CODE: ${OTHER}'), '-'],
    [
      'mlx-vlm reads no such variable',
      compose('      MLX_LM_TRUST_REMOTE_CODE: "1"', 'mlx_vlm.server --model org/sh'),
      '-',
    ],
    // servers.ts `readComposeServers`: the service's environment is the shell's, exported to what its script runs.
    [
      'a `sh -c` script',
      compose('      MLX_LM_TRUST_REMOTE_CODE: "1"', 'sh -c "pip install mlx-lm && mlx_lm.server --model org/sh"'),
      'error',
    ],
    [
      'a `bash -c` script, exec form, from .env',
      compose('      - MLX_LM_TRUST_REMOTE_CODE=${TRUST}', '["bash", "-c", "mlx_lm.server --model org/sh"]'),
      'error',
    ],
    [
      'a `sh -c` script, off',
      compose('      MLX_LM_TRUST_REMOTE_CODE: "no"', 'sh -c "mlx_lm.server --model org/sh"'),
      '-',
    ],
  ])('%s', (_, text, level) => {
    const dotenv = new Map([['TRUST', '1']]);
    expect(remoteCode(findShellReferences('docker-compose.yml', text, noLocal, dotenv))).toEqual([`org/sh ${level}`]);
  });

  it("reads the model a service's `sh -c` script takes from its environment, where the script names it", () => {
    const text = compose(
      '      MLX_LM_TRUST_REMOTE_CODE: "1"\n      MODEL: org/sh',
      'sh -c "mlx_lm.server --model $$MODEL --port 8080"',
    );
    const found = findShellReferences('docker-compose.yml', text, noLocal);
    expect(remoteCode(found)).toEqual(['org/sh error']);
    expect(found.references.map((r) => [r.line, r.column])).toEqual([[7, 43]]);
  });

  it("leaves to the run time a `$MODEL` Compose replaces from its own shell, not the service's environment", () => {
    const text = compose('      MODEL: org/sh', 'sh -c "mlx_lm.server --model $MODEL"');
    const found = findShellReferences('docker-compose.yml', text, noLocal);
    expect(found.references).toEqual([]);
    expect(found.dynamic.map((d) => d.line)).toEqual([6]);
  });

  it('reads a container a shell line starts once, as that line', () => {
    // servers.ts `readModelServers` reads the `docker run` (its image's name holds a server word); the line's own
    // mlx_lm command is runtimes.ts `readMlxLm`'s, with the `-e` the container gets.
    const line = 'docker run -e MLX_LM_TRUST_REMOTE_CODE=1 acme/vllm-mlx mlx_lm.server --model org/sh';
    expect(remoteCode(findShellReferences('run.sh', `#!/bin/sh\n${line}\n`, noLocal))).toEqual(['org/sh error']);
  });

  it("reads a Dockerfile's exec-form `python -m mlx_lm server` with the image's ENV", () => {
    const text =
      'FROM python:3.12\nENV MLX_LM_TRUST_REMOTE_CODE=1\nCMD ["python", "-m", "mlx_lm", "server", "--model", "org/sh"]\n';
    const found = findShellReferences('Dockerfile', text, noLocal);
    expect(remoteCode(found)).toEqual(['org/sh error']);
    expect(found.references.map((r) => [r.line, r.column])).toEqual([[3, 53]]);
  });
});
