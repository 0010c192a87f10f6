import { useScenario } from '../helpers/scenario';

/** SPEC.md "Room entry details". Timeouts are shortened in this file's settings to keep it quick. */
describe('room entry', () => {
  const s = useScenario({ entry: { firstDigitTimeoutSeconds: 2, interDigitTimeoutSeconds: 1, maxAttempts: 3, pinMaxLength: 8 } });

  it('takes keys while the prompt plays (barge-in) and stops the prompt', async () => {
    const caller = await s.driver.call('88');
    const started = await s.driver.waitFor((e) => e.type === 'PlaybackStarted' && (e.playback as { target_uri: string }).target_uri === `channel:${caller.appChannel}`);
    const playbackId = (started.playback as { id: string }).id;
    await caller.dtmf('1');
    const finished = await s.driver.waitFor((e) => e.type === 'PlaybackFinished' && (e.playback as { id: string }).id === playbackId);
    // Stopped by the key, not played out: Asterisk reports where it stopped.
    expect((finished.playback as { state: string }).state).toBe('done');
    await caller.dtmf('23#');
    await caller.hears('sound:conf-getpin');
    await caller.dtmf('#');
    await caller.entersBridge('conference-123');
  });

  it.each(['#', '1#', '12#'])('says "%s" is invalid and asks again', async (keys) => {
    const caller = await s.driver.call('88');
    await caller.hears('sound:conf-getconfno');
    await caller.dtmf(keys);
    await caller.hears('sound:conf-invalid');
    await caller.dtmf('456#');
    await caller.hears('sound:conf-getpin');
    await caller.dtmf('#');
    await caller.entersBridge('conference-456');
    // Keyed over conf-invalid: barge-in stops the re-prompt before conf-getconfno plays again.
    expect(caller.played().slice(0, 2)).toEqual(['sound:conf-getconfno', 'sound:conf-invalid']);
  });

  it('treats a first-digit timeout and an inter-digit timeout as invalid entries', async () => {
    const caller = await s.driver.call('88');
    await caller.hears('sound:conf-getconfno');
    await caller.hears('sound:conf-invalid', 8000); // nothing keyed
    await caller.dtmf('12'); // then nothing more
    await s.driver.waitFor(() => caller.played().filter((m) => m === 'sound:conf-invalid').length === 2, 8000, 'second conf-invalid');
    await caller.dtmf('789#');
    await caller.hears('sound:conf-getpin');
    await caller.dtmf('#');
    await caller.entersBridge('conference-789');
  });

  it('says goodbye and hangs up after 3 failed attempts', async () => {
    const caller = await s.driver.call('88');
    for (let attempt = 0; attempt < 3; attempt++) {
      await s.driver.waitFor(() => caller.played().filter((m) => m === 'sound:conf-getconfno').length === attempt + 1, 8000, `prompt ${attempt + 1}`);
      await caller.dtmf('1#');
    }
    await caller.hears('sound:goodbye');
    await caller.hungUp();
    expect(caller.played().filter((m) => m === 'sound:conf-invalid')).toHaveLength(3);
    expect(caller.played().slice(-2)).toEqual(['sound:conf-invalid', 'sound:goodbye']);
    expect(await caller.bridge()).toBeUndefined();
  });

  it('treats * and A-D as invalid keys', async () => {
    const caller = await s.driver.call('88');
    await caller.hears('sound:conf-getconfno');
    await caller.dtmf('1*');
    await caller.hears('sound:conf-invalid');
    await caller.dtmf('321#');
    await caller.hears('sound:conf-getpin');
    await caller.dtmf('#');
    await caller.entersBridge('conference-321');
  });

  it.each(['8812', '8812345'])('says a direct dial of %s is invalid, then asks for the room', async (dialled) => {
    const caller = await s.driver.call(dialled);
    await caller.hears('sound:conf-invalid');
    await caller.hears('sound:conf-getconfno');
    await caller.dtmf('2345');
    await caller.hears('sound:conf-getpin');
    await caller.dtmf('#');
    await caller.entersBridge('conference-2345');
  });
});
