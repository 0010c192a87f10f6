import { createHash, timingSafeEqual } from 'node:crypto';
import { Access } from './routes';

export type AuthVerdict = { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly message: string };

/**
 * Bearer-token check, pure. Admin actions always need the token, and are off (403) while
 * api.token is empty; room routes need it once it is set (they show caller numbers);
 * health and metrics are open.
 */
export function authorize(access: Access, authorization: string | undefined, token: string): AuthVerdict {
  if (access === 'open') return { ok: true };
  if (token === '') {
    return access === 'admin'
      ? { ok: false, status: 403, message: 'api.token is not set: admin actions are off until it is' }
      : { ok: true };
  }
  const given = bearerToken(authorization);
  if (given === undefined) return { ok: false, status: 401, message: 'send Authorization: Bearer <api.token>' };
  if (!sameSecret(given, token)) return { ok: false, status: 401, message: 'wrong token' };
  return { ok: true };
}

export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
