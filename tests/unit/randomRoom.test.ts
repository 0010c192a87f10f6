import { randomInt } from 'node:crypto';
import { drawRandomRoom } from '../../src/domain/randomRoom';

const none = (): boolean => false;

describe('random rooms', () => {
  it('draws 3-digit rooms in 100-999 and 4-digit rooms in 1000-9999', () => {
    for (let i = 0; i < 2000; i++) {
      const three = Number(drawRandomRoom(3, none, 0, randomInt));
      const four = Number(drawRandomRoom(4, none, 0, randomInt));
      expect(three).toBeGreaterThanOrEqual(100);
      expect(three).toBeLessThanOrEqual(999);
      expect(four).toBeGreaterThanOrEqual(1000);
      expect(four).toBeLessThanOrEqual(9999);
    }
  });

  it('never draws a taken room, however crowded the range', () => {
    for (const takenShare of [0.1, 0.49, 0.5, 0.9, 0.999]) {
      const taken = new Set<string>();
      for (let n = 100; n <= 999; n++) if (n !== 555 && Math.random() < takenShare) taken.add(String(n));
      for (let i = 0; i < 200; i++) {
        const room = drawRandomRoom(3, (r) => taken.has(r), taken.size, randomInt);
        expect(room).toBeDefined();
        expect(taken.has(room!)).toBe(false);
      }
    }
  });

  it('says so when no room is free', () => {
    expect(drawRandomRoom(3, () => true, 900, randomInt)).toBeUndefined();
  });

  it('is uniform over the free rooms in the crowded case (every free room drawn, none favoured)', () => {
    // Free: 100-109 only. A cycling "random" source shows each index maps to a distinct room.
    const isTaken = (room: string): boolean => Number(room) >= 110;
    let next = 0;
    const cycling = (n: number): number => next++ % n;
    const drawn = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const room = drawRandomRoom(3, isTaken, 890, cycling)!;
      drawn.set(room, (drawn.get(room) ?? 0) + 1);
    }
    expect([...drawn.keys()].sort()).toEqual(['100', '101', '102', '103', '104', '105', '106', '107', '108', '109']);
    expect(new Set(drawn.values())).toEqual(new Set([100]));
  });
});
