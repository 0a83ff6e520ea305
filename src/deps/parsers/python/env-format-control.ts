import { PIP_VARIABLE, envAssignmentReader, pipOptionOf } from './env-indexes.js';
import { applyFormatOption } from './requirements.js';
import type { PyFormatControl, PyLineAt } from './types.js';

const formatAssignments = envAssignmentReader([PIP_VARIABLE]);

/**
 * The format control `PIP_NO_BINARY` / `PIP_ONLY_BINARY` give the pip commands of a Dockerfile, workflow or script
 * (`ENV`, `export`, a YAML `env:` key, a `X=v pip …` prefix), each name at the line that set it; undefined when it
 * sets neither. pip's `ConfigOptionParser._update_defaults` runs an environment variable's value through the
 * option's callback (`_handle_no_binary` → `FormatControl.handle_mutual_excludes`) before it parses the command
 * line, so the command's own `--no-binary` / `--only-binary` and its `-r` files' lines change it after. Read as the
 * other PIP_* variables are, for every pip command of the file (env-indexes.ts). A value pip refuses (`-…`, empty)
 * or one that is itself a variable (`$X`, `${{ … }}`) says nothing known and is skipped.
 */
export function envFormatControl(file: string, text: string): PyFormatControl | undefined {
  if (!text.includes('PIP_')) return undefined;
  const noBinary = new Map<string, PyLineAt>();
  const onlyBinary = new Map<string, PyLineAt>();
  let seen = false;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*#/.test(raw)) return;
    for (const [name, value] of formatAssignments(raw)) {
      // `PIP_No_Binary` is `--no-binary` to pip as `PIP_NO_BINARY` is (pipOptionOf).
      const option = pipOptionOf(name);
      if (option !== 'no-binary' && option !== 'only-binary') continue;
      if (value === '' || value.startsWith('-') || value.includes('$')) continue;
      applyFormatOption(option, value, { file, line: i + 1 }, noBinary, onlyBinary);
      seen = true;
    }
  });
  return seen ? { noBinary, onlyBinary } : undefined;
}
