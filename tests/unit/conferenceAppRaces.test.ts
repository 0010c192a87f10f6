import { FakeWorld, fakeWorld, settled } from '../helpers/fakeEdge';

/** A caller dials the room, keys the PIN and '#', and is in the room's bridge. */
async function joinRoom(w: FakeWorld, channelId: string, room: string, pin: string): Promise<void> {
  w.source.call(channelId, room);
  await settled();
  w.source.keys(channelId, `${pin}#`);
  await settled();
  expect(w.rooms.membersOf(room)).toContain(channelId);
}

/** A room with its host in it, and a second caller who has keyed the PIN: its addChannel is sent, Asterisk's answer held back. */
async function joinUnderWay(room: string, joiner: string): Promise<FakeWorld> {
  const w = fakeWorld();
  await joinRoom(w, 'host', room, '1');
  w.bridges.holdBack(joiner);
  w.source.call(joiner, room);
  await settled();
  w.source.keys(joiner, '1#');
  await settled();
  expect(w.bridges.isAdding(joiner)).toBe(true);
  return w;
}

/** Everyone still in the room hangs up: the room goes, its bridge with it, and the app holds nothing. */
async function expectRoomEndsWithItsLastCaller(w: FakeWorld, room: string): Promise<void> {
  for (const channelId of w.rooms.membersOf(room)) w.source.stasisEnd(channelId);
  await settled();
  expect(w.rooms.holds(room)).toBe(false);
  expect(w.bridges.channels.has(`conference-${room}`)).toBe(false);
  expect(w.app.sessionCount).toBe(0);
}

const errors = (w: FakeWorld): unknown[] => w.logs.filter((l) => l.level === 'error');

