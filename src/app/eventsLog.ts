import { createWriteStream, mkdirSync, WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { ConferenceEvent, ConferenceEvents } from './conferenceEvents';

/** The events a billing or audit reader wants; calls and wrong PINs are counted in metrics only. */
const LOGGED = new Set<ConferenceEvent['type']>(['room-created', 'joined', 'left', 'room-destroyed', 'refused', 'admin']);

/**
 * One JSON line per conference event, with ISO times: `event`, `time`, then the event's own
 * fields (room, channel, callerId...). Never a PIN: no event carries one. Undefined for events
 * that are not logged.
 */
export function eventLine(event: ConferenceEvent): string | undefined {
  if (!LOGGED.has(event.type)) return undefined;
  const { type, at, ...fields } = event;
  const line: Record<string, unknown> = { event: type, time: iso(at) };
  for (const [name, value] of Object.entries(fields)) line[name] = name.endsWith('At') ? iso(value as number) : value;
  if (event.type === 'left') line.durationSeconds = Math.round((event.at - event.joinedAt) / 1000);
  return JSON.stringify(line);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The events log file (setting eventsLog.path): appended, never truncated, written through a
 * stream so a slow disk never holds up a call. A new path (settings reload) reopens it.
 */
export class EventsLog {
  private stream: WriteStream | undefined;
  private path = '';

  constructor(
    events: ConferenceEvents,
    private readonly onError: (error: unknown) => void,
  ) {
    events.on('event', (event) => {
      const line = this.stream && eventLine(event);
      if (line) this.stream?.write(`${line}\n`);
    });
  }

  open(path: string): void {
    if (path === this.path) return;
    void this.close();
    this.path = path;
    if (path === '') return;
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      this.onError(error);
    }
    const stream = createWriteStream(path, { flags: 'a', mode: 0o640 });
    stream.on('error', (error) => {
      this.onError(error);
      if (this.stream === stream) this.stream = undefined;
    });
    this.stream = stream;
  }

  /** Resolves once every line written so far is in the file. */
  close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    this.path = '';
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => stream.end(resolve));
  }
}
