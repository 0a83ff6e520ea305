import { describe, expect, it } from 'vitest';
import { dockerfileCopySource } from '../../../src/deps/parsers/python/dockerfile-copies.js';
import { pythonDepsStage } from '../../../src/deps/parsers/python/stage.js';
import { scanWith } from '../../helpers/scan.js';
import { tempTrees } from '../../helpers/temp-tree.js';

const tree = tempTrees('cp-docker-copies-');

const REPO = new Set([
  'requirements.txt',
  'requirements/prod.txt',
  'deploy/Dockerfile',
  'deploy/pins.txt',
  'deploy/requirements.txt',
  'ci/x.txt',
]);
const isFolder = (p: string) => [...REPO].some((f) => f.startsWith(`${p}/`));
/** The paths found, space-separated; `unread` when the Dockerfile cannot say; undefined when no copy explains it. */
const sourceOf = (dockerfile: string, text: string, written: string, line: number) => {
  const found = dockerfileCopySource(dockerfile, text, (p) => REPO.has(p), isFolder)?.(written, line);
  return found === undefined ? undefined : 'paths' in found ? found.paths.join(' ') : 'unread';
};

// The path an install reads is the image's: WORKDIR, then what the last COPY / ADD before the line put there.
describe('dockerfileCopySource', () => {
  it.each([
    // A file copied under another name.
    {
      text: 'FROM p\nWORKDIR /srv\nCOPY requirements/prod.txt ./reqs.txt\nRUN x',
      written: 'reqs.txt',
      want: 'requirements/prod.txt',
    },
    // Into a folder, under its own name; the path given absolute.
    {
      text: 'FROM p\nCOPY requirements/prod.txt /deps/\nRUN x',
      written: '/deps/prod.txt',
      want: 'requirements/prod.txt',
    },
    // A folder's contents (the context is the repository root; the Dockerfile's folder is tried first).
    { text: 'FROM p\nWORKDIR /app\nCOPY . .\nRUN x', written: 'requirements.txt', want: 'requirements.txt' },
    { text: 'FROM p\nCOPY ci /opt/ci\nWORKDIR /opt\nRUN x', written: 'ci/x.txt', want: 'ci/x.txt' },
    // JSON form, options, a relative WORKDIR after an absolute one, continuation lines.
    {
      text: 'FROM p\nWORKDIR /a\nWORKDIR b\nCOPY --chown=1:1 ["requirements/prod.txt", "r.txt"]\nRUN x',
      written: '/a/b/r.txt',
      want: 'requirements/prod.txt',
    },
    {
      text: 'FROM p\nCOPY \\\n  requirements/prod.txt \\\n  /r.txt\nRUN x',
      written: '/r.txt',
      want: 'requirements/prod.txt',
    },
    // The last copy to a path wins.
    {
      text: 'FROM p\nCOPY requirements.txt /r.txt\nCOPY requirements/prod.txt /r.txt\nRUN x',
      written: '/r.txt',
      want: 'requirements/prod.txt',
    },
    // After the line, from another stage, through a variable, or another stage: nothing the file says.
    { text: 'FROM p\nRUN x\nCOPY requirements/prod.txt /r.txt', written: '/r.txt', want: undefined },
    { text: 'FROM p\nCOPY --from=build /w/r.txt /r.txt\nRUN x', written: '/r.txt', want: 'unread' },
    { text: 'FROM p\nWORKDIR $APP\nCOPY requirements/prod.txt r.txt\nRUN x', written: 'r.txt', want: undefined },
    { text: 'FROM p\nCOPY requirements/prod.txt /r.txt\nFROM q\nRUN x', written: '/r.txt', want: undefined },
    // An install in an earlier stage reads its own stage's copy, whatever the later stages copy.
    {
      text: 'FROM p AS b\nCOPY requirements/prod.txt /r.txt\nRUN x\nFROM q\nCOPY --from=b /r.txt /r.txt',
      written: '/r.txt',
      want: 'requirements/prod.txt',
    },
    {
      text: 'FROM p AS b\nCOPY requirements/prod.txt /r.txt\nRUN x\nFROM q\nCOPY ci/x.txt /r.txt',
      written: '/r.txt',
      want: 'requirements/prod.txt',
    },
    // A stage built on an earlier one (`FROM base`, its name in any case) starts with its files and WORKDIR.
    {
      text: 'FROM p AS Base\nWORKDIR /srv\nCOPY requirements/prod.txt ./deps.lst\nFROM base AS final\nRUN x',
      written: 'deps.lst',
      want: 'requirements/prod.txt',
    },
    // Through two stages, the nearest copy winning; a sibling stage's copy is no part of it.
    {
      text: 'FROM p AS a\nCOPY ci/x.txt /r.txt\nFROM a AS b\nCOPY requirements/prod.txt /r.txt\nFROM a AS c\nCOPY requirements.txt /q.txt\nFROM b\nRUN x',
      written: '/r.txt',
      want: 'requirements/prod.txt',
    },
    // An image of the same name as a later stage is no stage: `FROM base` before `AS base` is the image.
    { text: 'FROM base\nRUN x\nFROM p AS base\nCOPY ci/x.txt /r.txt', written: '/r.txt', want: undefined },
    // A glob source matches by name, as Docker's filepath.Match: the root file overwrites the older copy.
    {
      text: 'FROM p\nWORKDIR /app\nCOPY requirements/prod.txt ./requirements.txt\nCOPY requirement*.txt ./\nRUN x',
      written: 'requirements.txt',
      want: 'requirements.txt',
    },
    // A later copy the file cannot name hides the earlier one: what Docker installs cannot be told.
    ...[
      'COPY --from=tools /src/r.txt ./requirements.txt',
      'ADD https://example.com/r.txt /app/',
      'COPY <<EOF requirements.txt',
      'COPY $REQS ./requirements.txt',
      'COPY ci/x.txt $DEST',
      'COPY --from=tools /src /app',
      'COPY ci/*/x.txt ./',
    ].map((later) => ({
      text: `FROM p\nWORKDIR /app\nCOPY requirements/prod.txt ./requirements.txt\n${later}\nRUN x`,
      written: 'requirements.txt',
      want: 'unread',
    })),
    // One that puts nothing there does not.
    {
      text: 'FROM p\nWORKDIR /app\nCOPY requirements/prod.txt ./requirements.txt\nCOPY --from=t /x /opt\nRUN x',
      written: 'requirements.txt',
      want: 'requirements/prod.txt',
    },
  ])('$written in $text', ({ text, written, want }) => {
    const line = text.split('\n').findIndex((l) => l === 'RUN x') + 1;
    expect(sourceOf('Dockerfile', text, written, line)).toBe(want);
  });

  it('takes the file from every context that has it: the Dockerfile folder and the root', () => {
    const text = 'FROM p\nCOPY pins.txt /r.txt\nCOPY requirements/prod.txt /s.txt\nCOPY requirements.txt /t.txt\nRUN x';
    expect(sourceOf('deploy/Dockerfile', text, '/r.txt', 5)).toBe('deploy/pins.txt');
    expect(sourceOf('deploy/Dockerfile', text, '/s.txt', 5)).toBe('requirements/prod.txt');
    // A file beside the Dockerfile does not hide the root's: the build context may be either.
    expect(sourceOf('deploy/Dockerfile', text, '/t.txt', 5)).toBe('deploy/requirements.txt requirements.txt');
    expect(sourceOf('deploy/run.sh', text, '/s.txt', 5)).toBeUndefined();
  });
});

