/** One line of the report: what is right, or what is wrong with its cause and its fix. */
export interface Finding {
  readonly ok: boolean;
  readonly text: string;
}

export const ok = (text: string): Finding => ({ ok: true, text });
export const problem = (text: string, fix: string): Finding => ({ ok: false, text: `${text}. Fix: ${fix}` });

/** The report: one line per check, then the verdict. */
export function describeFindings(findings: readonly Finding[]): string {
  const lines = findings.map((f) => `${f.ok ? 'ok   ' : 'WRONG'} ${f.text}`);
  const wrong = findings.filter((f) => !f.ok).length;
  lines.push(
    wrong === 0 ? 'clean: the conference server is installed on this Asterisk' : `${wrong} thing(s) to fix (above, each with its fix)`,
  );
  return lines.join('\n');
}
