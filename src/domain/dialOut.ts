/** What a number keyed or given may hold: digits, and a leading '+' from the API. */
const NUMBER = /^\+?[0-9]{1,32}$/;

/** How an invitation ended: joined on '1'; declined (answered, then not '1'); refused (busy, rejected); no answer; failed. */
export type DialOutOutcome = 'joined' | 'declined' | 'refused' | 'no-answer' | 'failed';

/** Why a number is not called: not a number at all, or matched by none of dialOut.allowedNumbers (empty: none is). */
export type NumberRefusal = 'bad-number' | 'not-allowed';

const CLASSES: Readonly<Record<string, string>> = { X: '[0-9]', Z: '[1-9]', N: '[2-9]', '.': '[0-9]+', '!': '[0-9]*' };

/**
 * A number pattern as Asterisk's dialplan writes them: digits for that number alone, or '_' then
 * X (0-9), Z (1-9), N (2-9), [1-5] or [137], digits, and '.' (one or more digits) or '!' (none or
 * more) at the end: `_2XX`, `_9NXXXXXX.`. Made into a full-match expression with no nesting, so an
 * admin's pattern never makes matching slow. Undefined when it is not such a pattern.
 */
export function numberPatternExpression(pattern: string): RegExp | undefined {
  if (/^\+?[0-9]{1,32}$/.test(pattern)) return new RegExp(`^${pattern.replace('+', '\\+')}$`);
  const body = /^_((?:[0-9XZN]|\[[0-9]+(?:-[0-9])?[0-9]*\])+)([.!]?)$/i.exec(pattern);
  if (!body) return undefined;
  const [, steps = '', tail = ''] = body;
  const expression = steps.replace(/\[[^\]]*\]|./g, (step) => (step.startsWith('[') ? step : (CLASSES[step.toUpperCase()] ?? step)));
  return new RegExp(`^${expression}${tail === '' ? '' : CLASSES[tail]}$`);
}

/** What is wrong with a list of number patterns; undefined when nothing is. */
export function numberPatternsProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'must be a list of number patterns (["_2XX", "5551234"])';
  const bad: unknown = (value as unknown[]).find(
    (pattern) => typeof pattern !== 'string' || numberPatternExpression(pattern) === undefined,
  );
  return bad === undefined
    ? undefined
    : `${JSON.stringify(bad)} is not a number pattern: digits, or _ then X, Z, N, [1-5], digits, and . or ! at the end`;
}

/** Whether the number may be called; a refusal says why. */
export function numberRefusal(number: string, allowedNumbers: readonly string[]): NumberRefusal | undefined {
  if (!NUMBER.test(number)) return 'bad-number';
  return allowedNumbers.some((pattern) => numberPatternExpression(pattern)?.test(number)) ? undefined : 'not-allowed';
}

/** Q.850 causes of a call that ended before it was answered. */
const BUSY = 17;
const NO_USER_RESPONDING = 18;
const NO_ANSWER = 19;
const CALL_REJECTED = 21;

/** An invitation's end before it was answered, from Asterisk's hangup cause. */
export function unansweredOutcome(cause: number): DialOutOutcome {
  if (cause === BUSY || cause === CALL_REJECTED) return 'refused';
  if (cause === NO_ANSWER || cause === NO_USER_RESPONDING) return 'no-answer';
  return 'failed';
}
