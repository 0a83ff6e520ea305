import { isAlias, isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import { looksLikeRepoId } from './ids.js';
import {
  commandArguments,
  commandDownload,
  execFormWords,
  modelScopeHub,
  tokens,
  type ShellLine,
  type Token,
} from './shell-words.js';
import { SERVER_WORDS } from './prefilter.js';
import { HUB_SETTING_VARIABLES, llamaCppDownloads, readMlxContainer, reportHubSetting } from './runtimes.js';
import {
  MAX_ENV_VALUES,
  envFileEntries,
  envFromFiles,
  type EnvBudget,
  type EnvFileValues,
} from './compose-env-files.js';
import type { DockerEnvFiles } from './docker-env-file.js';
import { readLoraModules, readTokenizer, type ServerOptions } from './vllm-options.js';
import { lineIndex } from './text.js';
import { dockerfileStart } from './dockerfile-start.js';
import type { FileReferences } from './types.js';
import { interpolate, type ShellValue } from './compose-env.js';
import { SHELL_PROGRAM } from './shell-scope.js';
import { parseShallowYaml } from '../core/yaml-depth.js';
import { scalarText, valueStart } from './yaml-scalars.js';
import { configMapKeyValue, envFromOf, type ConfigMaps } from './kubernetes-env.js';

/**
 * Model servers started from shell lines (scripts, Dockerfile `RUN`/`CMD`, workflow `run:`), which download the hub
 * model they are given at start-up — never run:
 * - vLLM: `vllm serve <model_tag>` (vllm/entrypoints/cli/serve.py `ServeSubcommand.cmd`: the positional tag, else
 *   `--model`) and `python -m vllm.entrypoints.openai.api_server --model <id>`; EngineArgs `add_cli_args` reads
 *   `--revision` and `--trust-remote-code`;
 * - SGLang: `sglang serve` or `python -m sglang.launch_server` with `--model-path` (ServerArgs `add_cli_args`),
 *   `--revision`, `--trust-remote-code`;
 * - Infinity: `infinity_emb v2` with its `--model-id`s (`readInfinity`), its trust_remote_code on by default;
 * - text-generation-inference: `text-generation-launcher` or the `text-generation-inference` image with
 *   `--model-id <id>` (launcher/src/main.rs `Args`), `--revision`, `--trust-remote-code`;
 * - llama.cpp's `LLAMA_ARG_HF_REPO` (common/arg.cpp: `--hf-repo`'s `set_env`), set where the run's environment is made;
 * - any of their images started with `docker run` (`dockerRun`), read as a Compose service is.
 */

/** `--name value` or `--name=value`, as argparse and clap read them; a flag alone is ''. */
const optionsOf = (args: readonly Token[], flags: ReadonlySet<string>) => commandArguments(args, flags).values;

const FLAGS: ReadonlySet<string> = new Set(['--trust-remote-code']);

/** A server command line: what starts it, its model, its options, and for vLLM every word after the command. */
function serverModel(words: readonly Token[]): ServerOptions | undefined {
  const i = words.findIndex((w, k) => /(^|\/)vllm$/.test(w.text) && words[k + 1]?.text === 'serve');
  if (i >= 0) {
    const rest = words.slice(i + 2);
    const options = optionsOf(rest, FLAGS);
    const tag = rest[0] && !rest[0].text.startsWith('-') ? rest[0] : undefined;
    const model = tag ?? options.get('--model');
    return { via: 'vllm serve', ...(model ? { model } : {}), options, args: rest };
  }
  const api = words.findIndex((w) => /^vllm\.entrypoints\.(openai\.)?api_server$/.test(w.text));
  if (api >= 0) {
    const args = words.slice(api + 1);
    const options = optionsOf(args, FLAGS);
    const model = options.get('--model');
    return { via: 'vllm api_server', ...(model ? { model } : {}), options, args };
  }
  const tgi = words.findIndex((w) => /(^|\/)text-generation-(launcher|inference)(:[\w.-]+)?$/.test(w.text));
  if (tgi >= 0) {
    const options = optionsOf(words.slice(tgi + 1), FLAGS);
    const model = options.get('--model-id');
    return { via: 'text-generation-inference', ...(model ? { model } : {}), options };
  }
  // SGLang: `sglang serve` (the recommended entrypoint) or `python -m sglang.launch_server`; ServerArgs
  // `add_cli_args` (sglang/srt/server_args.py): `--model-path` or its alias `--model`, a local folder or a hub repo
  // id, `--revision`, `--trust-remote-code`.
  const sgl = words.findIndex(
    (w, k) => (/(^|\/)sglang$/.test(w.text) && words[k + 1]?.text === 'serve') || w.text === 'sglang.launch_server',
  );
  if (sgl >= 0) {
    const args = words.slice(sgl + (words[sgl]!.text === 'sglang.launch_server' ? 1 : 2));
    const options = optionsOf(args, FLAGS);
    const model = options.get('--model-path') ?? options.get('--model');
    return { via: 'sglang', ...(model ? { model } : {}), options, args };
  }
  // text-embeddings-inference: `text-embeddings-router --model-id <id> --revision <rev>` (router/src/main.rs `Args`).
  const tei = words.findIndex((w) => /(^|\/)text-embeddings-router$/.test(w.text));
  if (tei >= 0) {
    const options = optionsOf(words.slice(tei + 1), FLAGS);
    const model = options.get('--model-id');
    return { via: 'text-embeddings-inference', ...(model ? { model } : {}), options };
  }
  return undefined;
}

export function readModelServers(line: ShellLine): void {
  const { command, where, path, existsLocally, out } = line;
  if (!SERVER_WORDS.some((w) => command.includes(w))) return;
  for (const segment of command.matchAll(/[^;&|`]+/g)) {
    const words = execFormWords(segment[0], segment.index, line.vars);
    // A container started here is read as Compose's services are (`dockerRun`).
    const container = dockerRun(words, line.dockerEnvFiles);
    if (container) {
      // runtimes.ts `readLlamaCpp` reads a llama.cpp container's `-hf` from the line itself.
      readServer(container, { path, at: where, existsLocally, out, hostEnv: line.hubEnv, llamaRead: true });
      continue;
    }
    if (readInfinity(words, new Map(), { path, at: where, existsLocally, out })) continue;
    const found = serverModel(words);
    if (!found?.model) continue;
    const { via, model, options } = found;
    const place = { path, ...where(model.at), via };
    const hub = modelScopeHub(via, (name) => line.hubEnv?.get(name));
    // A local folder (`--model ./model/checkpoint`, `/data/llama`) is no download.
    commandDownload(place, model, options.get('--revision'), existsLocally, out, {
      runsRemoteCode: options.has('--trust-remote-code'),
      ...hub,
    });
    readTokenizer(found, (at) => ({ path, ...where(at), via }), existsLocally, out, hub);
    readLoraModules(found, (at, option) => ({ path, ...where(at), via: `${via} ${option}` }), existsLocally, out);
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

/** The model-server images whose entrypoint is the server itself, as Compose runs them with `command:` as arguments. */
const SERVER_IMAGES: readonly [image: RegExp, words: readonly string[]][] = [
  // text-generation-inference's image: ENTRYPOINT ["text-generation-launcher"].
  [/(^|\/)text-generation-inference(:|@|$)/, ['text-generation-launcher']],
  // vLLM's OpenAI-compatible server image: `vllm serve` (api_server before), a model tag or `--model`.
  [/(^|\/)vllm-openai(:|@|$)/, ['vllm', 'serve']],
  // text-embeddings-inference's images (`:cpu-1.5`, `:1.5`, `:turing-1.5`…): ENTRYPOINT ["text-embeddings-router"].
  [/(^|\/)text-embeddings-inference(:|@|$)/, ['text-embeddings-router']],
  // Infinity's image (michaelf34/infinity, `:latest-cpu`…): ENTRYPOINT ["infinity_emb"], `command:` its `v2 …`.
  [/(^|\/)michaelf34\/infinity(:|@|$)/, ['infinity_emb']],
  // llama.cpp's images (.devops/*.Dockerfile): the `server` target's ENTRYPOINT ["/app/llama-server"] (`:server`,
  // `:server-cuda`…), the `light` target's ["/app/llama-cli"]; both take `-hf` (runtimes.ts `llamaCppDownloads`).
  [/(^|\/)llama\.cpp:server(-[\w.-]*)?$/, ['/app/llama-server']],
  [/(^|\/)llama\.cpp:light(-[\w.-]*)?$/, ['/app/llama-cli']],
];

/** llama.cpp's programs that download what `-hf` names (common/arg.cpp, the examples' shared arguments). */
const LLAMA_PROGRAM = /(^|\/)llama-(server|cli)$/;

/**
 * The model each Hugging Face server loads when none is given: text-generation-inference launcher/src/main.rs and
 * text-embeddings-inference router/src/main.rs `Args`, `model_id`'s clap `default_value`.
 */
const DEFAULT_MODELS: ReadonlyMap<string, string> = new Map([
  ['text-generation-inference', 'bigscience/bloom-560m'],
  ['text-embeddings-inference', 'BAAI/bge-large-en-v1.5'],
]);
/** The variables both Hugging Face servers' clap `Args` read (`#[clap(long, env)]`): text-generation and embeddings. */
const TGI_ENV: ReadonlyMap<string, string> = new Map([
  ['--model-id', 'MODEL_ID'],
  ['--revision', 'REVISION'],
]);

/** A server a container starts: its image, entrypoint and arguments as words, its environment, where it is named. */
interface Container {
  readonly image: string | undefined;
  readonly imageAt: number;
  readonly entrypoint: readonly Token[];
  readonly command: readonly Token[];
  readonly env: ReadonlyMap<string, Token>;
  readonly label: string;
}

/** Where a container's model server is reported: the file, its positions, the local-folder test, the references. */
interface ServerSink {
  readonly path: string;
  readonly at: (offset: number) => { line: number; column: number };
  readonly existsLocally: (p: string) => boolean;
  readonly out: FileReferences;
  /** The hub variables of the shell line that starts the container (`docker run`), for what `-e X` passes through. */
  readonly hostEnv?: ReadonlyMap<string, string> | undefined;
  /** A script a container hands to a shell (`sh -c`), with the variables its environment sets: read as shell. */
  readonly script?: (script: Token, env: ReadonlyMap<string, ShellValue>) => void;
  /** The container is started from a shell line, whose llama.cpp `-hf` and mlx-lm command runtimes.ts reads. */
  readonly llamaRead?: boolean;
  /** The ConfigMaps of a Kubernetes manifest stream, which its containers' `envFrom` and `valueFrom` read. */
  readonly configMaps?: ConfigMaps;
}

/** A container's `image:` (Compose and Kubernetes alike): its name, and where it is written. */
function imageOf(node: unknown): Pick<Container, 'image' | 'imageAt'> {
  return {
    image: isScalar(node) && typeof node.value === 'string' ? node.value : undefined,
    imageAt: isScalar(node) ? (node.range?.[0] ?? 0) : 0,
  };
}

/** Words that run a model server themselves (`vllm serve …`), whatever image they run in. */
const namesServer = (words: readonly Token[]) =>
  words.some((w) =>
    /(^|\/)(vllm|text-generation-launcher|text-embeddings-router|sglang|infinity_emb|llama-server|llama-cli)$|^vllm\.entrypoints\.|^sglang\.launch_server$/.test(
      w.text,
    ),
  );

/**
 * The model a container's server downloads: its own command line when it runs the server itself (`vllm serve …`),
 * else the server image's entrypoint with `command` as its arguments; text-generation-inference and
 * text-embeddings-inference also read `MODEL_ID`, `REVISION` (and TGI `TRUST_REMOTE_CODE`) from the environment,
 * and TGI and TEI with no model load their defaults.
 */
function readServer(c: Container, { path, at, existsLocally, out, hostEnv, llamaRead }: ServerSink): void {
  const own = [...c.entrypoint, ...c.command];
  if (!llamaRead && readMlxContainer(own, c.env, { path, at, existsLocally, out })) return;
  const server = c.image === undefined ? undefined : SERVER_IMAGES.find(([re]) => re.test(c.image!));
  // A command that runs the server itself (`vllm serve …`) is read as it is; else a server image's entrypoint.
  const named = namesServer(own);
  const words =
    named || !server || c.entrypoint.length > 0
      ? own
      : [...server[1].map((text) => ({ text, at: c.imageAt, expands: false })), ...own];
  const llama = words.findIndex((w) => LLAMA_PROGRAM.test(w.text));
  if (llama >= 0) {
    if (llamaRead) return;
    const place = (p: number) => ({ path, ...at(p), via: `llama.cpp -hf (${c.label})` });
    llamaCppDownloads(words.slice(llama + 1), place, existsLocally, out);
    return;
  }
  if (readInfinity(words, c.env, { path, at, existsLocally, out }, c.label, own[0]?.at ?? c.imageAt)) return;
  const found = serverModel(words);
  if (!found) return;
  const tgi = found.via === 'text-generation-inference';
  const env = tgi || found.via === 'text-embeddings-inference' ? c.env : new Map<string, Token>();
  const option = (name: string) => found.options.get(name) ?? env.get(TGI_ENV.get(name) ?? '');
  const fallback = DEFAULT_MODELS.get(found.via);
  const model =
    found.model ??
    option('--model-id') ??
    (fallback !== undefined
      ? { text: fallback, at: named ? (own[0]?.at ?? c.imageAt) : c.imageAt, expands: false }
      : undefined);
  if (!model) return;
  // The flag alone turns it on; the variable, as clap's falsey parser reads a bool (`false`, `0`, `no`… are off).
  // The container's own environment decides, not the shell's that starts it: only a variable passed through
  // (`docker run -e VLLM_USE_MODELSCOPE`) takes the shell's value.
  const hub = modelScopeHub(found.via, (name) => {
    const set = c.env.get(name);
    return set?.expands === true && set.text === name ? hostEnv?.get(name) : set?.text;
  });
  const trustEnv = env.get('TRUST_REMOTE_CODE');
  const trusts =
    found.options.has('--trust-remote-code') ||
    (tgi && trustEnv !== undefined && !/^(n|no|f|false|off|0|)$/i.test(trustEnv.text.trim()));
  commandDownload(
    { path, ...at(model.at), via: `${found.via} (${c.label})` },
    model,
    option('--revision'),
    existsLocally,
    out,
    { runsRemoteCode: trusts, ...hub },
  );
  readTokenizer(found, (p) => ({ path, ...at(p), via: `${found.via} (${c.label})` }), existsLocally, out, hub);
  readLoraModules(
    found,
    (p, option) => ({ path, ...at(p), via: `${found.via} ${option} (${c.label})` }),
    existsLocally,
    out,
  );
}

/** Infinity's model when none is named (infinity_emb/env.py `model_id`'s default). */
const INFINITY_DEFAULT_MODEL = 'michaelfeil/bge-small-en-v1.5';

/**
 * Infinity, the embedding server: `infinity_emb v2` (infinity_emb/cli.py `v2`) serves every `--model-id` given, else
 * the `;`-separated `INFINITY_MODEL_ID` of its environment, else michaelfeil/bge-small-en-v1.5 (env.py); `--revision`
 * and `--trust-remote-code` (else `INFINITY_REVISION`, `INFINITY_TRUST_REMOTE_CODE`) are lists spread over the models
 * (`AutoPadding`: one value for all, or one per model). trust_remote_code is **on** unless turned off
 * (`INFINITY_TRUST_REMOTE_CODE` defaults to "true"; only "true" and "1" are true): each model's repository code runs.
 * v1 (deprecated) takes one `--model-name-or-path`. True when `words` start Infinity.
 */
function readInfinity(
  words: readonly Token[],
  env: ReadonlyMap<string, Token>,
  { path, at, existsLocally, out }: ServerSink,
  label?: string,
  defaultAt?: number,
): boolean {
  const i = words.findIndex((w, k) => /(^|\/)infinity_emb$/.test(w.text) && /^v[12]$/.test(words[k + 1]?.text ?? ''));
  if (i < 0) return false;
  const v1 = words[i + 1]!.text === 'v1';
  const values = new Map<string, Token[]>();
  const rest = words.slice(i + 2);
  for (let k = 0; k < rest.length; k++) {
    const t = rest[k]!;
    if (!t.text.startsWith('--')) continue;
    const eq = t.text.indexOf('=');
    const name = eq > 0 ? t.text.slice(0, eq) : t.text;
    const list = values.get(name) ?? [];
    values.set(name, list);
    if (eq > 0) list.push({ ...t, text: t.text.slice(eq + 1), at: t.at + eq + 1 });
    else if (name === '--no-trust-remote-code') list.push({ ...t, text: 'false' });
    else if (rest[k + 1] && !rest[k + 1]!.text.startsWith('--')) list.push(rest[++k]!);
    else list.push({ ...t, text: 'true' });
  }
  const split = (t: Token | undefined): Token[] | undefined =>
    t &&
    (t.expands
      ? [t]
      : t.text
          .replace(/;$/, '')
          .split(';')
          .map((text) => ({ ...t, text })));
  const models = values.get(v1 ? '--model-name-or-path' : '--model-id') ??
    split(env.get('INFINITY_MODEL_ID')) ?? [
      { text: INFINITY_DEFAULT_MODEL, at: defaultAt ?? words[i]!.at, expands: false },
    ];
  const revisions = values.get('--revision') ?? split(env.get('INFINITY_REVISION')) ?? [];
  const trusts = [...(values.get('--trust-remote-code') ?? []), ...(values.get('--no-trust-remote-code') ?? [])];
  const trustList = trusts.length > 0 ? trusts : (split(env.get('INFINITY_TRUST_REMOTE_CODE')) ?? []);
  // AutoPadding: one value for every model, one per model, none for the defaults; any other count is a ValueError.
  const nth = <T>(list: readonly T[], k: number): T | undefined => (list.length === 1 ? list[0] : list[k]);
  if ([revisions, trustList].some((l) => l.length > 1 && l.length !== models.length)) return true;
  models.forEach((model, k) => {
    const rev = nth(revisions, k);
    const trust = nth(trustList, k);
    commandDownload(
      { path, ...at(model.at), via: label ? `infinity (${label})` : 'infinity' },
      model,
      rev && !rev.expands && rev.text === '' ? undefined : rev,
      existsLocally,
      out,
      // env.py `_to_bool_multiple`: "true" and "1" are true; unset, the default "true". A value the shell expands is
      // the run time's: counted as on, as the default is.
      {
        runsRemoteCode: trust === undefined || trust.expands || /^(?:true|1)$/i.test(trust.text),
        remoteCodeByDefault: trust === undefined,
      },
    );
  });
  return true;
}

/** `docker run` options that take no value (the rest take one: `-p 80:80`, `--gpus all`, `-e K=V`). */
const DOCKER_RUN_FLAGS: ReadonlySet<string> = new Set([
  '--rm',
  '--detach',
  '--interactive',
  '--tty',
  '--privileged',
  '--init',
  '--publish-all',
  '--read-only',
  '--no-healthcheck',
  '--oom-kill-disable',
  '--quiet',
  '--help',
]);

/**
 * `docker run [options] IMAGE [ARG…]` (and `podman run`, `docker container run`): the container, as Compose's
 * services are read — `--entrypoint` replaces the image's, the words after the image are its arguments, `-e K=V` /
 * `--env K=V` its environment. `-e K` alone passes the host's value, and `--env-file` sets what this line does not
 * show: the server's model and revision variables are then the run time's. Undefined for any other command.
 */
function dockerRun(words: readonly Token[], envFiles: DockerEnvFiles = new Map()): Container | undefined {
  const start = words.findIndex(
    (w, k) =>
      /(^|\/)(docker|podman)$/.test(w.text) &&
      (words[k + 1]?.text === 'run' || (words[k + 1]?.text === 'container' && words[k + 2]?.text === 'run')),
  );
  if (start < 0) return undefined;
  let i = start + (words[start + 1]!.text === 'run' ? 2 : 3);
  const env = new Map<string, Token>();
  let entrypoint: Token[] = [];
  const files: Token[] = [];
  for (; i < words.length; i++) {
    const w = words[i]!;
    if (w.text === '--') {
      i++;
      break;
    }
    if (!w.text.startsWith('-')) break;
    const long = w.text.startsWith('--');
    const eq = long ? w.text.indexOf('=') : -1;
    const name = eq > 0 ? w.text.slice(0, eq) : long ? w.text : w.text.slice(0, 2);
    // Short boolean flags run together (`-it`, `-d`); a short option's value may follow it directly (`-p8080:80`).
    if (DOCKER_RUN_FLAGS.has(name) || /^-[dit]+$/.test(w.text) || w.text === '-P') continue;
    const value =
      eq > 0
        ? { ...w, text: w.text.slice(eq + 1), at: w.at + eq + 1 }
        : !long && w.text.length > 2
          ? { ...w, text: w.text.slice(2), at: w.at + 2 }
          : words[++i];
    if (!value) return undefined;
    if (name === '-e' || name === '--env') {
      const k = value.text.indexOf('=');
      if (k > 0) env.set(value.text.slice(0, k), { ...value, text: value.text.slice(k + 1), at: value.at + k + 1 });
      // The host's value, passed through: whatever the run's environment holds.
      else env.set(value.text, { ...value, expands: true });
    } else if (name === '--env-file') files.push(value);
    else if (name === '--entrypoint') entrypoint = [value];
  }
  const image = words[i];
  if (!image) return undefined;
  return {
    image: image.text,
    imageAt: image.at,
    entrypoint,
    command: words.slice(i + 1),
    env: withEnvFiles(files, envFiles, env),
    label: 'docker run',
  };
}

/**
 * A `docker run` container's environment (docker/cli opts `ReadKVEnvStrings`): its `--env-file` files in order, a
 * later one overriding an earlier one, then `-e` over them all. A file the repository holds sets what it writes, each
 * variable placed at the option's value; one it does not (or one the shell expands, or docker refuses) may set the
 * servers' model and revision, which are then the run time's.
 */
function withEnvFiles(
  files: readonly Token[],
  envFiles: DockerEnvFiles,
  given: ReadonlyMap<string, Token>,
): Map<string, Token> {
  const env = new Map<string, Token>();
  for (const f of files) {
    const held = f.expands ? undefined : envFiles.get(f.text);
    if (held === undefined) {
      for (const v of TGI_ENV.values()) env.set(v, { text: '', at: f.at, expands: true });
      continue;
    }
    // `NAME` alone: the host's value, passed through.
    for (const [name, value] of held) env.set(name, { text: value ?? name, at: f.at, expands: value === null });
  }
  for (const [name, value] of given) env.set(name, value);
  return env;
}

/**
 * Model servers a Compose file starts (never run): each service's `entrypoint:` and `command:` read as one command
 * line, and for the `text-generation-inference` and `vllm-openai` images, whose entrypoint is the server, `command:`
 * as the server's arguments. text-generation-inference also reads `MODEL_ID`, `REVISION` and `TRUST_REMOTE_CODE` from
 * `environment:`, and with no model loads its default. False when the file is not read as YAML: the caller's line
 * reader then reads its command lines as shell.
 */
export function readComposeServers(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
  out: FileReferences,
  /** The project's `.env` values (compose-env.ts `dotenvValues`), which Compose interpolates when the shell sets none. */
  dotenv: ReadonlyMap<string, string> = new Map(),
  /** A `sh -c` script a service runs, with the variables its `environment:` fixes: read as shell. */
  script?: ServerSink['script'],
  /** The variables of the env files its services name (compose-env-files.ts), by repository path. */
  envFiles: EnvFileValues = new Map(),
): boolean {
  const doc = parseShallowYaml(text, { uniqueKeys: false, prettyErrors: false });
  if (doc.errors.length > 0) return false;
  // `command: *serve`: an anchor's node, resolved in this document (never expanded further).
  const node = (n: unknown) => (isAlias(n) ? n.resolve(doc) : n);
  const services = isMap(doc.contents) ? node(doc.contents.get('services', true)) : undefined;
  if (!isMap(services)) return true;
  const at = lineIndex(text);
  const budget: EnvBudget = { left: MAX_ENV_VALUES };
  for (const item of services.items) {
    const service = node(item.value);
    if (!isMap(service)) continue;
    // Compose's `entrypoint:` replaces the image's; `command:` is its arguments. Each value interpolated.
    const entryWords = wordsOf(node(service.get('entrypoint', true)), text);
    const commandWords = wordsOf(node(service.get('command', true)), text);
    const entrypoint = entryWords.map((w) => interpolate(w, dotenv));
    const command = commandWords.map((w) => interpolate(w, dotenv));
    // compose-go `WithServicesEnvironmentResolved`: the env files first, in order, then `environment:` over them.
    const fromFiles = envFromFiles(
      envFileEntries(node(service.get('env_file', true)), path, text, dotenv),
      envFiles,
      dotenv,
      [...TGI_ENV.values()],
      budget,
    );
    const own = new Map(
      [...environmentOf(node(service.get('environment', true)), text)].map(([k, v]) => [k, interpolate(v, dotenv)]),
    );
    const env = new Map([...fromFiles, ...own]);
    // A hub setting only an env file makes (`HF_ENDPOINT`): reported at the entry that names the file, as the line
    // reader reports one `environment:` makes at its line.
    for (const [name, t] of fromFiles)
      if (!own.has(name) && HUB_SETTING_VARIABLES.has(name))
        reportHubSetting({ path, ...at(t.at) }, name, t.text, t.expands, out);
    readServer(
      {
        ...imageOf(node(service.get('image', true))),
        entrypoint,
        command,
        env,
        label: `Compose service ${String(isScalar(item.key) ? item.key.value : '?')}`,
      },
      { path, at, existsLocally, out },
    );
    // `command: sh -c "mlx_lm.server …"`: the container's shell runs the script with the service's `environment:`
    // exported (its `MLX_LM_TRUST_REMOTE_CODE`, `VLLM_USE_MODELSCOPE`, a `$$MODEL` the script reads), as a Kubernetes
    // container's `env:` (`readPodContainers`).
    const shell = shellScriptOf([...entrypoint, ...command]);
    const raw = shellScriptOf([...entryWords, ...commandWords])?.text ?? '';
    if (shell && script) script(unquoted(shell, text), withoutComposeVariables(fixedEnv(env), raw));
  }
  return true;
}

/**
 * The container's variables but those the script's own `$NAME` reads: Compose replaces each of those from the shell
 * that runs it (or `.env`) before the container starts, never from the service's `environment:`; only `$$NAME` is
 * left for the container's shell (compose-env.ts `interpolate`).
 */
function withoutComposeVariables(env: Map<string, ShellValue>, raw: string): Map<string, ShellValue> {
  for (const m of raw.matchAll(/\$(?:\$|\{?([A-Za-z_]\w*))/g)) if (m[1] !== undefined) env.delete(m[1]);
  return env;
}

/** The variables a container's environment fixes (not the run time's), as a script it runs starts with them. */
const fixedEnv = (env: ReadonlyMap<string, Token>): Map<string, ShellValue> =>
  new Map([...env].filter(([, t]) => !t.expands).map(([k, t]) => [k, { value: t.text }]));

/** A word the shell split from a string (`sh -c "…"`): placed past its opening quote, where its text starts. */
function unquoted(word: Token, text: string): Token {
  const quote = text[word.at];
  return (quote === '"' || quote === "'") && !word.text.startsWith(quote) ? { ...word, at: word.at + 1 } : word;
}

/**
 * The model server a Dockerfile's image starts (never run or built): its last stage's ENTRYPOINT and CMD as the image
 * records them, for a container run with no arguments, read as a Compose service is (`readServer`). docs.docker.com
 * reference/dockerfile "Understand how CMD and ENTRYPOINT interact": the exec forms run as ENTRYPOINT followed by CMD;
 * with no ENTRYPOINT of its own the base image's runs (`FROM vllm/vllm-openai` + `CMD ["--model", …]` is `vllm serve
 * --model …`); an ENTRYPOINT resets a CMD inherited from the base image; a shell-form ENTRYPOINT ignores CMD; the
 * last instruction of each kind wins; a stage built FROM an earlier one starts with its settings. ENV sets the
 * server's environment (text-generation-inference's `MODEL_ID`). Shell forms are left to the line reader
 * (shell-commands.ts), which reads each line as a command. Only the default `\` escape is read.
 */
export function readDockerfileServers(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
  out: FileReferences,
): void {
  const stage = dockerfileStart(text);
  if (!stage || stage.entrypoint === 'shell' || (stage.entrypoint === undefined && stage.cmd === 'shell')) return;
  // One instruction that starts the server itself (`CMD ["vllm", "serve", …]`) is the line reader's, as it was.
  const [entry, cmd] = [stage.entrypoint ?? [], stage.cmd === 'shell' ? [] : (stage.cmd ?? [])];
  if ((entry.length === 0 && namesServer(cmd)) || (cmd.length === 0 && namesServer(entry))) return;
  readServer(
    {
      image: stage.image,
      imageAt: stage.imageAt,
      entrypoint: entry,
      // A shell-form CMD after an exec ENTRYPOINT is passed as `/bin/sh -c "…"`: no server argument to read.
      command: cmd,
      env: stage.env,
      label: 'Dockerfile',
    },
    { path, at: lineIndex(text), existsLocally, out },
  );
}

/**
 * The model servers a Kubernetes pod spec starts (a Deployment's, StatefulSet's, Job's… `containers:` and
 * `initContainers:`), read as Compose services are: a container's `command:` replaces the image's entrypoint and
 * `args:` are its arguments (the Kubernetes API's Container), `env:` a list of `name`/`value` over what `envFrom` sets
 * (a `valueFrom` or a source that is no ConfigMap of the stream is the run time's: kubernetes-env.ts).
 */
export function readPodContainers(
  spec: YAMLMap,
  text: string,
  sink: ServerSink,
  /** What is left of the file's `MAX_ENV_VALUES` (compose-env-files.ts), shared by its pods. */
  budget: EnvBudget = { left: MAX_ENV_VALUES },
): void {
  for (const key of ['containers', 'initContainers']) {
    const list = spec.get(key, true);
    if (!isSeq(list)) continue;
    for (const container of list.items) {
      if (!isMap(container)) continue;
      const name = container.get('name', true);
      // kubelet `makeEnvironmentVariables`: `envFrom` first, then `env` over it (kubernetes-env.ts).
      const env = envFromOf(container, sink.configMaps ?? new Map(), [...TGI_ENV.values()], budget);
      const vars = container.get('env', true);
      for (const v of isSeq(vars) ? vars.items : []) {
        if (!isMap(v)) continue;
        const n = v.get('name', true);
        if (!isScalar(n) || typeof n.value !== 'string') continue;
        const value = v.get('value', true);
        const valueText = isScalar(value) ? scalarText(value.value) : undefined;
        // A value refers to the variables set above it (kubelet `makeEnvironmentVariables`); a `valueFrom` (or a
        // value that is no scalar) is the run time's, and replaces what an earlier entry of the name set, unless it
        // is a key of a ConfigMap the manifest holds.
        env.set(
          n.value,
          isScalar(value) && valueText !== undefined
            ? kubernetesExpand({ text: valueText, at: valueStart(value, text), expands: false }, env)
            : (configMapKeyValue(v.get('valueFrom', true), sink.configMaps ?? new Map()) ?? {
                text: `$(${n.value})`,
                at: n.range?.[0] ?? 0,
                expands: true,
              }),
        );
      }
      // `$(VAR)` in `command:` and `args:` is replaced from the container's whole `env:` (kubelet
      // `ExpandContainerCommandAndArgs`), before any shell sees the words.
      const expand = (t: Token) => kubernetesExpand(t, env);
      const entrypoint = wordsOf(container.get('command', true), text, false).map(expand);
      const command = wordsOf(container.get('args', true), text, false).map(expand);
      readServer(
        {
          ...imageOf(container.get('image', true)),
          entrypoint,
          command,
          env,
          label: `Kubernetes container ${isScalar(name) ? String(name.value) : '?'}`,
        },
        sink,
      );
      // `command: ["/bin/sh", "-c"]` with the script in `args:` (or all in `command:`): a command line of its own,
      // with the container's environment (`value:`s the manifest fixes).
      const script = shellScriptOf([...entrypoint, ...command]);
      if (script && sink.script) sink.script(script, fixedEnv(env));
    }
  }
}

/**
 * The script of `sh -c <script>` (any shell by name or path, options before a `-c`-bearing one; bash's `-c`: the
 * first argument after the options is the command string), as exec words; undefined for any other command.
 */
function shellScriptOf(argv: readonly Token[]): Token | undefined {
  if (argv.length < 3 || !SHELL_PROGRAM.test(argv[0]!.text)) return undefined;
  for (let i = 1; i < argv.length - 1; i++) {
    const o = argv[i]!.text;
    if (!o.startsWith('-')) return undefined;
    // `/^-[a-zA-Z]*c[a-zA-Z]*$/` in two linear steps (redos: it tried every `c` of `-cccc…!`, quadratic).
    if (/^-[a-zA-Z]*$/.test(o) && o.includes('c')) return argv[i + 1];
  }
  return undefined;
}

/**
 * A Compose `command:` or `entrypoint:` as words: a string split as the shell would, or a list of strings, which
 * Compose interpolates (`$VAR`) and Kubernetes (`compose` false) hands on as written, for `kubernetesExpand`.
 */
function wordsOf(node: unknown, text: string, compose = true): Token[] {
  if (isScalar(node) && typeof node.value === 'string') return tokens(node.value, valueStart(node, text));
  if (!isSeq(node)) return [];
  const out: Token[] = [];
  for (const n of node.items)
    if (isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number'))
      out.push({ text: String(n.value), at: valueStart(n, text), expands: compose && String(n.value).includes('$') });
  return out;
}

/**
 * Kubernetes' variable references (third_party/forked/golang/expansion `Expand` with `MappingFuncFor`): `$(NAME)`
 * becomes the value `env` sets for NAME, `$$` one `$`, any other `$` stays; a name `env` does not fix (a
 * `valueFrom`, `envFrom`, the service variables kubelet adds) is the run time's, so the word is too.
 */
function kubernetesExpand(word: Token, env: ReadonlyMap<string, Token>): Token {
  const input = word.text;
  if (!input.includes('$')) return word;
  let out = '';
  let expands = false;
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    const close = next === '(' ? input.indexOf(')', cursor + 2) : -1;
    if (next === '$') out += '$';
    else if (close !== -1) {
      const set = env.get(input.slice(cursor + 2, close));
      if (set === undefined || set.expands) expands = true;
      out += set === undefined ? input.slice(cursor, close + 1) : set.text;
      cursor = close - 1;
    } else out += `$${next}`;
    cursor += 1;
    checkpoint = cursor + 1;
  }
  return { text: out + input.slice(checkpoint), at: word.at, expands };
}

/** Compose `environment:` as a map (`KEY: value`) or a list (`KEY=value`), each value with where it stands. */
function environmentOf(node: unknown, text: string): Map<string, Token> {
  const env = new Map<string, Token>();
  if (isMap(node))
    for (const item of node.items) {
      const v = item.value;
      // A scalar's value: a string, or a number or bool Compose passes on as its text (`REVISION: 2`, `X: true`).
      const value = isScalar(v) ? scalarText(v.value) : undefined;
      if (isScalar(item.key) && isScalar(v) && value !== undefined)
        env.set(String(scalarText(item.key.value)), {
          text: value,
          at: valueStart(v, text),
          expands: value.includes('$'),
        });
    }
  else if (isSeq(node))
    for (const n of node.items) {
      if (!isScalar(n) || typeof n.value !== 'string') continue;
      const eq = n.value.indexOf('=');
      if (eq > 0)
        env.set(n.value.slice(0, eq), {
          text: n.value.slice(eq + 1),
          at: valueStart(n, text) + eq + 1,
          expands: n.value.includes('$'),
        });
    }
  return env;
}
