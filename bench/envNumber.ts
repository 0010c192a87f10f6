/** A bench variable that holds a whole number: its value, or the default when it is not set. */
export function wholeNumber(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of ${min} or more, not "${raw}"`);
  return value;
}
