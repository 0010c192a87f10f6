import { FileHandle, mkdir, open as openFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConferenceEvent, ConferenceEvents } from '../app/conferenceEvents';
import { WriteFailure, WriteHealth } from '../app/writeHealth';

/** The events a billing or audit reader wants; calls and wrong PINs are counted in metrics only. */
const LOGGED = new Set<ConferenceEvent['type']>([
  'room-created',
  'joined',
  'left',
  'room-destroyed',
  'room-ended',
  'leader',
  'hand',
  'hold',
  'recording-started',
  'recording-stopped',
  'dial-out',
  'refused',
  'passed-on',
  'admin',
]);

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
 * How many lines are held while the file cannot be written, at about 250 bytes each: hours of
 * a busy server's events; past that, each line is lost and counted.
 */
const HELD_MAX = 10_000;
/** While the file cannot be written, how often it is tried again (besides at each new event). */
const RETRY_MS = 5_000;

export interface EventsLogFailure extends WriteFailure {
  readonly heldLines: number;
  readonly lostLines: number;
}

interface OpenFile {
  readonly path: string;
  readonly handle: FileHandle;
  readonly dev: number;
  readonly ino: number;
}

/**
 * The events log file (setting eventsLog.path): appended, never truncated, written off the
 * event loop so a slow disk never holds up a call. Lines wait in memory until they are in the
 * file: a write that fails (a full disk, a folder removed) keeps them (HELD_MAX at most; lines
 * past that are lost and counted), and they go out, in order, at the next event, at a retry
 * every RETRY_MS, or at a reopen. Before each write the path is checked to still lead to the
 * open file: a file removed or renamed under the app would otherwise take the lines unseen.
 * The folder is made when a path is opened (start, new path), not when it vanishes later: it
 * may be a mount point that went away, and the lines belong on the mounted disk.
 */
export class EventsLog {
  /** Lines not yet in the file, each ending in a newline; the first may be the tail of a line cut short. */
  private readonly held: Buffer[] = [];
  private path = '';
  private file: OpenFile | undefined;
  private makeFolder = false;
  private reopenWanted = false;
  private flushing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Lines lost since the start (the metric), and since the last write that worked (the recovery's log line). */
  private lost = 0;
  private lostSinceWritten = 0;

  constructor(
    events: ConferenceEvents,
    readonly health: WriteHealth,
    private readonly heldMax = HELD_MAX,
  ) {
    events.on('event', (event) => {
      const line = this.path !== '' && eventLine(event);
      if (line) this.hold(line);
    });
  }

  /** Lines waiting to be written. */
  get heldLines(): number {
    return this.held.length;
  }

  /** Lines that never reached the file since the start. */
  get lostLines(): number {
    return this.lost;
  }

  /** The failure in force, with the lines it holds back and those lost so far (for /health). */
  get failure(): EventsLogFailure | undefined {
    const failure = this.health.failure;
    return failure && { ...failure, heldLines: this.held.length, lostLines: this.lost };
  }

  /** Opens the file (a new path: start, settings reload), making its folder; lines held go to it. Empty: off. */
  open(path: string): void {
    if (path === this.path) return;
    this.path = path;
    this.makeFolder = true;
    if (path !== '') {
      void this.flushNow();
      return;
    }
    // Turned off, once a write under way is done: what could not be written will not be, and nothing is failing any more.
    void this.flushNow().then(() => {
      if (this.path !== '') return undefined;
      clearTimeout(this.retryTimer);
      this.dropHeld();
      this.health.reset();
      return this.closeFile();
    });
  }

  /** Resolves once the writes under way are done: every line in the file, or held after a failure (tests). */
  written(): Promise<void> {
    return this.flushing ?? Promise.resolve();
  }

  /** Closes the file and opens its path again (logrotate renamed it, then sent a signal). */
  reopen(): Promise<void> {
    this.reopenWanted = true;
    return this.flushNow();
  }

  /** Writes what it can of the lines held, then closes; resolves to the number of lines that could not be written. */
  async close(): Promise<number> {
    await this.flushNow();
    clearTimeout(this.retryTimer);
    this.path = '';
    await this.closeFile();
    return this.dropHeld();
  }

  private hold(line: string): void {
    if (this.held.length >= this.heldMax) {
      this.lost++;
      this.lostSinceWritten++;
      return;
    }
    this.held.push(Buffer.from(`${line}\n`));
    void this.flushNow();
  }

  private flushNow(): Promise<void> {
    return (this.flushing ??= this.flush().finally(() => (this.flushing = undefined)));
  }

  /** One write at a time; lines that come meanwhile go with the next. */
  private async flush(): Promise<void> {
    while (this.path !== '' && (this.held.length > 0 || this.reopenWanted || !this.file)) {
      const path = this.path;
      try {
        const file = await this.fileAt(path);
        const lines = this.held.length;
        await this.writeHeld(file);
        this.health.succeeded({ linesWritten: lines, linesLost: this.lostSinceWritten });
        this.lostSinceWritten = 0;
      } catch (error) {
        await this.closeFile();
        this.health.failed(path, error);
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => void this.flushNow(), RETRY_MS).unref();
        return;
      }
    }
  }

  /** The open file, if the path still leads to it; else the path opened anew. */
  private async fileAt(path: string): Promise<OpenFile> {
    const file = this.file;
    if (file && file.path === path && !this.reopenWanted && (await leadsTo(path, file))) return file;
    this.reopenWanted = false;
    await this.closeFile();
    if (this.makeFolder) await mkdir(dirname(path), { recursive: true });
    const handle = await openFile(path, 'a', 0o640);
    const { dev, ino } = await handle.stat().catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    this.makeFolder = false;
    this.file = { path, handle, dev, ino };
    return this.file;
  }

  private async writeHeld(file: OpenFile): Promise<void> {
    const data = Buffer.concat(this.held);
    let written = 0;
    try {
      while (written < data.length) written += (await file.handle.write(data, written, data.length - written)).bytesWritten;
    } finally {
      this.dropWritten(written);
    }
  }

  /** Lets go of the lines in the file; a line cut short (a disk that filled up) keeps its tail. */
  private dropWritten(bytes: number): void {
    let lines = 0;
    for (let left = bytes; lines < this.held.length && left > 0; lines++) {
      const line = this.held[lines]!;
      if (line.length > left) {
        this.held[lines] = line.subarray(left);
        break;
      }
      left -= line.length;
    }
    this.held.splice(0, lines);
  }

  /** Counts the lines held as lost and lets go of them; returns how many. */
  private dropHeld(): number {
    const dropped = this.held.length;
    this.lost += dropped;
    this.held.length = 0;
    return dropped;
  }

  private async closeFile(): Promise<void> {
    const file = this.file;
    this.file = undefined;
    await file?.handle.close().catch(() => undefined);
  }
}

async function leadsTo(path: string, file: OpenFile): Promise<boolean> {
  const now = await stat(path).catch(() => undefined);
  return now !== undefined && now.dev === file.dev && now.ino === file.ino;
}
