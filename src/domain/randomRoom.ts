import { RoomNumber } from './types';

/** randomInt(n) returns an integer in [0, n), uniformly (crypto.randomInt in production). */
export type RandomInt = (n: number) => number;

const RANGES = { 3: { low: 100, high: 999 }, 4: { low: 1000, high: 9999 } } as const;

/**
 * Draws a room uniformly among the free numbers of the range, or undefined when none is free.
 * Few taken numbers: rejection sampling (uniform, a draw or two). Crowded range: pick from
 * the list of free numbers, so the cost stays bounded however full it is.
 */
export function drawRandomRoom(
  digits: 3 | 4,
  isTaken: (room: RoomNumber) => boolean,
  takenCount: number,
  randomInt: RandomInt,
): RoomNumber | undefined {
  const { low, high } = RANGES[digits];
  const size = high - low + 1;
  if (takenCount * 2 < size) {
    for (let tries = 0; tries < 64; tries++) {
      const room = String(low + randomInt(size));
      if (!isTaken(room)) return room;
    }
  }
  const free: RoomNumber[] = [];
  for (let n = low; n <= high; n++) if (!isTaken(String(n))) free.push(String(n));
  return free.length === 0 ? undefined : free[randomInt(free.length)];
}
