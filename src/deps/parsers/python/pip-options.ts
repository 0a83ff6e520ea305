import { abbrevMatches } from './requirements-options.js';

/**
 * pip's options of `install` / `wheel` / `download` that take a value (optparse `takes_value()`, read off pip
 * 23.0.1's own parsers, with `--group`, `--keyring-provider` and `--resume-retries` of later pips): their value is no
 * requirement. Every other option is a flag.
 */
export const PIP_VALUE_OPTIONS = new Set([
  '--abi',
  '--build-option',
  '--cache-dir',
  '--cert',
  '--client-cert',
  '--config-settings',
  '--constraint',
  '--default-timeout',
  '--dest',
  '--destination-dir',
  '--destination-directory',
  '--editable',
  '--exists-action',
  '--extra-index-url',
  '--find-links',
  '--global-option',
  '--group',
  '--implementation',
  '--index-url',
  '--install-option',
  '--keyring-provider',
  '--local-log',
  '--log',
  '--log-file',
  '--no-binary',
  '--only-binary',
  '--platform',
  '--prefix',
  '--progress-bar',
  '--proxy',
  '--pypi-url',
  '--python',
  '--python-version',
  '--report',
  '--requirement',
  '--resume-retries',
  '--retries',
  '--root',
  '--root-user-action',
  '--source',
  '--source-dir',
  '--source-directory',
  '--src',
  '--target',
  '--timeout',
  '--trusted-host',
  '--upgrade-strategy',
  '--use-deprecated',
  '--use-feature',
  '--wheel-dir',
]);
/** pip's flags of the same commands: optparse matches an abbreviated option against these too. */
const PIP_FLAGS = [
  '--break-system-packages',
  '--check-build-dependencies',
  '--compile',
  '--debug',
  '--disable-pip-version-check',
  '--dry-run',
  '--force-reinstall',
  '--help',
  '--ignore-installed',
  '--ignore-requires-python',
  '--isolated',
  '--no-build-isolation',
  '--no-cache-dir',
  '--no-clean',
  '--no-color',
  '--no-compile',
  '--no-dependencies',
  '--no-deps',
  '--no-index',
  '--no-input',
  '--no-python-version-warning',
  '--no-use-pep517',
  '--no-user',
  '--no-verify',
  '--no-warn-conflicts',
  '--no-warn-script-location',
  '--pre',
  '--prefer-binary',
  '--quiet',
  '--require-hashes',
  '--require-venv',
  '--require-virtualenv',
  '--upgrade',
  '--use-pep517',
  '--user',
  '--verbose',
  '--version',
];
const PIP_LONG = [...PIP_VALUE_OPTIONS, ...PIP_FLAGS];

/**
 * The pip option a long option word names: itself, else the one option it is a prefix of (optparse's `_match_abbrev`:
 * `--extra-index` is `--extra-index-url`); an ambiguous or unknown word stays as written (pip refuses it).
 */
export function pipLongOption(word: string): string {
  const hits = abbrevMatches(word, PIP_LONG);
  return hits.length === 1 ? hits[0]! : word;
}

/** pip's short options that take a value: `-r`, `-c`, `-e`, `-t`, `-i`, `-f`, `-d`, `-w`, `-C`. */
export const PIP_SHORT_VALUES = new Set(['r', 'c', 'e', 't', 'i', 'f', 'd', 'w', 'C']);
