import { joinRoom, useScenario } from '../helpers/scenario';
import { waitUntil } from '../../harness/waitUntil';

/** SPEC.md "PIN". */
describe('PIN', () => {
  const s = useScenario({
    bruteForce: { windowSeconds: 600, slowAfter: 100, delayMs: 0, maxDelayMs: 0, lockAfter: 100, lockoutSeconds: 60 },
  });

  it('lets the first caller set the PIN, and later callers with the same PIN in', async () => {
    const first = await joinRoom(s.driver, '88', { room: '500#', pin: '97531864' });
    await first.entersBridge('conference-500');
    const second = await joinRoom(s.driver, '88500', { pin: '97531864' });
    await second.entersBridge('conference-500');
    expect(s.harness.logText.some((line) => line.includes('97531864'))).toBe(false);
  });

  it('refuses a wrong PIN ("that PIN is invalid"), lets the caller try again, and never joins a wrong PIN', async () => {
    const first = await joinRoom(s.driver, '88501', { pin: '42' });
    await first.entersBridge('conference-501');
    const second = await joinRoom(s.driver, '88501', { pin: '43' });
    await second.hears('sound:conf-invalidpin');
    expect(await second.bridge()).toBeUndefined();
    await second.hears('sound:conf-getpin');
    await second.dtmf('42#');
    await second.entersBridge('conference-501');
  });

  it('says goodbye and hangs up after 3 wrong PINs', async () => {
    const first = await joinRoom(s.driver, '88502', { pin: '1' });
    await first.entersBridge('conference-502');
    const intruder = await s.driver.call('88502');
    for (const guess of ['2', '3', '4']) {
      await s.driver.waitFor(
        () => intruder.played().filter((m) => m === 'sound:conf-getpin').length === ['2', '3', '4'].indexOf(guess) + 1,
        8000,
        'PIN prompt',
      );
      await intruder.dtmf(`${guess}#`);
    }
    await intruder.hears('sound:goodbye');
    await intruder.hungUp();
    expect(intruder.played().slice(-2)).toEqual(['sound:conf-invalidpin', 'sound:goodbye']);
    expect(intruder.played().filter((m) => m === 'sound:conf-invalidpin')).toHaveLength(3);
    expect(s.driver.events.some((e) => e.type === 'ChannelEnteredBridge' && (e.channel as { id: string }).id === intruder.appChannel)).toBe(
      false,
    );
    expect(s.harness.logs.filter((l) => l.event === 'wrong-pin' && l.call === intruder.appChannel)).toHaveLength(3);
  });

  it('has an empty PIN when the first caller keys # alone; then # alone is the right PIN and digits are wrong', async () => {
    const first = await joinRoom(s.driver, '88503');
    await first.entersBridge('conference-503');
    const wrong = await joinRoom(s.driver, '88503', { pin: '1' });
    await wrong.hears('sound:conf-invalidpin');
    await wrong.hears('sound:conf-getpin');
    await wrong.dtmf('#');
    await wrong.entersBridge('conference-503');
  });

  it('swallows the rest of a PIN gone too long up to its #: only the fresh entry after "invalid" becomes the PIN', async () => {
    const first = await s.driver.call('88508');
    await first.hears('sound:conf-getpin');
    const mark = s.driver.mark();
    await first.dtmf('123456789012#');
    await first.hears('sound:conf-invalidpin', { since: mark });
    await first.dtmf('1357#');
    await first.entersBridge('conference-508');
    expect(first.played().filter((m) => m === 'sound:conf-invalidpin')).toHaveLength(1);
    // The PIN in force is the fresh entry, not the tail of the long one.
    await expectPinInForce('508', { refused: '012', admitted: '1357' });
    // The first caller's keys never reached the conference (its '#' would have made them leave).
    expect(await first.bridge()).toBe('conference-508');
  });

  it("uses up a '#' keyed right after a 4-digit room: the PIN is what follows, never empty", async () => {
    const first = await s.driver.call('88');
    await first.hears('sound:conf-getconfno');
    await first.dtmf('4401#');
    await first.hears('sound:conf-getpin');
    await first.dtmf('2580#');
    await first.entersBridge('conference-4401');
    await expectPinInForce('4401', { refused: '', admitted: '2580' });
    expect(await first.bridge()).toBe('conference-4401');
  });

  it("uses up a '#' keyed after a 4-digit direct dial while the PIN prompt plays", async () => {
    const first = await s.driver.call('884402');
    await first.hears('sound:conf-getpin');
    await first.dtmf('#');
    // The '#' neither stops the prompt nor counts as an entry: the prompt plays to its end.
    const prompt = await s.driver.waitFor(
      (e) => e.type === 'PlaybackFinished' && (e.playback as { target_uri: string }).target_uri === `channel:${first.appChannel}`,
    );
    expect((prompt.playback as { media_uri: string }).media_uri).toBe('sound:conf-getpin');
    await first.dtmf('2580#');
    await first.entersBridge('conference-4402');
    expect(first.played().filter((m) => m === 'sound:conf-getpin' || m === 'sound:conf-invalidpin')).toEqual(['sound:conf-getpin']);
    await expectPinInForce('4402', { refused: '' });
  });

  it("takes '#' alone as the empty PIN once the PIN prompt after a 4-digit room has been heard", async () => {
    const first = await s.driver.call('884403');
    await first.heardToEnd('sound:conf-getpin');
    await first.dtmf('#');
    await first.entersBridge('conference-4403');
    const second = await joinRoom(s.driver, '884403', { pin: '' });
    await second.entersBridge('conference-4403');
  });

  it('makes a caller who reaches PIN entry while the first caller is still keying wait, then checks it', async () => {
    const first = await s.driver.call('88505');
    await first.hears('sound:conf-getpin');
    const second = await joinRoom(s.driver, '88505', { pin: '77' });
    await waitUntil(() => s.harness.logs.some((l) => l.event === 'waiting' && l.call === second.appChannel), 5000, 'second caller waiting');
    expect(await second.bridge()).toBeUndefined();
    await first.dtmf('77#');
    await first.entersBridge('conference-505');
    await second.entersBridge('conference-505');
  });

  it('refuses the waiting caller whose PIN differs from the one the first caller then sets', async () => {
    const first = await s.driver.call('88506');
    await first.hears('sound:conf-getpin');
    const second = await joinRoom(s.driver, '88506', { pin: '11' });
    await waitUntil(() => s.harness.logs.some((l) => l.event === 'waiting' && l.call === second.appChannel), 5000, 'second caller waiting');
    await first.dtmf('22#');
    await first.entersBridge('conference-506');
    await second.hears('sound:conf-invalidpin');
    expect(await second.bridge()).toBeUndefined();
  });

  it('makes the waiting caller the first when the first caller hangs up instead', async () => {
    const first = await s.driver.call('88507');
    await first.hears('sound:conf-getpin');
    const second = await joinRoom(s.driver, '88507', { pin: '55' });
    await waitUntil(() => s.harness.logs.some((l) => l.event === 'waiting' && l.call === second.appChannel), 5000, 'second caller waiting');
    await first.hangup();
    await second.entersBridge('conference-507');
    // The waiting caller's PIN is now the room's.
    const third = await joinRoom(s.driver, '88507', { pin: '55' });
    await third.entersBridge('conference-507');
  });

  /** Which PIN a room has now, as later callers find out: one keying `refused` is told it is invalid, one keying `admitted` joins. */
  async function expectPinInForce(room: string, pins: { refused: string; admitted?: string }): Promise<void> {
    const refused = await joinRoom(s.driver, `88${room}`, { pin: pins.refused });
    await refused.hears('sound:conf-invalidpin');
    expect(await refused.bridge()).toBeUndefined();
    if (pins.admitted === undefined) return;
    const admitted = await joinRoom(s.driver, `88${room}`, { pin: pins.admitted });
    await admitted.entersBridge(`conference-${room}`);
  }
});
