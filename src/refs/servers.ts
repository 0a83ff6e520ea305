import { looksLikeRepoId } from './ids.js';
import { commandDownload, tokens, type ShellLine, type Token } from './shell-words.js';

/**
 * Model servers started from shell lines (scripts, Dockerfile `RUN`/`CMD`, workflow `run:`), which download the hub
 * model they are given at start-up — never run:
 * - vLLM: `vllm serve <model_tag>` (vllm/entrypoints/cli/serve.py `ServeSubcommand.cmd`: the positional tag, else
 *   `--model`) and `python -m vllm.entrypoints.openai.api_server --model <id>`; EngineArgs `add_cli_args` reads
 *   `--revision` and `--trust-remote-code`;
 * - text-generation-inference: `text-generation-launcher` or the `text-generation-inference` image with
 *   `--model-id <id>` (launcher/src/main.rs `Args`), `--revision`, `--trust-remote-code`;
 * - llama.cpp's `LLAMA_ARG_HF_REPO` (common/arg.cpp: `--hf-repo`'s `set_env`), set where the run's environment is made.
 */

/** A Dockerfile exec form's words (`CMD ["vllm", "serve", …]`) without their brackets, quotes and commas. */
function execWords(segment: string, offset: number): Token[] {
  const out: Token[] = [];
  for (const t of tokens(segment, offset)) {
    const lead = /^[[\s"]*/.exec(t.text)![0].length;
    let end = t.text.length;
    while (end > lead && /[\s",\]]/.test(t.text[end - 1]!)) end--;
    const text = t.text.slice(lead, end);
    if (text !== '') out.push({ ...t, text, at: t.at + lead });
  }
  return out;
}

/** `--name value` or `--name=value`, as argparse and clap read them; a flag alone is ''. */
function optionsOf(args: readonly Token[], flags: ReadonlySet<string>): Map<string, Token> {
  const options = new Map<string, Token>();
  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    if (!t.text.startsWith('--')) continue;
    const eq = t.text.indexOf('=');
    if (eq > 0) options.set(t.text.slice(0, eq), { ...t, text: t.text.slice(eq + 1), at: t.at + eq + 1 });
    else if (flags.has(t.text)) options.set(t.text, { ...t, text: '' });
    else if (args[i + 1] && !args[i + 1]!.text.startsWith('-')) options.set(t.text, args[++i]!);
  }
  return options;
}

const FLAGS: ReadonlySet<string> = new Set(['--trust-remote-code']);

/** The model a server command line starts with, its revision and remote code; undefined for other commands. */
function serverModel(words: readonly Token[]): { via: string; model?: Token; options: Map<string, Token> } | undefined {
  const i = words.findIndex((w, k) => /(^|\/)vllm$/.test(w.text) && words[k + 1]?.text === 'serve');
  if (i >= 0) {
    const rest = words.slice(i + 2);
    const options = optionsOf(rest, FLAGS);
    const tag = rest[0] && !rest[0].text.startsWith('-') ? rest[0] : undefined;
    const model = tag ?? options.get('--model');
    return { via: 'vllm serve', ...(model ? { model } : {}), options };
  }
  const api = words.findIndex((w) => /^vllm\.entrypoints\.(openai\.)?api_server$/.test(w.text));
  if (api >= 0) {
    const options = optionsOf(words.slice(api + 1), FLAGS);
    const model = options.get('--model');
    return { via: 'vllm api_server', ...(model ? { model } : {}), options };
  }
  const tgi = words.findIndex((w) => /(^|\/)text-generation-(launcher|inference)(:[\w.-]+)?$/.test(w.text));
  if (tgi >= 0) {
    const options = optionsOf(words.slice(tgi + 1), FLAGS);
    const model = options.get('--model-id');
    return { via: 'text-generation-inference', ...(model ? { model } : {}), options };
  }
  return undefined;
}

export function readModelServers(line: ShellLine): void {
  const { command, where, path, existsLocally, out } = line;
  if (!/vllm|text-generation-/.test(command)) return;
  for (const segment of command.matchAll(/[^;&|`]+/g)) {
    const found = serverModel(execWords(segment[0], segment.index));
    if (!found?.model) continue;
    const { via, model, options } = found;
    const place = { path, ...where(model.at), via };
    // A local folder (`--model ./model/checkpoint`, `/data/llama`) is no download.
    commandDownload(place, model, options.get('--revision'), existsLocally, out, {
      runsRemoteCode: options.has('--trust-remote-code'),
    });
  }
}

/**
 * llama.cpp `LLAMA_ARG_HF_REPO=<user>/<model>[:quant]` (and `LLAMA_ARG_HF_FILE`): what `-hf` would download, from the
 * default branch (runtimes.ts `readLlamaCpp`). Set by `export`, `ENV`, `docker run -e` or a workflow's `env:` map.
 */
export function readLlamaEnv(line: ShellLine): void {
  const { command, where, path, existsLocally, out } = line;
  if (!command.includes('LLAMA_ARG_HF_REPO')) return;
  const file = /LLAMA_ARG_HF_FILE(?:=|:[ \t]+)["']?([\w.-]+)/.exec(command)?.[1];
  for (const m of command.matchAll(/(?:^|[\s;&|(])LLAMA_ARG_HF_REPO(?:=|:[ \t]+)("[^"]*"|'[^']*'|[^\s;&|)#]+)/g)) {
    const raw = m[1]!;
    const value = raw.replace(/^(["'])(.*)\1$/, '$2');
    const at = m.index + m[0].length - raw.length;
    const place = { path, ...where(at), via: 'LLAMA_ARG_HF_REPO' };
    if (raw[0] !== "'" && value.includes('$')) {
      out.dynamic.push({ ...place, runsRemoteCode: false });
      continue;
    }
    const id = value.replace(/:[\w.-]+$/, '');
    if (!id.includes('/') || !looksLikeRepoId(id, existsLocally)) continue;
    out.references.push({
      ...place,
      hub: 'huggingface',
      repoId: id,
      revisionKind: 'none',
      ...(file !== undefined ? { file } : {}),
      runsRemoteCode: false,
      takesNoRevision: true,
    });
  }
}
