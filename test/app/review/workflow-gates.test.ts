import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, reviewHead } from './repo.js';

/**
 * CPU033: the head's own workflow runs on its pull request, so a change can switch off the chainproof check that
 * reviews it. Every shape below went unreported before; a harmless edit of the same workflow stays quiet.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const PATH = '.github/workflows/review.yml';
interface Wf {
  on?: string[];
  step?: string[];
  reviewIf?: string;
  mergeIf?: string;
  pin?: string;
}
function workflow(w: Wf = {}): string {
  return [
    'name: review',
    'on:',
    ...(w.on ?? ['  pull_request:']),
    'permissions:',
    '  contents: read',
    'jobs:',
    '  review:',
    ...(w.reviewIf !== undefined ? [`    if: ${w.reviewIf}`] : []),
    '    runs-on: ubuntu-latest',
    '    outputs:',
    '      gate-passed: ${{ steps.review.outputs.gate-passed }}',
    '    steps:',
    '      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5',
    ...(w.step ?? [
      '      - id: review',
      `        uses: chainproof/chainproof@${w.pin ?? '6b3cda578c0fd845405579c6ea93eca920a6345d'}`,
      '        with:',
      '          review-base: ${{ github.event.pull_request.base.sha }}',
      '          gate: patch',
    ]),
    '  merge:',
    '    needs: review',
    `    if: ${w.mergeIf ?? "needs.review.outputs.gate-passed == 'true'"}`,
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - run: gh pr merge --auto --squash "$PR"',
    '',
  ].join('\n');
}
const STEP = [
  '      - id: review',
  '        uses: chainproof/chainproof@6b3cda578c0fd845405579c6ea93eca920a6345d',
  '        with:',
  '          review-base: ${{ github.event.pull_request.base.sha }}',
];

const cases: { name: string; head?: string; want: RegExp | undefined }[] = [
  { name: 'the chainproof step removed → CPU033', head: workflow({ step: [] }), want: /steps 1 → 0/ },
  {
    name: 'continue-on-error added to the step → CPU033',
    head: workflow({ step: [...STEP, '          gate: patch', '        continue-on-error: true'] }),
    want: /fail without failing/,
  },
  {
    name: 'the review job skipped with if: false → CPU033',
    head: workflow({ reviewIf: 'false' }),
    want: /condition it runs under changed/,
  },
  {
    name: 'the gate dropped and fail-on lowered to none → CPU033 naming both',
    head: workflow({ step: [...STEP, '          fail-on: none'] }),
    want: /fail-on error → none.*gate patch → \(none\)/,
  },
  {
    name: 'the merge job no longer waits for gate-passed → CPU033',
    head: workflow({ mergeIf: 'always()' }),
    want: /no longer waits for the gate/,
  },
  {
    name: 'paths-ignore added to the pull_request trigger → CPU033',
    head: workflow({ on: ['  pull_request:', '    paths-ignore:', "      - '**/package-lock.json'"] }),
    want: /paths-ignore/,
  },
  { name: 'the workflow deleted → CPU033', want: /gone/ },
  {
    name: 'the chainproof action pin bumped → nothing',
    head: workflow({ pin: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }),
    want: undefined,
  },
];

describe('review of a workflow change that weakens the chainproof check', () => {
  it.each(cases)('$name', async ({ head, want }) => {
    const repo = makeRepo(
      { [PATH]: workflow() },
      head === undefined ? {} : { [PATH]: head },
      head === undefined ? [PATH] : [],
    );
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    const got = r.findings.filter((f) => f.ruleId === 'CPU033');
    if (want === undefined) expect(got).toEqual([]);
    else {
      expect(got.map((f) => f.location.path)).toEqual([PATH]);
      expect(got[0]!.message).toMatch(want);
    }
  });
});
