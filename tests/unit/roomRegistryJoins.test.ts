import { noSpokenNames } from '../../harness/instantBridges';
import type { AddOutcome } from '../../src/app/ports';
import { ConferenceEvents } from '../../src/app/conferenceEvents';
import { JoinsInFlight } from '../../src/app/joinsInFlight';
import { BridgeOps, BridgePlayback } from '../../src/app/ports';
import { Admit, RoomRegistry } from '../../src/app/roomRegistry';
import { EmbeddedRoomState } from '../../src/app/roomStateStore';
import { admission } from '../../src/domain/admission';
import { bridgeIdFor } from '../../src/domain/roomNumber';

/** Asterisk as the registry sees it: every request recorded; addChannel answers when the test says. */
class ScriptedBridges implements BridgeOps {
  readonly requests: string[] = [];
  private readonly pendingAdds = new Map<string, (outcome: AddOutcome) => void>();

  /** Rooms whose usual bridge id Asterisk still holds: the id their bridge is made under instead. */
  readonly spareIds = new Map<string, string>();
  async create(room: string): Promise<string> {
    const bridgeId = this.spareIds.get(room) ?? bridgeIdFor(room);
    this.requests.push(`create ${bridgeId}`);
    return bridgeId;
  }
  async destroy(bridgeId: string): Promise<void> {
    this.requests.push(`destroy ${bridgeId}`);
  }
  addChannel(_bridgeId: string, channelId: string): Promise<AddOutcome> {
    this.requests.push(`add ${channelId}`);
    return new Promise((resolve) => this.pendingAdds.set(channelId, resolve));
  }
  /** When set, a music start is answered only once the test opens this gate. */
  mohGate: Promise<void> | undefined;
  async startMoh(bridgeId: string): Promise<void> {
    this.requests.push(`moh on ${bridgeId}`);
    await this.mohGate;
    this.requests.push(`moh on answered ${bridgeId}`);
  }
  async stopMoh(bridgeId: string): Promise<void> {
    this.requests.push(`moh off ${bridgeId}`);
  }
  async playToBridge(bridgeId: string, media: string): Promise<void> {
    this.requests.push(`play ${media} ${bridgeId}`);
  }
  announce(bridgeId: string, media: readonly string[]): BridgePlayback {
    this.requests.push(`play ${media.join(',')} ${bridgeId}`);
    return { answered: Promise.resolve(), finished: Promise.resolve() };
  }

  /** Asterisk answers the addChannel of this channel. */
  answer(channelId: string, outcome: AddOutcome = 'added'): void {
    const resolve = this.pendingAdds.get(channelId);
    if (!resolve) throw new Error(`no addChannel in flight for ${channelId}`);
    this.pendingAdds.delete(channelId);
    resolve(outcome);
  }

