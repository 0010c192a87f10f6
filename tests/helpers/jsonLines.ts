import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

/** A file of JSON lines (the events log), parsed; none while the file is missing. */
export function jsonLinesOf(path: string): Array<Record<string, unknown>> {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Every line a process prints on these streams, pushed to `into` as it comes: JSON lines parsed, others as { text }. */
export function collectLines(streams: readonly Readable[], into: Array<Record<string, unknown>>): void {
  for (const stream of streams) {
    createInterface({ input: stream }).on('line', (line) => {
      try {
        into.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        into.push({ text: line });
      }
    });
  }
}
