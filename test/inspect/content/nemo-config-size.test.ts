import { describe, expect, it } from 'vitest';
import { MAX_CONFIG, nemoConfigFindings } from '../../../src/inspect/content/nemo-config.js';

// A hostile model_config.yaml padded past the limit is refused unparsed: the yaml package holds about 250 bytes a byte,
// so a config the size of the old 16 MiB limit would take gigabytes. The padding is one long comment, cheap to parse,
// so the test stays quick on a build that still parses it (and then reports the target instead).
describe('a NeMo model config past its size limit', () => {
  it('is reported as not checked (CPI015), not parsed', () => {
    const head = 'target: nemo.collections.asr.models.EncDecCTCModel\nencoder:\n  _target_: os.system\n';
    const body = Buffer.from(head + '#' + 'x'.repeat(MAX_CONFIG) + '\n');
    const found = nemoConfigFindings(body, 'model.nemo', 'model_config.yaml', { extra: [] });
    expect(found.map((f) => f.ruleId)).toEqual(['CPI015']);
    expect(found[0]?.evidence).toEqual({ size: body.length, limit: 4 * 1024 * 1024 });
  });
});
