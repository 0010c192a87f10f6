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

/** Creating a bridge whose id is already taken: it is ours from before. */
export function isAlreadyThere(error: unknown): boolean {
  return error instanceof AriError && error.status === 409;
}
