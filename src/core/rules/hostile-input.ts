import { defineRules } from '../rule.js';

/**
 * CPX020–CPX039: scanner health under hostile input. Each marks something chainproof could not check because the
 * input was built to break it; none of them is a pass.
 */
export const HOSTILE_INPUT_RULES = defineRules([
  {
    id: 'CPX020',
    name: 'StageFailed',
    short: 'A scan stage failed with an internal error, so its checks did not run.',
    full: 'A whole stage of the scan (dependencies, registry verification, models, inspection or signatures) stopped with an unexpected error. Everything it covers is unverified, and inputs built to crash a scanner are a known way to slip past it, so the scan is marked incomplete and exits 4 whatever `--fail-on` says. The finding lists what was not checked.',
    help: 'Treat every listed item as unverified until a scan completes. Report the error to the chainproof maintainers with the input that caused it; look for unusually large or deeply nested files among the listed items.',
    level: 'error',
    severity: '8.0',
    tags: ['security', 'scanner-health'],
  },
  {
    id: 'CPX021',
    name: 'NestingTooDeep',
    short: 'A JSON or YAML document nests deeper than chainproof reads, so it was not checked.',
    full: 'Signature bundles, model signatures and lockfiles have shallow structure. A document nested hundreds of levels deep has no legitimate use and is a known way to crash parsers; chainproof refuses to parse it and reports it instead. Any check that depends on it (for example a required signature) fails.',
    help: 'Regenerate the file with the tool that normally writes it. If the file came with a pull request, treat it as hostile.',
    level: 'error',
    severity: '7.0',
    tags: ['security', 'scanner-health'],
  },
  {
    id: 'CPX022',
    name: 'NotARegularFile',
    short: 'A path in the tree is a FIFO, device or socket, so it was not read.',
    full: 'chainproof only reads regular files. A named pipe, device or socket under a file name that matters (a model, a lockfile, `.npmrc`) can hang or mislead a scanner and will behave differently when the build opens it. Nothing is known about what the build will read from it.',
    help: 'Replace it with a regular file, or remove it from the repository. Special files have no place in a source tree.',
    level: 'warning',
    severity: '6.0',
    tags: ['security', 'scanner-health'],
  },
  {
    id: 'CPX023',
    name: 'EmptyModelFile',
    short: 'A model file is empty (zero bytes).',
    full: 'A model file of zero bytes holds no weights: a failed download, a Git LFS object that was never fetched, or a placeholder meant to be swapped at build time. Loading it fails or loads something else, so it cannot be treated as checked.',
    help: 'Fetch the real file (for example `git lfs pull`), or remove the empty one.',
    level: 'warning',
    severity: '5.0',
    tags: ['security', 'models', 'scanner-health'],
  },
  {
    id: 'CPX024',
    name: 'PathTooLong',
    short: 'A path is longer than the system allows, so it was not read.',
    full: 'The path (or one of its names) is longer than the operating system lets a program open. chainproof reports it instead of stopping the whole scan; nothing is known about its content.',
    help: 'Shorten the directory or file names. Paths this long are unusual and may be meant to hide a file from scanners.',
    level: 'warning',
    severity: '5.0',
    tags: ['security', 'scanner-health'],
  },
  {
    id: 'CPX025',
    name: 'ArchiveLinkEscape',
    short: 'A symbolic or hard link inside an archive points outside the archive.',
    full: 'A tar member that is a symbolic or hard link whose target is absolute (such as `/etc/passwd`) or climbs out with `..`. Extracting the archive makes the link point at a file of the machine that extracts it, which can leak or overwrite data, just like a member whose own name escapes. A zip member made on Unix with the mode of a symbolic link is judged the same way: Info-ZIP `unzip` creates the link (the `zipfile` module of Python writes the target text as a plain file, which is inspected as any member).',
    help: 'Rebuild the archive without links, or with links that stay inside it. Do not extract this archive.',
    level: 'error',
    severity: '8.0',
    tags: ['security', 'models', 'archive'],
  },
  {
    id: 'CPX026',
    name: 'ArchiveDeviceMember',
    short: 'A tar member is a special file: a block or character device, or a FIFO.',
    full: "A tar member of type block or character device, or FIFO. Extracting the archive without a filter (Python's `tarfile.extractall` before 3.14, or NeMo's `restore_from`) makes a FIFO in the extraction folder, which blocks whoever opens it (a loader reading its config or weights hangs), and, as root, a device node that reads or writes the machine's disk or memory; Python's `data` filter refuses both (`SpecialFileError`). Model archives never hold special files.",
    help: 'Do not extract this archive. Rebuild it without device or FIFO members.',
    level: 'warning',
    severity: '6.5',
    tags: ['security', 'models', 'archive'],
  },
]);
