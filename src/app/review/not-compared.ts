import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { applyPolicy } from '../../core/apply-policy.js';
import type { Finding } from '../../core/finding.js';
import { countByLevel } from '../../core/result.js';
import { scanRepository } from '../scan.js';
import { judgeGate } from './gate.js';
import type { ReviewRequest, ReviewResult } from './index.js';

/**
 * CPU022: the base revision (or a `--head` commit) is not in the clone and could not be fetched, so nothing was compared. The review still
 * writes every report — one error finding saying exactly that, the scan marked incomplete — so a gate fails and a
 * pull-request comment says why, instead of the job stopping with a git message and no report.
 */
export async function notCompared(req: ReviewRequest, side: 'base' | 'head', why: string): Promise<ReviewResult> {
  const finding: Finding = {
    ruleId: 'CPU022',
    message: `The ${side} revision could not be read: ${why}. Nothing was compared. Check out with \`fetch-depth: 0\` (actions/checkout), or fetch the ${side} commit before the review.`,
    location: { path: '.' },
    evidence: { [side]: side === 'base' ? req.base : (req.head ?? ''), reason: why },
  };
  const today = req.today ?? new Date().toISOString().slice(0, 10);
  const own = applyPolicy([finding], req.policy, today);
  // An empty scan of an empty folder: a well-formed result for SARIF and the summary, with nothing in it.
  const empty = await mkdtemp(path.join(tmpdir(), 'chainproof-review-none-'));
  try {
    const scan = await scanRepository({
      root: empty,
      policy: req.policy,
      registry: req.registry,
      options: { ...req.options, offline: true, cacheDir: undefined, shard: undefined },
      include: [],
      exclude: [],
      logger: req.logger,
      stages: [],
      ...(req.today !== undefined ? { today: req.today } : {}),
    });
    const byLevel = countByLevel(own.findings);
    return {
      base: { ref: req.base, commit: '' },
      head: { ref: req.head ?? 'working tree' },
      lockfiles: [],
      models: [],
      references: [],
      findings: own.findings,
      ...(req.gate !== undefined ? { gate: judgeGate(req.gate, [], [], own.findings) } : {}),
      online: false,
      notCompared: { side, ref: side === 'base' ? req.base : (req.head ?? ''), why },
      scan: {
        ...scan,
        findings: own.findings,
        suppressed: own.suppressed,
        complete: false,
        summary: { ...scan.summary, byLevel, suppressed: own.suppressed.length },
      },
    };
  } finally {
    await rm(empty, { recursive: true, force: true });
  }
}