/** The event orders that race on a live server, driven without Asterisk: what callers would observe. */
describe('the app on a fake event source', () => {
  it("a hangup coming with the PIN's #, before the join: that caller never joins, the room goes on", async () => {
    const w = fakeWorld();
    await joinRoom(w, 'host', '610', '1');
    w.source.call('leaver', '610');
    await settled();
    // The '#' and the hangup in one read of the socket.
    w.source.keys('leaver', '1#');
    w.source.stasisEnd('leaver');
    await settled();
    expect(w.rooms.membersOf('610')).toEqual(['host']);
    expect(w.bridges.requests).not.toContain('add leaver');
    expect(w.app.sessionCount).toBe(1);
    await joinRoom(w, 'next', '610', '1');
    expect(w.rooms.membersOf('610')).toEqual(['host', 'next']);
    await expectRoomEndsWithItsLastCaller(w, '610');
    expect(errors(w)).toEqual([]);
  });

  it("a first caller hanging up with the PIN's #: the room it was starting is not left behind", async () => {
    const w = fakeWorld();
    w.source.call('first', '611');
    await settled();
    w.source.keys('first', '2#');
    w.source.stasisEnd('first');
    await settled();
    expect(w.rooms.holds('611')).toBe(false);
    expect(w.bridges.channels.has('conference-611')).toBe(false);
    expect(w.app.sessionCount).toBe(0);
    expect(errors(w)).toEqual([]);
  });

  const beforeTheAnswer = "StasisEnd before the answer to the join's addChannel (answered %s): the caller is not counted in the room";
  it.each(['added', 'caller-gone'] as const)(beforeTheAnswer, async (answer) => {
    const w = await joinUnderWay('620', 'late');
    w.source.stasisEnd('late');
    await settled();
    w.bridges.answerAdd('late', answer);
    await settled();
    expect(w.rooms.membersOf('620')).toEqual(['host']);
    expect(w.app.sessionCount).toBe(1);
    expect(w.published.filter((e) => e.type === 'joined').map((e) => 'channel' in e && e.channel)).toEqual(['host']);
    await expectRoomEndsWithItsLastCaller(w, '620');
    expect(errors(w)).toEqual([]);
  });

  it('a reconnect in the middle of a join: the caller still in Stasis is joined once Asterisk answers', async () => {
    const w = await joinUnderWay('630', 'joiner');
    // The connection dropped and came back: Asterisk holds both calls, the joiner not yet in the bridge.
    w.asterisk.appChannels = ['host', 'joiner'];
    w.source.connected();
    await settled();
    const nothingToDo = { ended: 0, adopted: 0, emptied: 0, stranded: 0 };
    expect(w.logs.filter((l) => l.event === 'reconciled')).toEqual([expect.objectContaining(nothingToDo)]);
    w.bridges.answerAdd('joiner', 'added');
    await settled();
    expect(w.rooms.membersOf('630')).toEqual(['host', 'joiner']);
    expect(w.app.sessionCount).toBe(2);
    expect(w.asterisk.released).toEqual([]);
    await expectRoomEndsWithItsLastCaller(w, '630');
  });

  it('a reconnect in the middle of a join: a caller who hung up while the app was away is let go, the room goes on', async () => {
    const w = await joinUnderWay('631', 'joiner');
    // Its StasisEnd was lost with the connection: Asterisk no longer has the call.
    w.asterisk.appChannels = ['host'];
    w.source.connected();
    await settled();
    expect(w.app.sessionCount).toBe(1);
    expect(w.logs.filter((l) => l.event === 'reconciled')).toEqual([expect.objectContaining({ ended: 1 })]);
    w.bridges.answerAdd('joiner', 'caller-gone');
    await settled();
    expect(w.rooms.membersOf('631')).toEqual(['host']);
    await expectRoomEndsWithItsLastCaller(w, '631');
    expect(errors(w)).toEqual([]);
  });

  it('a second StasisStart for a call already held changes nothing: one session, one way in', async () => {
    const w = fakeWorld();
    w.source.call('twice', '640');
    await settled();
    w.source.call('twice', '640', '999');
    await settled();
    expect(w.app.sessionCount).toBe(1);
    expect(w.calls.size).toBe(1);
    expect(w.published.filter((e) => e.type === 'call')).toHaveLength(1);
    w.source.keys('twice', '4#');
    await settled();
    expect(w.rooms.membersOf('640')).toEqual(['twice']);
    expect(w.calls.get('twice')?.heard.filter((media) => media.includes('sound:conf-getpin'))).toHaveLength(1);
    await expectRoomEndsWithItsLastCaller(w, '640');
  });

  it('keys and hangups of calls the app does not hold change nothing', async () => {
    const w = fakeWorld();
    await joinRoom(w, 'host', '650', '1');
    w.source.call('gone', '650');
    await settled();
    w.source.stasisEnd('gone');
    // Late and repeated events, as a slow or reconnecting socket may deliver them.
    w.source.keys('gone', '1#');
    w.source.keys('never-seen', '1#');
    w.source.stasisEnd('never-seen');
    w.source.stasisEnd('gone');
    await settled();
    expect(w.app.sessionCount).toBe(1);
    expect(w.rooms.membersOf('650')).toEqual(['host']);
    expect(w.bridges.requests.filter((r) => r.startsWith('add '))).toEqual(['add host']);
    await expectRoomEndsWithItsLastCaller(w, '650');
    expect(errors(w)).toEqual([]);
  });

  it('a call Asterisk says is hanging up, whose StasisEnd never comes: released after the grace, and out of the room', async () => {
    const w = fakeWorld();
    await joinRoom(w, 'host', '660', '1');
    await joinRoom(w, 'stuck', '660', '1');
    await joinRoom(w, 'leaves', '660', '1');
    w.source.hangupRequest('stuck');
    w.source.hangupRequest('leaves');
    w.source.stasisEnd('leaves');
    await new Promise((resolve) => setTimeout(resolve, 2200));
    await settled();
    expect(w.asterisk.released).toEqual(['stuck']);
    expect(w.logs.filter((l) => l.event === 'dropped')).toEqual([expect.objectContaining({ level: 'warn', call: 'stuck', room: '660' })]);
    expect(w.rooms.membersOf('660')).toEqual(['host']);
    expect(w.app.sessionCount).toBe(1);
    await expectRoomEndsWithItsLastCaller(w, '660');
  });

  it('asks Asterisk, at every connect, for the events it acts on only', async () => {
    const w = fakeWorld();
    w.source.connected();
    await settled();
    const handled = ['StasisStart', 'StasisEnd', 'ChannelDtmfReceived', 'ChannelLeftBridge', 'ChannelHangupRequest', 'ChannelDestroyed'];
    handled.push(
      'ChannelHold',
      'ChannelUnhold',
      'ChannelTalkingStarted',
      'ChannelTalkingFinished',
      'PlaybackStarted',
      'PlaybackFinished',
      'RecordingFinished',
      'RecordingFailed',
    );
    expect(w.asterisk.filtered).toEqual([handled]);
  });
});
