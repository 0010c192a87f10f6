import { joinRoom, useScenario } from '../helpers/scenario';

/** Issue 6 and SPEC "PIN": wrong PINs are slowed down, then refused for a while, per caller and per room. */
describe('PIN brute force', () => {
  const s = useScenario({ bruteForce: { windowSeconds: 600, slowAfter: 1, delayMs: 300, maxDelayMs: 600, lockAfter: 3, lockoutSeconds: 60 } });

  async function guess(callerId: string, room: string, pins: string[]): Promise<Awaited<ReturnType<typeof s.driver.call>>> {
    const caller = await s.driver.call(`88${room}`, { callerId });
    for (const [index, pin] of pins.entries()) {
      await s.driver.waitFor(() => caller.played().filter((m) => m === 'sound:conf-getpin').length === index + 1, 8000, `PIN prompt ${index + 1}`);
      await caller.dtmf(`${pin}#`);
    }
    return caller;
  }

  it('locks out a caller number after 3 wrong PINs: even the right PIN is refused, and nothing is logged with a PIN', async () => {
    const host = await joinRoom(s.driver, '88670', { pin: '4242' });
    await host.entersBridge('conference-670');
    const attacker = await guess('666', '670', ['1111', '2222', '3333']);
    await attacker.hears('sound:conference/pin-locked');
    await attacker.hears('sound:goodbye');
    await attacker.hungUp();

    // Calling back with the right PIN: refused before any PIN is taken.
    const again = await s.driver.call('88670', { callerId: '666' });
    await again.hears('sound:conference/pin-locked');
    await again.hungUp();
    expect(again.played()).not.toContain('sound:conf-getpin');

    const refusals = s.harness.logs.filter((l) => l.callerId === '666' && (l.event === 'wrong-pin' || l.reason === 'pin-locked'));
    expect(refusals.map((l) => l.event)).toEqual(['wrong-pin', 'wrong-pin', 'wrong-pin', 'refused', 'refused']);
    for (const pin of ['4242', '1111', '2222', '3333']) expect(s.harness.logText.some((line) => line.includes(pin))).toBe(false);
  });

  it('locks a room under attack from several numbers, and leaves other rooms alone', async () => {
    const host = await joinRoom(s.driver, '88671', { pin: '77' });
    await host.entersBridge('conference-671');
    for (const [callerId, pin] of [['701', '1'], ['702', '2']] as const) {
      const attacker = await guess(callerId, '671', [pin]);
      await attacker.hears('sound:conf-invalidpin');
      await attacker.hangup();
    }
    const third = await guess('703', '671', ['3']);
    await third.hears('sound:conference/pin-locked');
    await third.hungUp();
    // A rightful caller of that room must wait out the lockout too; another room is open.
    const rightful = await s.driver.call('88671', { callerId: '704' });
    await rightful.hears('sound:conference/pin-locked');
    const elsewhere = await joinRoom(s.driver, '88672', { pin: '1' });
    await elsewhere.entersBridge('conference-672');
  });

  it('slows down wrong PINs before locking: a pause before the next try', async () => {
    const host = await joinRoom(s.driver, '88673', { pin: '5' });
    await host.entersBridge('conference-673');
    const slow = await guess('710', '673', ['1', '2']);
    await s.driver.waitFor(() => slow.played().filter((m) => m === 'sound:conf-invalidpin').length === 2, 8000, 'second refusal');
    expect(s.harness.logs.filter((l) => l.call === slow.appChannel && l.event === 'pin-delay').map((l) => l.delayMs)).toEqual([300]);
    // What the caller notices: silence between the second wrong PIN and "that PIN is invalid".
    const keyedAt = Date.parse(String(s.harness.logs.filter((l) => l.call === slow.appChannel && l.event === 'wrong-pin')[1]?.timestamp));
    const refusal = slow.played().lastIndexOf('sound:conf-invalidpin');
    const refusedAt = Date.parse(String(s.driver.events.filter((e) => e.type === 'PlaybackStarted' && (e.playback as { target_uri: string }).target_uri === `channel:${slow.appChannel}`)[refusal]?.timestamp));
    expect(refusedAt - keyedAt).toBeGreaterThanOrEqual(250);
  });
});