describe("a Dockerfile's pip install -r", () => {
  it('reads the file its COPY renamed, not a same-named file of the repository', async () => {
    const dir = tree({
      'requirements.txt': 'requests==2.31.0\n',
      'requirements/prod.lst': '--extra-index-url https://evil.example/simple\nrequests==2.31.0\n',
      'deploy/Dockerfile':
        'FROM python:3.12\nWORKDIR /srv\nCOPY requirements/prod.lst requirements.txt\nRUN pip install -r requirements.txt\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    const at = r.findings.filter((f) => f.ruleId === 'CPP070').map((f) => `${f.location.path}:${f.location.line ?? 0}`);
    expect(at).toEqual(['requirements/prod.lst:1']);
  });

  it('reads the root context file even when the Dockerfile folder has one of the same path', async () => {
    const dir = tree({
      'deploy/prod.txt': 'git+https://github.com/evil/x\n',
      'docker/deploy/prod.txt': 'six==1.16.0\n',
      'docker/Dockerfile': 'FROM python:3.12\nWORKDIR /app\nCOPY deploy/prod.txt ./r.txt\nRUN pip install -r r.txt\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    const at = r.findings.filter((f) => f.ruleId === 'CPP014').map((f) => `${f.location.path}:${f.location.line ?? 0}`);
    expect(at).toEqual(['deploy/prod.txt:1']);
  });

  it('reads no older copy that a later COPY --from overwrote, and says the file was not read', async () => {
    const dir = tree({
      'old/prod.lst': 'git+https://github.com/evil/x\n',
      Dockerfile:
        'FROM python:3.12\nWORKDIR /app\nCOPY old/prod.lst ./requirements.txt\n' +
        'COPY --from=tools /src/requirements.txt ./requirements.txt\nRUN pip install -r requirements.txt\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    expect(r.findings.filter((f) => f.ruleId === 'CPP014')).toEqual([]);
    const unread = r.findings.filter((f) => f.message.includes('COPY --from'));
    expect(unread.map((f) => `${f.ruleId}@${f.location.path}`)).toHaveLength(1);
    expect(unread[0]!.location.path).toBe('Dockerfile');
  });

  it("reads the builder stage's copy in a multi-stage Dockerfile", async () => {
    const dir = tree({
      'requirements.txt': 'six==1.16.0\n',
      'deploy/prod.txt': 'git+https://github.com/evil/x\n',
      Dockerfile:
        'FROM python:3.12 AS builder\nWORKDIR /app\nCOPY deploy/prod.txt ./requirements.txt\n' +
        'RUN pip install -r requirements.txt\nFROM python:3.12-slim\nCOPY --from=builder /app /app\n',
    });
    const r = await scanWith(dir, [pythonDepsStage]);
    const at = r.findings.filter((f) => f.ruleId === 'CPP014').map((f) => `${f.location.path}:${f.location.line ?? 0}`);
    expect(at).toEqual(['deploy/prod.txt:1']);
  });
});

// uv-settings `FilesystemOptions::find` looks from the folder uv runs in: a Dockerfile's WORKDIR, whose pyproject.toml
// its COPY brought from the repository (app/), not the Dockerfile's own folder.
describe("a Dockerfile's uv sync", () => {
  const project = (uv: string) => `[project]\nname = "app"\nversion = "0"\ndependencies = []\n\n[tool.uv]\n${uv}\n`;
  const dockerfile = 'FROM python:3.12\nWORKDIR /srv\nCOPY app/ .\nRUN uv sync --locked --no-binary\n';
  const builds = async (files: Record<string, string>) =>
    (await scanWith(tree(files), [pythonDepsStage])).findings
      .filter((f) => f.ruleId === 'CPP074')
      .map((f) => `${f.location.path}:${f.location.line ?? 0}`);

  it('reads the build settings of the project its COPY put in the WORKDIR', async () => {
    expect(await builds({ Dockerfile: dockerfile, 'app/pyproject.toml': project('no-build = true') })).toEqual([]);
    expect(await builds({ Dockerfile: dockerfile, 'app/pyproject.toml': project('no-build = false') })).toEqual([
      'Dockerfile:4',
    ]);
  });
});
