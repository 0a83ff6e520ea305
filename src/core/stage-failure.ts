import type { Finding } from './finding.js';
import type { Stage, StageInput } from './stage.js';
import { errorMessage } from './errors.js';

/** How many lost items a finding lists; the total is always counted. */
const MAX_LISTED = 1000;

/**
 * The finding for a stage that threw an unexpected error (not a ChainproofError). Its level is `error` so it
 * fails `--fail-on error`, and the result is marked incomplete (exit 4). It lists what the stage would have
 * covered — its own `covers()` if it declares one, otherwise every file of the walk and every locked package —
 * because none of that is verified.
 */
export function stageFailure(stage: Stage, input: StageInput, err: unknown): Finding {
  const lost = coveredBy(stage, input);
  const why = errorMessage(err);
  return {
    ruleId: 'CPX020',
    message:
      `The ${stage.name} stage failed (${why}); its checks did not run, so none of the ${lost.length} ` +
      `item(s) it covers is verified. The scan is incomplete and exits 4; report the failure to the chainproof maintainers.`,
    location: { path: '.' },
    evidence: {
      stage: stage.name,
      error: why,
      lostCount: lost.length,
      lost: lost.slice(0, MAX_LISTED).join(', '),
    },
  };
}

function coveredBy(stage: Stage, input: StageInput): string[] {
  try {
    if (stage.covers) return [...stage.covers(input)].sort();
  } catch {
    // a broken covers() must not hide the failure it reports; fall back to everything
  }
  const out: string[] = [];
  for (const f of input.files) out.push(f.path);
  for (const g of input.graphs) for (const p of g.packages) out.push(`${g.lockfile}: ${p.name}@${p.version}`);
  return out.sort();
}