  get addsInFlight(): string[] {
    return [...this.pendingAdds.keys()];
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const joiner = (channelId: string) => ({ channelId, callerId: channelId, keyedAt: 0, role: 'participant' as const, muted: false });
/** Callers who stay on the line. */
const LIVE = new AbortController().signal;

function registry(bridges: ScriptedBridges, joinTone?: string): RoomRegistry {
  return new RoomRegistry(
    new EmbeddedRoomState({ set: async () => undefined, delete: () => undefined }),
    bridges,
    () => 0,
    Date.now,
    { joinTone, leaveTone: undefined },
    new ConferenceEvents(),
    new JoinsInFlight(JOIN_BURST_QUIET_MS, 1000),
    noSpokenNames,
  );
}
const JOIN_BURST_QUIET_MS = 50;

/** The admission rules with every switch open, and room for `maxParticipants` in a room. */
function upTo(maxParticipants: number): Admit {
  const settings = {
    enabled: true,
    externalAccess: true,
    externalMayStart: true,
    limits: { maxRooms: 1000, maxParticipantsPerRoom: maxParticipants },
  };
  return (room) => admission(settings, 'internal', room);
}

/** The room's first caller, added by Asterisk: alone in the room. */
async function loneParticipant(rooms: RoomRegistry, bridges: ScriptedBridges, room: string, caller: string): Promise<void> {
  const joined = rooms.join(room, caller, joiner(caller), upTo(10));
  await settle();
  bridges.answer(caller);
  await joined;
}

/** A room whose PIN is set, with these callers past the PIN and about to join. */
async function roomWithCallers(rooms: RoomRegistry, room: string, callers: string[]): Promise<void> {
  for (const caller of callers) await rooms.enter(room, caller, LIVE, upTo(10));
  await rooms.setPin(room, callers[0]!, '1');
  await settle();
}

describe('room registry: joins of one room', () => {
  it('callers keying # together are added side by side, not one after the other', async () => {
    const bridges = new ScriptedBridges();
    const rooms = registry(bridges);
    await roomWithCallers(rooms, '200', ['a', 'b', 'c']);

    const joins = ['a', 'b', 'c'].map((c) => rooms.join('200', c, joiner(c), upTo(10)));
    await settle();
    expect(bridges.addsInFlight).toEqual(['a', 'b', 'c']);

    ['c', 'a', 'b'].forEach((c) => bridges.answer(c));
    const outcomes = await Promise.all(joins);
    expect(outcomes.map((o) => o.kind)).toEqual(['joined', 'joined', 'joined']);
    // Whoever Asterisk added first was alone; the last found two others.
    expect(outcomes.map((o) => (o.kind === 'joined' ? o.others : -1)).sort()).toEqual([0, 1, 2]);
    expect(rooms.membersOf('200').sort()).toEqual(['a', 'b', 'c']);
    expect(bridges.requests.filter((r) => r.startsWith('create'))).toEqual(['create conference-200']);
  });

  it('the join tone waits until no caller has been added to any room for the quiet time', async () => {
    const bridges = new ScriptedBridges();
    const rooms = registry(bridges, 'sound:beep');
    await roomWithCallers(rooms, '203', ['a', 'b', 'c']);
    await roomWithCallers(rooms, '303', ['x']);
    await loneParticipant(rooms, bridges, '203', 'a');
    const tones = (): string[] => bridges.requests.filter((r) => r.startsWith('play'));

    const b = rooms.join('203', 'b', joiner('b'), upTo(10));
    const x = rooms.join('303', 'x', joiner('x'), upTo(10));
    await settle();
    bridges.answer('b');
    await b;
    // b has met a: a tone is due, but another room's join is still under way.
    await sleep(JOIN_BURST_QUIET_MS * 2);
    expect(tones()).toEqual([]);

    bridges.answer('x');
    await x;
    await sleep(JOIN_BURST_QUIET_MS / 2);
    expect(tones()).toEqual([]);
    await sleep(JOIN_BURST_QUIET_MS);
    expect(tones()).toEqual(['play sound:beep conference-203']);
  });

  it('a room whose usual bridge id Asterisk still holds goes on in the bridge made under another id, until it ends', async () => {
    const bridges = new ScriptedBridges();
    const rooms = registry(bridges, 'sound:beep');
    bridges.spareIds.set('204', 'conference-204-0a1b2c3d');
    await roomWithCallers(rooms, '204', ['a', 'b']);
    await loneParticipant(rooms, bridges, '204', 'a');
    await rooms.startHoldMusicIfAlone('204');
    const b = rooms.join('204', 'b', joiner('b'), upTo(10));
    await settle();
    bridges.answer('b');
    await b;
    await sleep(JOIN_BURST_QUIET_MS * 2);
    expect(rooms.snapshotOfRoom('204')?.bridgeId).toBe('conference-204-0a1b2c3d');
    expect(bridges.requests.filter((r) => !r.startsWith('add'))).toEqual([
      'create conference-204-0a1b2c3d',
      'moh on conference-204-0a1b2c3d',
      'moh on answered conference-204-0a1b2c3d',
      'moh off conference-204-0a1b2c3d',
      'play sound:beep conference-204-0a1b2c3d',
    ]);

    await rooms.depart('204', 'a', 'a');
    await rooms.depart('204', 'b', 'b');
    expect(bridges.requests.at(-1)).toBe('destroy conference-204-0a1b2c3d');
    // Once Asterisk has let the usual id go, the room's next bridge has it again.
    bridges.spareIds.delete('204');
    await rooms.enter('204', 'c', LIVE, upTo(10));
    await settle();
    expect(rooms.snapshotOfRoom('204')?.bridgeId).toBe('conference-204');
    expect(bridges.requests.at(-1)).toBe('create conference-204');
  });

  it('joins in flight count against the room limit', async () => {
    const bridges = new ScriptedBridges();
    const rooms = registry(bridges);
    await roomWithCallers(rooms, '201', ['a', 'b', 'c']);

    const first = rooms.join('201', 'a', joiner('a'), upTo(2));
    const second = rooms.join('201', 'b', joiner('b'), upTo(2));
    const third = await rooms.join('201', 'c', joiner('c'), upTo(2));
    expect(third).toEqual({ kind: 'refused', reason: 'room-full' });
    await settle();
    bridges.answer('a');
    bridges.answer('b');
    expect((await first).kind).toBe('joined');
    expect((await second).kind).toBe('joined');
  });

  it('a caller who hangs up while being added is no member, and the room they leave is cleaned up', async () => {
    const bridges = new ScriptedBridges();
    const rooms = registry(bridges);
    await roomWithCallers(rooms, '202', ['a']);

    const joining = rooms.join('202', 'a', joiner('a'), upTo(10));
    await settle();
    const departed = rooms.depart('202', 'a', 'a');
    await settle();
    bridges.answer('a', 'caller-gone');
    expect(await joining).toEqual({ kind: 'gone' });
    await departed;
    await settle();
    expect(rooms.holds('202')).toBe(false);
    expect(bridges.requests).toContain('destroy conference-202');
  });

  it('the lone participant gets no music while someone is on the way in, and gets it if that join fails', async () => {
    const bridges = new ScriptedBridges();
    const rooms = registry(bridges);
    await roomWithCallers(rooms, '203', ['a', 'b']);
    await loneParticipant(rooms, bridges, '203', 'a');

    const second = rooms.join('203', 'b', joiner('b'), upTo(10));
    await rooms.startHoldMusicIfAlone('203');
    expect(bridges.requests).not.toContain('moh on conference-203');

    bridges.answer('b', 'caller-gone');
    expect(await second).toEqual({ kind: 'gone' });
    await settle();
    expect(bridges.requests).toContain('moh on conference-203');
  });

  it('a second caller is added after music still being started for the lone participant, and the music then stops', async () => {
    const bridges = new ScriptedBridges();
    const rooms = registry(bridges);
    await roomWithCallers(rooms, '204', ['a', 'b']);
    await loneParticipant(rooms, bridges, '204', 'a');
    let openGate = (): void => undefined;
    bridges.mohGate = new Promise((resolve) => (openGate = resolve));
    const musicOn = rooms.startHoldMusicIfAlone('204');
    await settle();

    const second = rooms.join('204', 'b', joiner('b'), upTo(10));
    await settle();
    // The newcomer is added once the music has started, not while Asterisk is starting it.
    expect(bridges.addsInFlight).toEqual([]);
    openGate();
    await settle();
    expect(bridges.addsInFlight).toEqual(['b']);
    bridges.answer('b');
    await Promise.all([musicOn, second]);
    const music = bridges.requests.filter((r) => r.startsWith('moh'));
    expect(music).toEqual(['moh on conference-204', 'moh on answered conference-204', 'moh off conference-204']);
  });
});
