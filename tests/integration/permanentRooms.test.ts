import { Caller } from '../../harness/caller';
import { waitUntil } from '../../harness/waitUntil';
import { callApi } from '../helpers/statusApi';
import { bridgePlayback, joinRoom, useScenario } from '../helpers/scenario';
import { tonesHeard } from '../helpers/toneLevel';
import { joinRoomByPhone, untilOnlyVoices, usePhones } from '../helpers/sipScenario';

// PINs no log line could hold by chance.
const PIN = '2468';
const LEADER_PIN = '86420';
// Joining three phones, the prompts, then listening: room for a slow machine, not a performance goal.
const AUDIO_TEST_TIMEOUT_MS = 90000;

/** Permanent rooms from the settings file, their leader PIN and options, as callers meet them. */
describe('permanent rooms and leaders', () => {
  const phones = usePhones();
  const s = useScenario({
    permanentRooms: [
      { number: '500', pin: PIN, leaderPin: LEADER_PIN },
      { number: '501', pin: '11', leaderPin: '77', startMuted: true, maxParticipants: 2 },
      { number: '502', pin: '22', leaderPin: '99', waitForLeader: true },
      { number: '503', pin: '33', leaderPin: '99', endWhenLeaderLeaves: true },
    ],
  });

  async function roles(room: string): Promise<Array<[string, string]>> {
    const answer = await callApi(s.harness, 'GET', `/rooms/${room}`, null);
    expect(answer.status).toBe(200);
    return (answer.json.participants as Array<{ channel: string; role: string }>).map((p) => [p.channel, p.role]);
  }

  it("its first caller keys the room's PIN (another is refused, and sets nothing); the leader PIN makes a leader", async () => {
    const first = await s.driver.call('88500');
    await first.hears('sound:conf-getpin');
    await first.dtmf('1357#');
    await first.hears('sound:conf-invalidpin');
    expect(await first.bridge()).toBeUndefined();
    await first.dtmf(`${PIN}#`);
    await first.entersBridge('conference-500');
    await first.hears('sound:conf-onlyperson');

    const leader = await joinRoom(s.driver, '88500', { pin: LEADER_PIN });
    await leader.entersBridge('conference-500');
    await leader.hears('sound:conf-otherinparty');
    expect((await callApi(s.harness, 'GET', '/rooms/500', null)).json.permanent).toBe(true);
    expect(await roles('500')).toEqual([
      [first.appChannel, 'participant'],
      [leader.appChannel, 'leader'],
    ]);
    const logs = s.harness.logText.join('\n');
    expect(logs).toContain('"role":"leader"');
    expect(logs).not.toContain(PIN);
    expect(logs).not.toContain(LEADER_PIN);
  });

  it('start muted: participants join muted and are told so, leaders are not; the room has its own limit', async () => {
    const leader = await joinRoom(s.driver, '88501', { pin: '77' });
    await leader.entersBridge('conference-501');
    await leader.heardToEnd('sound:conf-onlyperson');
    expect(leader.played()).not.toContain('sound:conference/muted');
    expect(s.harness.app.rooms.isMuted('501', leader.appChannel)).toBe(false);

    const participant = await joinRoom(s.driver, '88501', { pin: '11' });
    await participant.entersBridge('conference-501');
    await participant.hears('sound:conference/muted');
    expect(s.harness.app.rooms.isMuted('501', participant.appChannel)).toBe(true);
    // Not lecture mode: the participant may unmute to speak.
    await participant.heardToEnd('sound:conference/muted');
    await participant.dtmf('1');
    await participant.hears('sound:conference/unmuted');
    expect(s.harness.app.rooms.isMuted('501', participant.appChannel)).toBe(false);

    // maxParticipants 2, against limits.maxParticipantsPerRoom 50.
    const third = await joinRoom(s.driver, '88501', { pin: '11' });
    await third.hears('sound:conference/conference-full');
    await third.hungUp();
    expect(s.harness.logs.some((l) => l.event === 'refused' && l.reason === 'room-full' && l.limit === 2)).toBe(true);
  });

  it(
    'wait for the leader: participants hear music, in no bridge, until the leader joins; then all hear each other',
    async () => {
      const [a, b, lead] = await Promise.all([
        phones.start({ user: '201', toneHz: 1000 }),
        phones.start({ user: '202', toneHz: 2000 }),
        phones.start({ user: '203' }),
      ]);
      const waiting = await Promise.all([a, b].map((phone) => joinRoomByPhone(s.driver, phone, '88502', { pin: '22' })));
      for (const call of waiting) await call.hears('sound:conf-waitforleader');
      await waitUntil(() => s.harness.app.rooms.snapshotOfRoom('502')?.waitingForLeader === 2, 10000, 'both to wait for the leader');
      // Two participants, and nobody hears anyone: neither is in a bridge.
      expect(await Promise.all(waiting.map((call) => call.bridge()))).toEqual([undefined, undefined]);
      expect((await s.driver.conferenceBridges()).get('conference-502') ?? []).toEqual([]);

      const leader = await joinRoomByPhone(s.driver, lead, '88502', { pin: '99' });
      await leader.entersBridge('conference-502');
      for (const call of waiting) await call.entersBridge('conference-502');
      await leader.hears('sound:conf-otherinparty');
      await untilOnlyVoices(s.driver, 'conference-502', [...waiting, leader]);
      const [heardByA, heardByLeader] = await Promise.all([a.listen(2000), lead.listen(2000)]);
      expect(tonesHeard(heardByA, [1000, 2000])).toEqual({ 1000: 'not heard', 2000: 'heard' });
      expect(tonesHeard(heardByLeader, [1000, 2000])).toEqual({ 1000: 'heard', 2000: 'heard' });
    },
    AUDIO_TEST_TIMEOUT_MS,
  );

  it('end when the leader leaves: the others hear "the leader has left" and are hung up', async () => {
    const leader = await joinRoom(s.driver, '88503', { pin: '99' });
    await leader.entersBridge('conference-503');
    const participants: Caller[] = [];
    for (let i = 0; i < 2; i++) {
      const participant = await joinRoom(s.driver, '88503', { pin: '33' });
      await participant.entersBridge('conference-503');
      participants.push(participant);
    }
    await leader.hangup();
    await s.driver.waitFor(bridgePlayback('conference-503', 'sound:conf-leaderhasleft'));
    for (const participant of participants) await participant.hungUp({ timeoutMs: 15000 });
    // Logged once every hangup has been answered.
    await waitUntil(
      () => s.harness.logs.some((l) => l.event === 'room-ended' && l.room === '503' && l.hungUp === 2),
      5000,
      'the end to be logged',
    );
  }, 45000);

  it('a participant leaving does not end the room, nor does a leader with another leader still in', async () => {
    const leaders = [await joinRoom(s.driver, '88503', { pin: '99' }), await joinRoom(s.driver, '88503', { pin: '99' })];
    const participant = await joinRoom(s.driver, '88503', { pin: '33' });
    await participant.entersBridge('conference-503');
    const mark = s.driver.events.length;
    await leaders[0]!.hangup();
    await leaders[0]!.hungUp();
    // Longer than the grace before a room that ends is hung up.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(await participant.bridge()).toBe('conference-503');
    expect(s.driver.events.slice(mark).some(bridgePlayback('conference-503', 'sound:conf-leaderhasleft'))).toBe(false);
  }, 30000);

  it('applies a change of the list live; a room removed while in use keeps its PIN until it empties', async () => {
    const permanentRooms = [{ number: '505', pin: '55' }];
    await s.harness.writeSettings({ permanentRooms });
    const first = await joinRoom(s.driver, '88505', { pin: '55' });
    await first.entersBridge('conference-505');
    await first.hears('sound:conf-onlyperson');
    expect((await callApi(s.harness, 'GET', '/rooms/505', null)).json.permanent).toBe(true);

    await s.harness.writeSettings({ permanentRooms: [] });
    const intruder = await s.driver.call('88505');
    await intruder.hears('sound:conf-getpin');
    await intruder.dtmf('56#');
    await intruder.hears('sound:conf-invalidpin');
    await intruder.hangup();
    const second = await joinRoom(s.driver, '88505', { pin: '55' });
    await second.entersBridge('conference-505');

    await s.driver.hangupAll();
    await waitUntil(() => !s.harness.app.rooms.holds('505'), 10000, 'room 505 to empty');
    // Spontaneous now: its first caller sets the PIN.
    const starter = await joinRoom(s.driver, '88505', { pin: '9' });
    await starter.entersBridge('conference-505');
    expect((await callApi(s.harness, 'GET', '/rooms/505', null)).json.permanent).toBe(false);
  }, 40000);
});
