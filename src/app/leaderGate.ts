import { endedBy } from './callSession';

/**
 * Whether a room has begun for its participants: open once a leader has joined, closed again when
 * the last leader leaves. Participants of a room that waits for its leader wait at it.
 */
export class LeaderGate {
  private opened = false;
  private readonly waiters = new Set<() => void>();

  get isOpen(): boolean {
    return this.opened;
  }

  /** Participants waiting for a leader. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** A leader is in: every participant waiting goes on; how many did. */
  open(): number {
    this.opened = true;
    const released = [...this.waiters];
    this.waiters.clear();
    for (const release of released) release();
    return released.length;
  }

  /** No leader is in any more: newcomers wait again. */
  close(): void {
    this.opened = false;
  }

  /** Settles once the gate is open (at once if it is); rejects with CallEnded when the call ends first. */
  await(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(endedBy(signal));
    if (this.opened) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const release = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.waiters.delete(release);
        reject(endedBy(signal));
      };
      this.waiters.add(release);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
