import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PinHash } from '../domain/pinHash';
import { RoomNumber } from '../domain/types';

/**
 * What Asterisk cannot tell the app after a restart: each live room's PIN, salted and hashed.
 * One small JSON file, replaced atomically (write, then rename); writes are coalesced so a
 * storm of joins costs one write in flight at a time.
 */
export class RoomStore {
  private readonly pins = new Map<RoomNumber, PinHash>();
  private writing = false;
  private dirty = false;

  constructor(
    private readonly path: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Reads the file; a missing or unreadable one is an empty store (and said so). */
  load(): ReadonlyMap<RoomNumber, PinHash> {
    try {
      const data = JSON.parse(readFileSync(this.path, 'utf8')) as { rooms?: Record<string, PinHash> };
      for (const [room, pin] of Object.entries(data.rooms ?? {})) {
        if (typeof pin?.salt === 'string' && typeof pin.hash === 'string') this.pins.set(room, { salt: pin.salt, hash: pin.hash });
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(error);
    }
    return this.pins;
  }

  set(room: RoomNumber, pin: PinHash): void {
    this.pins.set(room, pin);
    this.schedule();
  }

  delete(room: RoomNumber): void {
    if (this.pins.delete(room)) this.schedule();
  }

  private schedule(): void {
    this.dirty = true;
    if (this.writing) return;
    this.writing = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.dirty = false;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      const temp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify({ rooms: Object.fromEntries(this.pins) }), { mode: 0o600 });
      renameSync(temp, this.path);
    } catch (error) {
      this.onError(error);
    }
    this.writing = false;
    if (this.dirty) this.schedule();
  }
}
