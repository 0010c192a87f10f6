import { joinRoom, useScenario } from '../helpers/scenario';

/** SPEC.md "Ways to start": all eight forms, each followed by the PIN step, from inside and from outside. */
describe.each(['from-internal', 'from-external'] as const)('the eight ways to start a conference, dialled %s', (context) => {
  const s = useScenario();

  it.each([
    ['88', '123#', 'conference-123'],
    ['88', '1234', 'conference-1234'],
    ['88123', undefined, 'conference-123'],
    ['881234', undefined, 'conference-1234'],
  ])('dialling %s then keying %s joins %s', async (dialled, room, bridge) => {
    const caller = await s.driver.call(dialled, { context });
    if (room !== undefined) {
      await caller.hears('sound:conf-getconfno');
      await caller.dtmf(room);
    }
    await caller.heardToEnd('sound:conf-getpin');
    await caller.dtmf('#');
    await caller.entersBridge(bridge);
    await caller.hears('sound:conf-enteringno');
    await caller.hears(`digits:${bridge.slice('conference-'.length)}`);
    await caller.hears('sound:conf-onlyperson');
    expect(await caller.bridge()).toBe(bridge);
    if (room === undefined) expect(caller.played()).not.toContain('sound:conf-getconfno');
  });

  it("keeps leading zeros: 0123 is its own room; the room's optional '#' is used up and keys typed ahead are the PIN", async () => {
    const caller = await s.driver.call('88', { context });
    await caller.hears('sound:conf-getconfno');
    await caller.dtmf('0123#45#'); // the 4th digit completes the room, its '#' ends it; then the PIN
    await caller.entersBridge('conference-0123');
    const friend = await joinRoom(s.driver, '880123', { pin: '45' }, context);
    await friend.entersBridge('conference-0123');
  });

  it.each([
    ['88', '000#', 3],
    ['88', '0000', 4],
    ['88000', undefined, 3],
    ['880000', undefined, 4],
  ])('dialling %s then keying %s gives a random %i-digit room, announced before the PIN prompt', async (dialled, room, digits) => {
    const caller = await s.driver.call(dialled, { context });
    if (room !== undefined) {
      await caller.hears('sound:conf-getconfno');
      await caller.dtmf(room);
    }
    await caller.hears('sound:conf-getpin');
    const played = caller.played();
    const announced = played.find((m) => m.startsWith('digits:'));
    expect(announced).toMatch(new RegExp(`^digits:[0-9]{${digits}}$`));
    const number = (announced as string).slice('digits:'.length);
    expect(Number(number)).toBeGreaterThanOrEqual(digits === 3 ? 100 : 1000);
    expect(played.indexOf('sound:conference/your-conference-number-is')).toBe(played.indexOf(announced as string) - 1);
    expect(played.indexOf(announced as string)).toBeLessThan(played.indexOf('sound:conf-getpin'));

    await caller.heardToEnd('sound:conf-getpin');
    await caller.dtmf('#');
    await caller.entersBridge(`conference-${number}`);
    // Someone else can now dial that number and join with the (empty) PIN.
    const friend = await joinRoom(s.driver, `88${number}`, {}, context);
    await friend.entersBridge(`conference-${number}`);
  });
});
