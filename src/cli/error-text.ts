import { ConfigError, errorMessage, IoError } from '../core/errors.js';
import { escapeControl, escapeControlButNewlines, guardLineStart } from '../core/escape-text.js';
import { redactUrls } from '../core/redact-userinfo.js';

/**
 * An error's message as written to standard error. It can quote what a pull request controls (the name of a file in
 * `trusted-registry/`, a value in `.chainproof/policy.yml`) and what the user typed (a registry URL with a token),
 * and CI logs it: the file it names is shown escaped, so a newline in that name cannot start a line of its own (a
 * `::error::` workflow command, as logger lines are guarded); every other control character but the message's own
 * line breaks is escaped, no line starts with `::`, and URL credentials are masked as in every report.
 */
export function errorText(err: unknown): string {
  let text = errorMessage(err);
  const file = err instanceof ConfigError ? err.file : err instanceof IoError ? err.path : undefined;
  if (file !== undefined && file !== '' && escapeControl(file) !== file)
    text = text.split(file).join(escapeControl(file));
  return escapeControlButNewlines(redactUrls(text)).replace(/\r/g, '\\x0d').split('\n').map(guardLineStart).join('\n');
}
