import type { ScanContext } from '../core/context.js';
import type { Stage, StageInput, StageOutput } from '../core/stage.js';

/** A stage named up front, whose module (and every library it needs) is imported only when it has work. */
export interface LazyStageSpec {
  readonly name: string;
  /**
   * Cheap and conservative: false only when the stage's own `run` would return nothing for this input, so skipping
   * it changes no output. `test/app/stages.test.ts` runs each real stage where this says false.
   */
  readonly hasWork: (input: StageInput, ctx: ScanContext) => boolean;
  readonly load: () => Promise<Stage>;
  /** The stage reads `ctx.trust.sigstore`: its code is loaded (`prepareSigstore`) before the stage runs. */
  readonly readsSigstore?: boolean;
}

/**
 * Wrap a stage so that a scan with nothing for it (an empty folder, a lockfile-only repository for the model stages)
 * never compiles its code: start-up is what an empty scan measures (issue 14). A load that fails is a failure of
 * that stage, reported as CPX020 like any other throw.
 */
export function lazyStage(spec: LazyStageSpec): Stage {
  let loading: Promise<Stage> | undefined;
  const stage: Stage & { covers?: (input: StageInput) => Iterable<string> } = {
    name: spec.name,
    // A stage with work for the walk's files is loaded while earlier stages wait on the network or the hasher.
    async prefetch(input: StageInput, ctx: ScanContext): Promise<void> {
      if (!spec.hasWork(input, ctx)) return;
      loading ??= spec.load();
      await (await loading).prefetch?.(input, ctx);
    },
    async run(input: StageInput, ctx: ScanContext): Promise<StageOutput> {
      if (!spec.hasWork(input, ctx)) return {};
      if (spec.readsSigstore === true) await ctx.trust.prepareSigstore?.();
      loading ??= spec.load();
      const real = await loading;
      // What a failure of the real stage loses is what it says it covers.
      if (real.covers) stage.covers = (i) => real.covers?.(i) ?? [];
      return real.run(input, ctx);
    },
  };
  return stage;
}
