import { UsageError } from '../core/errors.js';
import type { Stage } from '../core/stage.js';
import { STAGES } from '../app/stages.js';

/**
 * `CHAINPROOF_TEST_FAIL_STAGE=<stage name>`: that stage throws an internal error instead of running, so the
 * end-to-end tests can prove through the built binary that a failed stage fails the run (exit 4, CPX020) and the
 * reports are still written (issue #18). Only tests set it; it can only make a run fail, never pass. Undefined
 * (no override) when the variable is unset.
 */
export function stagesForTest(env: Readonly<Record<string, string | undefined>>): readonly Stage[] | undefined {
  const name = env['CHAINPROOF_TEST_FAIL_STAGE'];
  if (name === undefined || name === '') return undefined;
  if (!STAGES.some((s) => s.name === name))
    throw new UsageError(
      `CHAINPROOF_TEST_FAIL_STAGE names no stage: ${name} (stages: ${STAGES.map((s) => s.name).join(', ')})`,
    );
  return STAGES.map((s) =>
    s.name === name
      ? {
          ...s,
          run: () => Promise.reject(new Error(`stage ${name} failed on purpose (CHAINPROOF_TEST_FAIL_STAGE)`)),
        }
      : s,
  );
}
