import type { OptionSpec } from './fast-args.js';

/**
 * `--progress` / `--color` as scan reads them (terminal.ts decides what they mean on a given stream). Every command
 * takes them, so a CI script can hand each command one set of flags: before, `verify --no-color` or
 * `sarif merge --no-progress` failed with exit 2 (Unknown argument) where scan's run passed.
 */
export const TERMINAL_OPTIONS = {
  progress: {
    type: 'boolean',
    default: true,
    describe: 'Progress bar on stderr when it is a terminal (--no-progress)',
  },
  color: {
    type: 'boolean',
    describe: 'Colour the text report (default: on a terminal, unless NO_COLOR is set or TERM=dumb; --no-color)',
  },
} satisfies Record<string, OptionSpec>;

/**
 * The same flags for every command that draws neither a progress bar nor colour: main.ts registers them once on the
 * root parser (yargs root options are global), where they are taken and change nothing. Scan redefines both.
 */
export const IGNORED_TERMINAL_OPTIONS = {
  progress: { ...TERMINAL_OPTIONS.progress, describe: 'No effect: this command draws no progress bar' },
  color: { ...TERMINAL_OPTIONS.color, describe: 'No effect: this command prints no colour' },
} satisfies Record<string, OptionSpec>;
