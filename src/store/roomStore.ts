import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PinHash } from '../domain/pinHash';
import { RoomNumber } from '../domain/types';
import { PinPersistence } from '../app/roomStateStore';
import { WriteHealth } from '../app/writeHealth';

/** While the file cannot be written, how often it is tried again (besides at each change). */
const RETRY_MS = 5_000;

/**
 * The format this app writes, `{ "version": 1, "rooms": { ... } }`. It also reads the one before
 * (no `version`: the same rooms, the app's first format); any other version is a newer app's.
 */
export const STATE_FORMAT_VERSION = 1;

/** A state file written in a format this app does not know: it is left as it is, and the app does not start. */
export class StateFileRefused extends Error {
  constructor(
    readonly path: string,
    readonly version: unknown,
  ) {
    super(
      `room state file ${path} has format version ${JSON.stringify(version)}; ` +
        `this app reads version ${STATE_FORMAT_VERSION} and older. ` +
        'Written by a newer conference server? Run that one, or move the file away to start with no stored PINs. ' +
        'The file is left unchanged.',
    );
  }
}

export type ParsedRoomState =
  { readonly ok: true; readonly pins: Map<RoomNumber, PinHash> } | { readonly ok: false; readonly version: unknown };

/** A state file's JSON text: its rooms' PINs, or the version it has when this app does not know it. Throws on text that is not JSON. */
export function parseRoomState(text: string): ParsedRoomState {
  const data = JSON.parse(text) as { version?: unknown; rooms?: Record<string, PinHash> } | null;
  if (data?.version !== undefined && data.version !== STATE_FORMAT_VERSION) return { ok: false, version: data.version };
  const pins = new Map<RoomNumber, PinHash>();
  for (const [room, pin] of Object.entries(data?.rooms ?? {})) {
    if (typeof pin?.salt === 'string' && typeof pin.hash === 'string') pins.set(room, { salt: pin.salt, hash: pin.hash });
  }
  return { ok: true, pins };
}

/**
 * What Asterisk cannot tell the app after a restart: each live room's PIN, salted and hashed.
 * One small JSON file, replaced atomically (write, then rename); writes are coalesced so a
 * storm of joins costs one write in flight at a time. The file work runs off the event loop:
 * done synchronously, it held up the other callers' joins of a storm (docs/DECISIONS.md).
 * A write that fails is told to `health` and tried again every RETRY_MS until one works.
 */
export class RoomStore implements PinPersistence {
  private readonly pins = new Map<RoomNumber, PinHash>();
  /** The writes under way, until the file holds every change made so far or a write failed. */
  private writing: Promise<void> | undefined;
  private dirty = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    readonly health: WriteHealth,
    private readonly onReadError: (error: unknown) => void,
  ) {}

  /**
   * Reads the file; a missing or unreadable one is an empty store (and said so). One in a format
   * this app does not know throws StateFileRefused, before anything could be written over it.
   */
  load(): ReadonlyMap<RoomNumber, PinHash> {
    let parsed: ParsedRoomState;
    try {
      parsed = parseRoomState(readFileSync(this.path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.onReadError(error);
      return this.pins;
    }
    if (!parsed.ok) throw new StateFileRefused(this.path, parsed.version);
    for (const [room, pin] of parsed.pins) this.pins.set(room, pin);
    return this.pins;
  }

  set(room: RoomNumber, pin: PinHash): Promise<void> {
    this.pins.set(room, pin);
    this.schedule();
    return this.written();
  }

  delete(room: RoomNumber): void {
    if (this.pins.delete(room)) this.schedule();
  }

  /** Resolves once the file holds every change made so far, or a write of them failed (tests). */
  written(): Promise<void> {
    return this.writing ?? Promise.resolve();
  }

  /** An orderly stop: every change written, or tried once more, and no retry after. */
  async close(): Promise<void> {
    // One last try of what a failed write left.
    if (this.dirty) this.schedule();
    await this.written();
    clearTimeout(this.retryTimer);
  }

  private schedule(): void {
    this.dirty = true;
    clearTimeout(this.retryTimer);
    // A burst of changes in one turn of the event loop is one write.
    this.writing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  private async flush(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      try {
        await mkdir(dirname(this.path), { recursive: true });
        const temp = `${this.path}.${process.pid}.tmp`;
        await writeFile(temp, JSON.stringify({ version: STATE_FORMAT_VERSION, rooms: Object.fromEntries(this.pins) }), { mode: 0o600 });
        await rename(temp, this.path);
        this.health.succeeded();
      } catch (error) {
        this.health.failed(this.path, error);
        this.dirty = true;
        this.retryTimer = setTimeout(() => this.schedule(), RETRY_MS).unref();
        break;
      }
    }
    this.writing = undefined;
  }
}
