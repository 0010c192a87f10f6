/** Where a call came from, as the dialplan says (never from the caller). */
export type CallerKind = 'internal' | 'external';

/** A room number as keyed: 3 or 4 digits, leading zeros significant ("123" and "0123" differ). */
export type RoomNumber = string;

/** What the caller asked for: a given room, or a random one of 3 or 4 digits. */
export type RoomRequest = { kind: 'room'; room: RoomNumber } | { kind: 'random'; digits: 3 | 4 };

/** A DTMF key as Asterisk reports it. */
export type Key = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

export const KEYS: readonly Key[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'];

export function isKey(value: string): value is Key {
  return (KEYS as readonly string[]).includes(value);
}
