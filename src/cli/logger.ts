import type { Logger, Progress } from '../core/context.js';
import { escapeControl, guardLineStart } from '../core/escape-text.js';
import { redactUrls } from '../core/redact-userinfo.js';

/** A log line's text: scanned strings in it are escaped and URL credentials masked, as in every report. */
const shown = (m: string): string => escapeControl(redactUrls(m));

export function stderrLogger(opts: { quiet: boolean; verbose: boolean }): Logger {
  return {
    debug: (m) => {
      if (opts.verbose) process.stderr.write(`debug: ${shown(m)}\n`);
    },
    info: (m) => {
      if (!opts.quiet) process.stderr.write(`${guardLineStart(shown(m))}\n`);
    },
    warn: (m) => {
      if (!opts.quiet) process.stderr.write(`warning: ${shown(m)}\n`);
    },
  };
}

/** A one-line progress bar on stderr, when `enabled` (terminal.ts `progressWanted`). */
export function stderrProgress(enabled: boolean): Progress | undefined {
  if (!enabled) return undefined;
  let label = '';
  let total = 0;
  let done = 0;
  const draw = () => {
    const width = 24;
    const filled = total > 0 ? Math.round((done / total) * width) : 0;
    process.stderr.write(
      `\r\u001b[2K${label.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`,
    );
  };
  return {
    start(stage, n) {
      label = stage;
      total = n;
      done = 0;
      draw();
    },
    tick(n = 1) {
      done = Math.min(total, done + n);
      draw();
    },
    done() {
      process.stderr.write('\r\u001b[2K');
    },
  };
}
