/** A REST call that Asterisk answered with an error status (or that never got an answer). */
export class AriError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    detail: string,
  ) {
    super(`ARI ${method} ${path} failed: ${status} ${detail}`);
    this.name = 'AriError';
  }
}

/**
 * The one place that reads HTTP statuses. A channel (or playback, or bridge) that hung up or
 * left Stasis is the normal race of telephony, not a fault: 404 gone, 409 not in Stasis,
 * 422 (addChannel) channel not in Stasis any more.
 */
export function isGone(error: unknown): boolean {
  return error instanceof AriError && (error.status === 404 || error.status === 409 || error.status === 422);
}

/**
 * addChannel's own answers: 404 is the bridge that is gone (deleted behind the app's back);
 * 400 (channel not found) and the statuses of isGone are the caller who hung up.
 */
export function addChannelFailure(error: unknown): 'bridge-gone' | 'caller-gone' | undefined {
  if (!(error instanceof AriError)) return undefined;
  if (error.status === 404) return 'bridge-gone';
  return error.status === 400 || isGone(error) ? 'caller-gone' : undefined;
}

/** Creating a bridge whose id is already taken: it is ours from before. */
export function isAlreadyThere(error: unknown): boolean {
  return error instanceof AriError && error.status === 409;
}

/** A request about a channel, bridge or recording: true when done, false when it was gone (isGone). */
export async function gone(call: Promise<unknown>): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (error) {
    if (isGone(error)) return false;
    throw error;
  }
}

/** An id as one segment of a REST path. */
export function enc(id: string): string {
  return encodeURIComponent(id);
}
