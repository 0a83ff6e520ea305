import { checkChatTemplate, exhaustionHit, exhaustionMessage, templateHitsMessage } from './chat-template.js';
import type { Findings } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { need } from './source.js';

/** A string value's place in the file. */
export interface StringRef {
  readonly at: number;
  readonly len: number;
}

/**
 * The chat templates of one GGUF file, each checked for template injection (CVE-2024-34359 shape) up to a size per
 * template and a total per file; past either it is an error finding, never a pass (a payload could sit in it).
 */
export class GgufTemplates {
  private bytes = 0;

  constructor(
    private readonly src: RandomAccess,
    private readonly out: Findings,
    private readonly limits: { readonly maxTemplateBytes: number; readonly maxTemplateTotal: number },
  ) {}

  *check(key: string, s: StringRef): ParseSteps<void> {
    const { src, out, limits } = this;
    this.bytes += s.len;
    if (s.len > limits.maxTemplateBytes || this.bytes > limits.maxTemplateTotal) {
      const limit =
        s.len > limits.maxTemplateBytes
          ? `past the ${limits.maxTemplateBytes}-byte limit for one template`
          : `past the ${limits.maxTemplateTotal}-byte limit for all of a file's templates`;
      // Unchecked template text is where an injection hides: this fails the default gate, like a pickle budget hit.
      out.add(
        'CPI051',
        `chat template ${key} is ${s.len} bytes, ${limit}; it was not checked for template injection. Do not render it until you know why it is this large.`,
        { key, length: s.len, offset: s.at },
        undefined,
        'error',
      );
      out.incomplete = true;
      return;
    }
    yield* need(src, s.at, s.len);
    const text = src.read(s.at, s.len).toString('utf8');
    const hits = checkChatTemplate(text);
    const first = hits[0];
    if (first)
      out.add(
        'CPI055',
        templateHitsMessage(
          key,
          hits,
          'rendering it can run code (CVE-2024-34359). Do not load this model in a runtime that renders chat templates.',
        ),
        {
          key,
          indicators: hits.map((h) => h.indicator).join('; '),
          snippet: first.snippet,
          offset: s.at + Buffer.byteLength(text.slice(0, first.index)),
        },
      );
    const heavy = exhaustionHit(text);
    if (heavy)
      out.add(
        'CPI055',
        exhaustionMessage(
          key,
          heavy,
          'Do not serve this model with its chat template; take a known-good one from the base model.',
        ),
        {
          key,
          check: 'exhaustion',
          snippet: heavy.snippet,
          offset: s.at + Buffer.byteLength(text.slice(0, heavy.index)),
        },
        undefined,
        'warning',
      );
  }
}
