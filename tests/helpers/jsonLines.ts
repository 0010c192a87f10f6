import { readFileSync } from 'node:fs';

/** A file of JSON lines (the events log), parsed; none while the file is missing. */
export function jsonLinesOf(path: string): Array<Record<string, unknown>> {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}
