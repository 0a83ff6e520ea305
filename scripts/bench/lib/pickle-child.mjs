// chainproof's pickle analysis of one file, alone in its process so its peak RSS is its own, read as a scan reads
// it: through the I/O edge's FileSource in bounded windows. Prints {"wall", "cpu", "peakMiB", "bytesRead", "rules"}
// as JSON. Needs `npx tsc -p tsconfig.build.json` first.
import { analysePickleFile } from '../../../build/inspect/pickle/pickles.js';
import { createFileOpener } from '../../../build/io/file-source.js';

const file = process.argv[2];
const opener = createFileOpener();
const src = await opener.open(file, 'bench.pkl');
const w0 = performance.now();
const c0 = process.cpuUsage();
const findings = await analysePickleFile(src, { path: 'bench.pkl', allow: {}, what: 'pickle' });
const wall = (performance.now() - w0) / 1000;
const cu = process.cpuUsage(c0);
await src.close();
console.log(
  JSON.stringify({
    wall,
    cpu: (cu.user + cu.system) / 1e6,
    peakMiB: process.resourceUsage().maxRSS / 1024,
    bytesRead: opener.stats().bytesRead,
    rules: findings.map((f) => f.ruleId),
  }),
);
