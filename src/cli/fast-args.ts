import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * One option as the command declares it for yargs (`.options(table)`), so the same table drives both parsers: yargs
 * for help, suggestions and every error message, node:util's parseArgs for the plain invocations that need none.
 */
export interface OptionSpec {
  readonly alias?: string;
  /** Absent: a string limited to `choices` (yargs prints no type for those). */
  readonly type?: 'string' | 'boolean' | 'number';
  readonly array?: boolean;
  readonly default?: unknown;
  readonly choices?: readonly string[];
  readonly describe: string;
}

export interface PositionalSpec {
  readonly name: string;
  readonly default: string;
}

/** A command that can skip yargs: its option table and its handler, which takes the parsed arguments. */
export interface FastCommand {
  readonly positionals: readonly PositionalSpec[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly run: (args: Record<string, unknown>) => Promise<void>;
}

/** yargs-parser's boolean options take a following `true` / `false` argument as their value. */
const BOOLEAN_WORD = /^(?:true|false)$/;

/**
 * Parse `args` (after the command word) into what yargs would hand the handler for this table, or `undefined` when
 * the invocation is anything but plain — help, an unknown or repeated option, a grouped or inline short option,
 * a value yargs reads differently (its greedy arrays, `--flag false`, `-o -`), a value outside `choices`. The
 * caller then runs yargs, so every message and every corner of yargs-parser stays as it was; this only has to be
 * exact for the invocations it accepts (test/cli/fast-args.test.ts compares it with yargs on each).
 */
export function parsePlainArgs(args: readonly string[], cmd: FastCommand): Record<string, unknown> | undefined {
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, o] of Object.entries(cmd.options)) {
    config[name] = {
      type: o.type === 'boolean' ? 'boolean' : 'string',
      multiple: o.array === true,
      ...(o.alias?.length === 1 ? { short: o.alias } : {}),
    };
    if (o.type === 'boolean') config[`no-${name}`] = { type: 'boolean' };
  }
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: [...args], options: config, allowPositionals: true, strict: true, tokens: true }));
  } catch {
    return undefined;
  }
  const out: Record<string, unknown> = {};
  const positionals: string[] = [];
  const indexes = new Set<number>();
  let previous: OptionSpec | undefined;
  for (const t of tokens) {
    if (t.kind === 'option-terminator') return undefined;
    if (indexes.has(t.index)) return undefined; // `-qj4`: a group of short options
    indexes.add(t.index);
    if (t.kind === 'positional') {
      // yargs reads it as one more value of a preceding array option, or as a preceding boolean's value.
      if (previous?.array || (previous?.type === 'boolean' && BOOLEAN_WORD.test(t.value))) return undefined;
      positionals.push(t.value);
      continue;
    }
    if (t.rawName.length === 2 && t.inlineValue) return undefined; // `-j4`
    const negated = !(t.name in cmd.options);
    const name = negated ? t.name.slice('no-'.length) : t.name;
    const spec = cmd.options[name]!;
    previous = spec;
    if (spec.type === 'boolean') {
      if (name in out) return undefined;
      out[name] = !negated;
      continue;
    }
    const value = t.value ?? '';
    // yargs takes `-o -` as an option with no value followed by an unknown `-`; `--output=-` is a value.
    if (value === '' || (value.startsWith('-') && !t.inlineValue)) return undefined;
    if (spec.choices && !spec.choices.includes(value)) return undefined;
    if (spec.array) {
      ((out[name] ??= []) as string[]).push(value);
      continue;
    }
    if (name in out) return undefined;
    out[name] = spec.type === 'number' ? Number(value) : value;
  }
  if (positionals.length > cmd.positionals.length) return undefined;
  cmd.positionals.forEach((p, i) => (out[p.name] = positionals[i] ?? p.default));
  for (const [name, o] of Object.entries(cmd.options))
    if (!(name in out) && o.default !== undefined)
      out[name] = Array.isArray(o.default) ? [...(o.default as unknown[])] : o.default;
  return out;
}
