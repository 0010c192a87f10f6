import { useScenario } from '../helpers/scenario';

/** SPEC.md "Random rooms": never a number in use, and "no free room" when none is left. */
describe('random rooms when the numbers run out', () => {
  // Room limit above the 900 three-digit rooms, so the numbers run out before the limit does.
  const s = useScenario({ limits: { maxRooms: 2000, maxParticipantsPerRoom: 50 } });

  it('draws the one free 3-digit number, then tells the next caller that none is free and hangs up', async () => {
    // 899 of the 900 numbers held, as by callers keying their PINs; only 555 is free.
    const held = Array.from({ length: 900 }, (_, i) => String(100 + i)).filter((room) => room !== '555');
    const live = new AbortController().signal;
    await Promise.all(held.map((room) => s.harness.app.rooms.enter(room, `holder-${room}`, live, () => ({ kind: 'first' }))));
    try {
      const lucky = await s.driver.call('88000');
      await lucky.hears('sound:conf-getpin');
      expect(lucky.played()).toContain('digits:555');

      const unlucky = await s.driver.call('88000');
      await unlucky.hears('sound:conference/no-free-room');
      await unlucky.hears('sound:goodbye');
      await unlucky.hungUp();
      expect(unlucky.played()).not.toContain('sound:conf-getpin');
    } finally {
      await Promise.all(held.map((room) => s.harness.app.rooms.depart(room, `holder-${room}`, `holder-${room}`)));
    }
  }, 60000);
});
