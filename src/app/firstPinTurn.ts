import { endedBy } from './callSession';

/** 'set': the first caller set the PIN, check against it. 'promoted': the first caller left; this caller sets it now. */
export type FirstPinOutcome = 'set' | 'promoted';

interface Waiter {
  readonly sessionId: string;
  readonly settle: (outcome: FirstPinOutcome) => void;
}

/**
 * A new room's first PIN: the session keying it (the setter), and the later callers waiting for it.
 * When the setter leaves, the longest waiter takes the role over.
 */
export class FirstPinTurn {
  private setter: string | undefined;
  private readonly waiters: Waiter[] = [];

  /** Takes the setter's role if nobody has it: true when this session now has it. */
  claim(sessionId: string): boolean {
    if (this.setter !== undefined) return false;
    this.setter = sessionId;
    return true;
  }

  isSetter(sessionId: string): boolean {
    return this.setter === sessionId;
  }

  /** Nobody but this session keys the PIN. */
  freeFor(sessionId: string): boolean {
    return this.setter === undefined || this.setter === sessionId;
  }

  /** The PIN is set: the role ends, and every waiter goes on to check theirs. */
  settled(): void {
    this.setter = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.settle('set');
  }

  /**
   * Waits for the setter. A call already ended (its '#' and its hangup came in one read of the
   * socket) neither waits nor takes the role: its departure has been handled, and nothing would
   * ever give it back.
   */
  await(sessionId: string, signal: AbortSignal): Promise<FirstPinOutcome> {
    if (signal.aborted) return Promise.reject(endedBy(signal));
    if (this.freeFor(sessionId)) {
      this.setter = sessionId;
      return Promise.resolve('promoted');
    }
    return new Promise<FirstPinOutcome>((resolve, reject) => {
      const waiter: Waiter = {
        sessionId,
        settle: (outcome) => {
          signal.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      };
      const onAbort = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(endedBy(signal));
      };
      this.waiters.push(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The session ended: if it held the role, the longest waiter takes it over. */
  leave(sessionId: string): void {
    if (this.setter !== sessionId) return;
    this.setter = undefined;
    const next = this.waiters.shift();
    if (next) {
      this.setter = next.sessionId;
      next.settle('promoted');
    }
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Nobody keys the PIN and nobody waits for it. */
  get idle(): boolean {
    return this.setter === undefined && this.waiters.length === 0;
  }
}
