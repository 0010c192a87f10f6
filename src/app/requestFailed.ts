import { Logger } from '../logger';

/** An ARI request that failed (a channel or bridge gone is an answer, not a failure): logged, and the call goes on. */
export function logRequestFailed(log: Logger, error: unknown, where: string): void {
  log.error('ARI request failed', { event: 'ari-error', where, error: String(error) });
}
