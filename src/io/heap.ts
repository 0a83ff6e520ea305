import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MiB = 1024 * 1024;

/**
 * Collect garbage between stages once a scan's heap is large. V8 lets the old generation grow to a multiple of
 * what was live at its last full collection, so a stage that parsed a 50 MB lockfile leaves its garbage for the next
 * stage to pile on: the peak was twice the live set (issue 18: 512 MiB for every hostile input). A full collection
 * at a stage boundary costs about a millisecond per MiB and is only done when the heap grew by half since the last.
 * Small scans never get here, so they never change a V8 flag.
 *
 * `beforeReports` (the pipeline's last call, findings resolved and sorted) collects whenever the heap is past the
 * threshold, grown by half or not: writing 300k findings' reports on a heap V8 is marking incrementally promoted
 * every report piece to the old generation (heap 240 → 380 MB, a third more CPU for the JSON report, issue 18).
 *
 * The heap the process already held when the trimmer was made (the scan's start) is not this scan's garbage: nothing
 * is collected until the scan grew it by half (the rule after a collection), where that is above the threshold (an
 * embedder or test runner scanning from a large process). A CLI scan starts far below, so for it nothing changes; a
 * vitest worker that had made a few hundred scans (a 140 MB heap) spent 90 % of its CPU in the two full collections
 * this forced on every small scan. `startHeap` is that heap (tests pass 0). The trimmer returns whether it collected.
 */
export function stageHeapTrimmer(
  threshold = 128 * MiB,
  startHeap = getHeapStatistics().used_heap_size,
): (beforeReports?: boolean) => boolean {
  let gc: (() => void) | undefined;
  const atStart = Math.max(threshold, startHeap * 1.5);
  let floor = atStart;
  return (beforeReports = false) => {
    if (getHeapStatistics().used_heap_size < (beforeReports ? atStart : floor)) return false;
    // `gc` is V8's own function, made visible to this process by the flag (as `node --expose-gc` would).
    if (gc === undefined) {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
    gc();
    floor = Math.max(threshold, getHeapStatistics().used_heap_size * 1.5);
    return true;
  };
}
