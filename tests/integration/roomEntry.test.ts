import { useScenario } from '../helpers/scenario';
import { waitUntil } from '../../harness/waitUntil';

/** SPEC.md "Room entry details". Timeouts are shortened in this file's settings to keep it quick. */
describe('room entry', () => {
  const s = useScenario({ entry: { firstDigitTimeoutSeconds: 2, interDigitTimeoutSeconds: 1, maxAttempts: 3, pinMaxLength: 8 } });

  it('takes keys while the prompt plays (barge-in) and silences the prompt at the first key', async () => {
    // A caller who keys nothing hears the room prompt to its end: its length on this Asterisk.
    const listener = await s.driver.call('88');
    const fullLength = await promptLength(listener.appChannel);
    const caller = await s.driver.call('88');
    const started = await s.driver.waitFor(
      (e) => e.type === 'PlaybackStarted' && (e.playback as { target_uri: string }).target_uri === `channel:${caller.appChannel}`,
    );
    const id = (started.playback as { id: string }).id;
    await caller.dtmf('1');
    // Silenced by the key, well before the prompt's end: Asterisk holds it paused, reading the keys,
    // until the entry is complete; then it ends, before the next prompt.
    const state = async (): Promise<string> => (await s.driver.rest.get<{ state: string }>(`/playbacks/${id}`)).state;
    await waitUntil(async () => (await state()) === 'paused', fullLength / 2, 'the room prompt paused by the first key');
    await caller.dtmf('23#');
    await s.driver.waitFor((e) => e.type === 'PlaybackFinished' && (e.playback as { id: string }).id === id);
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
    await caller.hears('sound:conf-invalid', { timeoutMs: 8000 }); // nothing keyed
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
      await s.driver.waitFor(
        () => caller.played().filter((m) => m === 'sound:conf-getconfno').length === attempt + 1,
        8000,
        `prompt ${attempt + 1}`,
      );
      await caller.dtmf('1#');
    }
    await caller.hears('sound:goodbye');
    await caller.hungUp();
    expect(caller.played().filter((m) => m === 'sound:conf-invalid')).toHaveLength(3);
    expect(caller.played().slice(-2)).toEqual(['sound:conf-invalid', 'sound:goodbye']);
    expect(await caller.bridge()).toBeUndefined();
  });

  it.each(['*', 'A', 'B', 'C', 'D'])('treats %s as an invalid key, and swallows the rest of that entry', async (key) => {
    const caller = await s.driver.call('88');
    await caller.hears('sound:conf-getconfno');
    const mark = s.driver.mark();
    // With no swallowing, "4567" after the bad key would be a room.
    await caller.dtmf(`1${key}4567#`);
    await caller.hears('sound:conf-invalid', { since: mark });
    await s.driver.waitFor(
      (e) => e.type === 'ChannelDtmfReceived' && (e.channel as { id: string }).id === caller.appChannel && e.digit === key,
      5000,
      `the app's channel receiving ${key}`,
    );
    await caller.dtmf('321#');
    await caller.hears('sound:conf-getpin');
    await caller.dtmf('#');
    await caller.entersBridge('conference-321');
    expect(caller.played().filter((m) => m === 'sound:conf-invalid')).toHaveLength(1);
  });

  it.each(['8812', '8812345'])('says a direct dial of %s is invalid, then asks for the room', async (dialled) => {
    const caller = await s.driver.call(dialled);
    await caller.hears('sound:conf-invalid');
    await caller.hears('sound:conf-getconfno');
    await caller.dtmf('2345');
    await caller.heardToEnd('sound:conf-getpin');
    await caller.dtmf('#');
    await caller.entersBridge('conference-2345');
  });

  /** How long a prompt played to its end took, as Asterisk's events say. */
  async function promptLength(channel: string): Promise<number> {
    const started = await s.driver.waitFor(
      (e) => e.type === 'PlaybackStarted' && (e.playback as { target_uri: string }).target_uri === `channel:${channel}`,
    );
    const id = (started.playback as { id: string }).id;
    const finished = await s.driver.waitFor((e) => e.type === 'PlaybackFinished' && (e.playback as { id: string }).id === id);
    return Date.parse(String(finished.timestamp)) - Date.parse(String(started.timestamp));
  }
});
