/** What fidelity.test.ts checks of one fixture: its findings as `RULE:line:column repo@revision …`. */
export interface FidelityCase {
  readonly file: string;
  readonly want: readonly string[];
}

/** The commit the fidelity fixtures pin to. */
export const C = '0123456789abcdef0123456789abcdef01234567';
