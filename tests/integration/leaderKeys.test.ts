import { Caller } from '../../harness/caller';
import { waitUntil } from '../../harness/waitUntil';
import { callApi } from '../helpers/statusApi';
import { bridgePlayback, joinRoom, useScenario } from '../helpers/scenario';

const TOKEN = 'leader-keys-test-token';

/** The keys of leaders and participants of a permanent room with a leader PIN, and the admin routes that go with them. */
describe('leader and participant keys', () => {
  const rooms = ['510', '511', '512', '513', '514', '515'].map((number) => ({ number, pin: '1', leaderPin: '2' }));
  const s = useScenario({ permanentRooms: rooms, api: { port: 0, token: TOKEN } });

  async function leaderAndParticipants(room: string, participants: number): Promise<[Caller, ...Caller[]]> {
    const leader = await joinRoom(s.driver, `88${room}`, { pin: '2' });
    await leader.entersBridge(`conference-${room}`);
    const others: Caller[] = [];
    for (let i = 0; i < participants; i++) {
      const participant = await joinRoom(s.driver, `88${room}`, { pin: '1' });
      await participant.entersBridge(`conference-${room}`);
      await participant.heardToEnd('sound:conf-otherinparty');
      others.push(participant);
    }
    await leader.heardToEnd(leader.played().at(-1) as string);
    return [leader, ...others];
  }

  /** Keys, then waits for `last` to start playing to `who` after the key; returns what `who` heard from the key on. */
  async function press(caller: Caller, key: string, who: Caller, last: string, timeoutMs = 10000): Promise<string[]> {
    const from = who.played().length;
    await caller.dtmf(key);
    await waitUntil(() => who.played().slice(from).includes(last), timeoutMs, `${last} after ${key}`);
    return who.played().slice(from);
  }

  const view = async (room: string): Promise<any> => (await callApi(s.harness, 'GET', `/rooms/${room}`, TOKEN)).json; // eslint-disable-line @typescript-eslint/no-explicit-any

  it("4 raises and lowers a participant's hand; the leader hears it once, and the count with the help key", async () => {
    const [leader, participant] = await leaderAndParticipants('510', 1);
    expect(await press(participant!, '4', participant!, 'sound:conference/hand-raised')).toEqual(['sound:conference/hand-raised']);
    await leader.hears('sound:conference/a-hand-is-raised');
    expect((await view('510')).raisedHands).toBe(1);
    expect((await view('510')).participants[1]).toMatchObject({ role: 'participant', handRaised: true });

    const help = await press(leader, '*', leader, 'sound:conference/help-end', 40000);
    expect(help.slice(0, 3)).toEqual(['sound:conference/hands-raised', 'number:1', 'sound:conference/help-mute']);
    expect(help).toContain('sound:conference/help-lecture');

    expect(await press(participant!, '4', participant!, 'sound:conference/hand-lowered')).toEqual(['sound:conference/hand-lowered']);
    expect((await view('510')).raisedHands).toBe(0);
    expect(leader.played().filter((m) => m === 'sound:conference/a-hand-is-raised')).toHaveLength(1);
  }, 90000);

  it('6 mutes every participant (lecture): they ask to speak with 4, 7 lets the first hand speak, 6 again unmutes all', async () => {
    const [leader, first, second] = await leaderAndParticipants('511', 2);
    expect(await press(leader, '6', leader, 'sound:conference/all-muted')).toEqual(['sound:conference/all-muted']);
    await first!.hears('sound:conference/muted-by-leader');
    expect(s.harness.app.rooms.isMuted('511', first!.appChannel)).toBe(true);
    expect(s.harness.app.rooms.isMuted('511', second!.appChannel)).toBe(true);
    expect(s.harness.app.rooms.isMuted('511', leader.appChannel)).toBe(false);
    expect((await view('511')).lecture).toBe(true);

    // Their own mute key does not unmute them: they are told how to ask.
    await first!.heardToEnd('digits:4');
    expect(await press(first!, '1', first!, 'digits:4')).toEqual([
      'sound:conference/muted-by-leader',
      'sound:conference/ask-to-speak',
      'digits:4',
    ]);
    expect(s.harness.app.rooms.isMuted('511', first!.appChannel)).toBe(true);

    await press(second!, '4', second!, 'sound:conference/hand-raised');
    await press(first!, '4', first!, 'sound:conference/hand-raised');
    expect(await press(leader, '7', leader, 'sound:conference/hand-unmuted')).toContain('sound:conference/hand-unmuted');
    await second!.hears('sound:conference/you-may-speak');
    expect(s.harness.app.rooms.isMuted('511', second!.appChannel)).toBe(false);
    expect(s.harness.app.rooms.isMuted('511', first!.appChannel)).toBe(true);

    // A newcomer joins muted, and is told how to ask.
    const late = await joinRoom(s.driver, '88511', { pin: '1' });
    await late.entersBridge('conference-511');
    // The welcome first: the room's number and who is in (about 10 s).
    await late.hears('sound:conference/ask-to-speak', { timeoutMs: 20000 });
    expect(s.harness.app.rooms.isMuted('511', late.appChannel)).toBe(true);

    await press(leader, '7', leader, 'sound:conference/hand-unmuted');
    expect(await press(leader, '7', leader, 'sound:conference/no-hands')).toEqual(['sound:conference/no-hands']);
    expect(await press(leader, '6', leader, 'sound:conference/all-unmuted')).toEqual(['sound:conference/all-unmuted']);
    await late.hears('sound:conference/unmuted');
    expect(s.harness.app.rooms.isMuted('511', late.appChannel)).toBe(false);
    const actions = s.harness.logs.filter((l) => l.event === 'leader' && l.room === '511').map((l) => l.action);
    expect(actions).toEqual(['lecture-on', 'unmute-hand', 'unmute-hand', 'lecture-off']);
  }, 90000);

  it('5 locks and unlocks the room; a participant pressing the leader keys changes nothing', async () => {
    const [leader, participant] = await leaderAndParticipants('512', 1);
    await participant!.dtmf('5');
    await participant!.dtmf('9');
    expect(await press(leader, '5', leader, 'sound:conf-lockednow')).toEqual(['sound:conf-lockednow']);
    expect((await view('512')).locked).toBe(true);
    // Refused as it asks for the room, before any PIN.
    const refused = await s.driver.call('88512');
    await refused.hears('sound:conference/conference-locked');
    await refused.hungUp();
    expect(await press(leader, '5', leader, 'sound:conf-unlockednow')).toEqual(['sound:conf-unlockednow']);
    expect((await view('512')).locked).toBe(false);
    expect(await participant!.bridge()).toBe('conference-512');
  }, 60000);

  it('8 removes the last participant who joined: they are told and hung up, the others stay', async () => {
    const [leader, first, last] = await leaderAndParticipants('513', 2);
    await press(leader, '8', leader, 'sound:conference/last-removed');
    await last!.hears('sound:conference/removed');
    await last!.hungUp();
    expect(await first!.bridge()).toBe('conference-513');
    expect(s.harness.logs.some((l) => l.event === 'leader' && l.action === 'remove' && l.target === last!.appChannel)).toBe(true);
  }, 60000);

  it('9 ends the conference for everyone: they hear that it has ended, and are hung up', async () => {
    const [leader, ...participants] = await leaderAndParticipants('514', 2);
    await leader.dtmf('9');
    await s.driver.waitFor(bridgePlayback('conference-514', 'sound:conference/conference-ended'));
    for (const caller of [leader, ...participants]) await caller.hungUp({ timeoutMs: 15000 });
    // Logged once every hangup has been answered.
    await waitUntil(
      () => s.harness.logs.some((l) => l.event === 'room-ended' && l.room === '514' && l.reason === 'ended-by-leader' && l.hungUp === 3),
      5000,
      'the end to be logged',
    );
  }, 60000);

  it('the admin API: lecture mode on and off, and the end of a conference', async () => {
    const [leader, participant] = await leaderAndParticipants('515', 1);
    expect((await callApi(s.harness, 'POST', '/rooms/515/lecture', TOKEN)).status).toBe(200);
    await participant!.hears('sound:conference/muted-by-leader');
    expect(s.harness.app.rooms.isMuted('515', participant!.appChannel)).toBe(true);
    expect((await callApi(s.harness, 'POST', '/rooms/515/lecture', TOKEN)).status).toBe(409);
    expect((await callApi(s.harness, 'DELETE', '/rooms/515/lecture', TOKEN)).status).toBe(200);
    await participant!.hears('sound:conference/unmuted');
    expect(s.harness.app.rooms.isMuted('515', participant!.appChannel)).toBe(false);
    expect((await callApi(s.harness, 'POST', '/rooms/516/end', TOKEN)).status).toBe(404);
    expect((await callApi(s.harness, 'POST', '/rooms/515/end', null)).status).toBe(401);
    expect((await callApi(s.harness, 'POST', '/rooms/515/end', TOKEN)).status).toBe(200);
    await s.driver.waitFor(bridgePlayback('conference-515', 'sound:conference/conference-ended'));
    for (const caller of [leader, participant!]) await caller.hungUp({ timeoutMs: 15000 });
  }, 60000);

  it('a participant of a spontaneous room has no hand to raise: 4 does nothing there', async () => {
    const first = await joinRoom(s.driver, '88520');
    await first.entersBridge('conference-520');
    await first.heardToEnd('sound:conf-onlyperson');
    const from = first.played().length;
    await first.dtmf('4');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(first.played().slice(from)).toEqual([]);
  }, 30000);
});
