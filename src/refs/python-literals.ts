/** A Python string literal's value (prefixes r/b/u; single or triple quotes; the common escapes). */
export function unquote(lit: string): string | undefined {
  const m = /^([rRbBuU]*)("""|'''|"|')([\s\S]*)\2$/.exec(lit);
  if (!m) return undefined;
  const raw = m[1]!.toLowerCase().includes('r');
  const body = m[3]!;
  if (raw) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/gs, (_, e: string) => {
    if (e[0] === 'x' || e[0] === 'u') return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[e] ?? e;
  });
}
