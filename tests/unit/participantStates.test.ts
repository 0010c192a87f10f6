import { noSpokenNames } from '../../harness/instantBridges';
import winston from 'winston';
import { ChannelStateEvent } from '../../src/app/appEvents';
import { ConferenceEvent, ConferenceEvents } from '../../src/app/conferenceEvents';
import { JoinsInFlight } from '../../src/app/joinsInFlight';
import { setMute } from '../../src/app/leaderActions';
import { ParticipantStates } from '../../src/app/participantStates';
import { Admit, RoomRegistry } from '../../src/app/roomRegistry';
import { EmbeddedRoomState } from '../../src/app/roomStateStore';
import { admission, AdmissionSettings } from '../../src/domain/admission';
import { FakeBridges, settled } from '../helpers/fakeEdge';

const open: AdmissionSettings = {
  enabled: true,
  externalAccess: true,
  externalMayStart: true,
  limits: { maxRooms: 10, maxParticipantsPerRoom: 10 },
};
const admitAll: Admit = (room) => admission(open, 'internal', room);

/** Asterisk's mute as the app asks for it: each request in order, answered when the test says. */
class MuteRequests {
  readonly sent: string[] = [];
  private readonly answers: Array<() => void> = [];
  slow = false;
  muteChannel(channelId: string, muted: boolean): Promise<boolean> {
    this.sent.push(`${muted ? 'mute' : 'unmute'} ${channelId}`);
    if (!this.slow) return Promise.resolve(true);
    return new Promise((resolve) => this.answers.push(() => resolve(true)));
  }
  answerAll(): void {
    for (const answer of this.answers.splice(0)) answer();
  }
}

async function roomWith(
  ...channels: string[]
): Promise<{ rooms: RoomRegistry; ari: MuteRequests; states: ParticipantStates; published: ConferenceEvent[] }> {
  const events = new ConferenceEvents();
  const published: ConferenceEvent[] = [];
  events.on('event', (event) => published.push(event));
  const rooms = new RoomRegistry(
    new EmbeddedRoomState({ set: async () => undefined, delete: () => undefined }),
    new FakeBridges(),
    () => 0,
    () => 1000,
    { joinTone: undefined, leaveTone: undefined },
    events,
    new JoinsInFlight(0, 0),
    noSpokenNames,
  );
  for (const channel of channels) {
    await rooms.enter('300', channel, new AbortController().signal, admitAll);
    await rooms.join('300', channel, { channelId: channel, callerId: channel, keyedAt: 0, role: 'participant', muted: false }, admitAll);
  }
  const ari = new MuteRequests();
  const log = winston.createLogger({ silent: true });
  let now = 5000;
  const states = new ParticipantStates({ rooms, ari, events, log, now: () => now++ });
  return { rooms, ari, states, published };
}

const event = (type: ChannelStateEvent['type'], id: string): ChannelStateEvent => ({ type, channel: { id } });

describe('a participant on hold', () => {
  it('is muted towards the room while held, and unmuted when back; each change published once', async () => {
    const { rooms, ari, states, published } = await roomWith('a', 'b');
    states.onEvent('300', event('ChannelHold', 'a'));
    await settled();
    expect(ari.sent).toEqual(['mute a']);
    expect(rooms.isHeld('300', 'a')).toBe(true);
    expect(rooms.liveCounts().onHold).toBe(1);
    states.onEvent('300', event('ChannelUnhold', 'a'));
    await settled();
    expect(ari.sent).toEqual(['mute a', 'unmute a']);
    expect(published.filter((e) => e.type === 'hold')).toEqual([
      { type: 'hold', at: 5000, room: '300', channel: 'a', held: true },
      { type: 'hold', at: 5001, room: '300', channel: 'a', held: false },
    ]);
  });

  it('stays muted after the hold when they had muted themselves; their unmute during the hold waits for them to be back', async () => {
    const { rooms, ari, states } = await roomWith('a');
    await setMute({ rooms, ari }, '300', 'a', true);
    states.onEvent('300', event('ChannelHold', 'a'));
    await settled();
    // Their own unmute while on hold: recorded, not sent through.
    await setMute({ rooms, ari }, '300', 'a', false);
    states.onEvent('300', event('ChannelHold', 'a'));
    await settled();
    expect(ari.sent).toEqual(['mute a', 'mute a', 'mute a', 'mute a']);
    expect(rooms.isMuted('300', 'a')).toBe(false);
    states.onEvent('300', event('ChannelUnhold', 'a'));
    await settled();
    expect(ari.sent.at(-1)).toBe('unmute a');

    await setMute({ rooms, ari }, '300', 'a', true);
    states.onEvent('300', event('ChannelHold', 'a'));
    states.onEvent('300', event('ChannelUnhold', 'a'));
    await settled();
    expect(ari.sent.at(-1)).toBe('mute a');
  });

  it('a quick hold and unhold reach Asterisk in order, one request at a time, and end unmuted', async () => {
    const { ari, states } = await roomWith('a');
    ari.slow = true;
    states.onEvent('300', event('ChannelHold', 'a'));
    await settled();
    // Back while the mute is still on its way: the unmute goes once Asterisk has answered it.
    states.onEvent('300', event('ChannelUnhold', 'a'));
    await settled();
    expect(ari.sent).toEqual(['mute a']);
    ari.answerAll();
    await settled();
    expect(ari.sent).toEqual(['mute a', 'unmute a']);
  });
});

describe('who is talking', () => {
  it('talking from the first start to the finish; a start while talking keeps the first time', async () => {
    const { rooms, states } = await roomWith('a', 'b');
    states.onEvent('300', event('ChannelTalkingStarted', 'a'));
    states.onEvent('300', event('ChannelTalkingStarted', 'a'));
    const members = (): Array<[string, number | undefined]> =>
      rooms.snapshotOfRoom('300')!.members.map((m) => [m.channelId, m.talkingSince]);
    expect(members()).toEqual([
      ['a', 5000],
      ['b', undefined],
    ]);
    expect(rooms.liveCounts().talking).toBe(1);
    states.onEvent('300', event('ChannelTalkingFinished', 'a'));
    expect(members()).toEqual([
      ['a', undefined],
      ['b', undefined],
    ]);
  });

  it('a muted or held participant is not talking: the room does not hear them', async () => {
    const { rooms, ari, states } = await roomWith('a', 'b');
    states.onEvent('300', event('ChannelTalkingStarted', 'a'));
    states.onEvent('300', event('ChannelTalkingStarted', 'b'));
    await setMute({ rooms, ari }, '300', 'a', true);
    states.onEvent('300', event('ChannelHold', 'b'));
    expect(rooms.liveCounts().talking).toBe(0);
    states.onEvent('300', event('ChannelTalkingStarted', 'a'));
    states.onEvent('300', event('ChannelTalkingStarted', 'b'));
    expect(rooms.liveCounts().talking).toBe(0);
  });
});
