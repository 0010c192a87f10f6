import { EventEmitter } from 'node:events';

/** Resolves with the first event, among those kept or those `bus` emits as 'event' from now on, that matches. */
export function waitForEvent<T>(
  kept: readonly T[],
  bus: EventEmitter,
  match: (event: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const seen = kept.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      bus.off('event', onEvent);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const onEvent = (event: T): void => {
      if (!match(event)) return;
      clearTimeout(timer);
      bus.off('event', onEvent);
      resolve(event);
    };
    bus.on('event', onEvent);
  });
}
