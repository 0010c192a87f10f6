/** What an attempt to reach ARI ran into: the status Asterisk answered with, or the socket's error. */
export interface ConnectionFailure {
  /** Asterisk answered, with this HTTP status instead of the WebSocket upgrade (or a 2xx). */
  readonly status?: number | undefined;
  /** Node's error code: ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED... */
  readonly code?: string | undefined;
  readonly message?: string | undefined;
}

export type ConnectionCause = 'credentials' | 'no-ari' | 'status' | 'refused' | 'unknown-host' | 'tls' | 'no-answer' | 'other';

/** Why ARI cannot be reached, in words an admin can act on: the URL, the cause, the setting to check. */
export interface AriProblem {
  readonly cause: ConnectionCause;
  readonly text: string;
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|EPROTO$|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$)/;
const URL_SETTING = 'check ARI_URL (ari.url)';

/** Names the user, never the password; the URL without any credentials it may hold. */
export function describeConnectionFailure(
  failure: ConnectionFailure,
  target: { readonly url: string; readonly username: string },
): AriProblem {
  const url = shownUrl(target.url);
  const { status, code = '' } = failure;
  if (status === 401)
    return {
      cause: 'credentials',
      text: `ARI refused the user ${target.username}: check ARI_USER/ARI_PASSWORD (ari.username, ari.password) and ari.conf`,
    };
  if (status === 404)
    return {
      cause: 'no-ari',
      text:
        `no ARI at ${url} (404 Not Found on /ari): ${URL_SETTING}, ` +
        `and that Asterisk serves ARI there (http.conf without a prefix, ari.conf enabled)`,
    };
  if (status !== undefined && status !== 0)
    return { cause: 'status', text: `ARI at ${url} answered ${status}: ${URL_SETTING} and Asterisk's log` };
  if (code === 'ECONNREFUSED')
    return {
      cause: 'refused',
      text: `nothing listens at ${url} (connection refused): ${URL_SETTING}, and that Asterisk runs with its HTTP server on`,
    };
  if (code === 'ENOTFOUND' || code.startsWith('EAI_'))
    return { cause: 'unknown-host', text: `the host of ${url} is not found (${code}): ${URL_SETTING}` };
  if (TLS_CODE.test(code))
    return { cause: 'tls', text: `TLS with ${url} failed (${code}): ${URL_SETTING}, http or https, and Asterisk's certificate` };
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return { cause: 'no-answer', text: `no answer from ${url} (${code}): ${URL_SETTING} and the network` };
  return { cause: 'other', text: `ARI at ${url} could not be reached (${code || failure.message || 'closed'}): ${URL_SETTING}` };
}

/** The origin only: ARI's paths are the app's own, and a user:password in the setting stays out of the log. */
function shownUrl(url: string): string {
  return new URL(url).origin;
}
