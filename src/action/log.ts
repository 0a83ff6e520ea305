import type { Logger } from '../core/context.js';
import { escapeControl, guardLineStart } from '../core/escape-text.js';
import { workflowCommand } from './commands.js';
import { redactUrls } from '../core/redact-userinfo.js';
import type { Env } from './inputs.js';
import { escapeMd } from '../report/markdown.js';

/** Environment names whose values are secrets: never printed, whatever message they end up in. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|_AUTH|AUTH_|APIKEY|API_KEY|CREDENTIAL|PRIVATE_KEY/i;
/** Shorter values are too likely to match ordinary text to be worth masking. */
const MIN_SECRET_LENGTH = 6;

/**
 * Replace every secret-looking environment value with `***` (the runner masks registered secrets, but a token
 * from an env file or `.npmrc` expansion may not be registered). Defence in depth: the scan never prints one.
 */
export function redactor(env: Env): (text: string) => string {
  // Each value also as the job summary spells it: escapeMd writes `npm_x` as `npm\_x`, which the raw value misses.
  const secrets = [
    ...new Set(
      Object.entries(env)
        .filter(([k, v]) => SECRET_NAME.test(k) && v !== undefined && v.length >= MIN_SECRET_LENGTH)
        .flatMap(([, v]) => [v!, escapeMd(v!)]),
    ),
  ].sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (t) => t;
  return (text) => secrets.reduce((t, s) => t.split(s).join('***'), text);
}

/**
 * Scan log lines for the runner: info as plain lines, warnings as `::warning::`, debug as `::debug::`; URL credentials
 * in them masked, as in every report.
 */
export function actionLogger(write: (text: string) => void): Logger {
  return {
    // One line per message (LF and CR escaped, so no second line can start a command); `::` at its start is
    // guarded with a leading space so the line stays text.
    info: (m) => write(`${guardLineStart(escapeControl(redactUrls(m)))}\n`),
    warn: (m) => write(workflowCommand('warning', {}, redactUrls(m)) + '\n'),
    debug: (m) => write(workflowCommand('debug', {}, redactUrls(m)) + '\n'),
  };
}
