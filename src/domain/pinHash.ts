import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A room's PIN as kept in memory and on disk: salted, hashed, never the digits. */
export interface PinHash {
  readonly salt: string;
  readonly hash: string;
}

export function hashPin(pin: string, salt: string = randomBytes(16).toString('hex')): PinHash {
  return { salt, hash: digest(salt, pin) };
}

export function pinMatches(stored: PinHash, pin: string): boolean {
  return timingSafeEqual(Buffer.from(stored.hash, 'hex'), Buffer.from(digest(stored.salt, pin), 'hex'));
}

function digest(salt: string, pin: string): string {
  return createHash('sha256').update(salt).update('\0').update(pin).digest('hex');
}
