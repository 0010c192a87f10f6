import winston from 'winston';
import { CallIO, EntryOutcome } from '../../src/app/callIO';
import { CallEnded, CallInfo, CallSession } from '../../src/app/callSession';
import { FlowDeps, runCallerFlow } from '../../src/app/callerFlow';
import { ConferenceEvent, ConferenceEvents } from '../../src/app/conferenceEvents';
import { JoinsInFlight } from '../../src/app/joinsInFlight';
import { BridgeOps } from '../../src/app/ports';
import { instantBridges } from '../../harness/instantBridges';
import { RoomRegistry } from '../../src/app/roomRegistry';
import { EmbeddedRoomState, RoomStateStore } from '../../src/app/roomStateStore';
import { LegEnd } from '../../src/app/linkLegs';
import { hashPin } from '../../src/domain/pinHash';
import { validateSettings } from '../../src/config/loadSettings';
import { Settings } from '../../src/config/schema';
import { EntryMode } from '../../src/domain/digitCollector';
import { PinGuard } from '../../src/domain/pinGuard';
import { SpokenNames } from '../../src/app/spokenNames';
import { spokenNameFor } from '../../src/domain/spokenName';

/** What the caller heard, in order: a media list played, or prompted for an entry. */
type Heard = { kind: 'play'; media: string[] } | { kind: 'prompt'; media: string[]; mode: EntryMode };

/** A scripted call: every prompt answers with the next outcome; everything else resolves at once. */
class ScriptedCallIO implements CallIO {
  readonly heard: Heard[] = [];
  relayedTo: string | undefined;

  /** `legEnds`: how each leg to another node ends, in turn ('ended' once they run out). */
  constructor(
    private readonly script: EntryOutcome[],
    private readonly legEnds: LegEnd[] = [],
  ) {}

  get prompts(): string[][] {
    return this.heard.filter((h) => h.kind === 'prompt').map((h) => h.media);
  }

  get plays(): string[][] {
    return this.heard.filter((h) => h.kind === 'play').map((h) => h.media);
  }

  get unused(): number {
    return this.script.length;
  }

  async answer(): Promise<void> {}
  async play(media: readonly string[]): Promise<void> {
    this.heard.push({ kind: 'play', media: [...media] });
  }
  async prompt(media: readonly string[], mode: EntryMode): Promise<EntryOutcome> {
    this.heard.push({ kind: 'prompt', media: [...media], mode });
    const next = this.script.shift();
    if (!next) throw new Error(`unscripted prompt: ${media.join(', ')}`);
    return next;
  }
  async hold(): Promise<void> {}
  async mute(): Promise<void> {}
  async markRole(): Promise<void> {}
  async detectTalking(): Promise<void> {}
  async recordName(name: string): Promise<boolean> {
    this.heard.push({ kind: 'play', media: [`(recorded ${name})`] });
    return true;
  }
  async sleep(): Promise<void> {}
  async hangup(): Promise<void> {}
  async relay(room: string, homeAddress: string): Promise<LegEnd> {
    this.relayedTo = `${room}@${homeAddress}`;
    return this.legEnds.shift() ?? 'ended';
  }
}

const keyed = (value: string): EntryOutcome => ({ type: 'complete', value });
const timedOut: EntryOutcome = { type: 'invalid', reason: 'timeout' };
const tooShort: EntryOutcome = { type: 'invalid', reason: 'too-short' };

const silent = winston.createLogger({ silent: true });

function settingsWith(raw: object = {}): Settings {
  const result = validateSettings(raw, 'test', { ARI_PASSWORD: 'secret' });
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.settings;
}

interface World {
  deps: FlowDeps;
  rooms: RoomRegistry;
  published: ConferenceEvent[];
}

function world(
  raw: object = {},
  bridges: BridgeOps = instantBridges,
  state: RoomStateStore = new EmbeddedRoomState({ set: async () => undefined, delete: () => undefined }),
): World {
  const settings = settingsWith(raw);
  const events = new ConferenceEvents();
  const published: ConferenceEvent[] = [];
  events.on('event', (e) => published.push(e));
  let clock = 1_000_000;
  const now = (): number => clock++;
  // randomInt(900) = 371: the 3-digit random room is 471.
  const joins = new JoinsInFlight(50, 1000);
  const names = new SpokenNames({ storedRecordings: async () => [], deleteStored: async () => true }, silent);
  const rooms = new RoomRegistry(state, bridges, () => 371, now, { joinTone: undefined, leaveTone: undefined }, events, joins, names);
  rooms.updatePermanentRooms(settings.permanentRooms);
  const placement = { elsewhere: async () => undefined };
  const guard = new PinGuard(settings.bruteForce);
  const dialOut = { answered: () => undefined, settle: () => undefined };
  const deps: FlowDeps = { settings, rooms, guard, now, log: silent, events, joins, placement, names, dialOut };
  return { deps, rooms, published };
}

let calls = 0;
function session(info: Partial<CallInfo> = {}): CallSession {
  calls++;
  return new CallSession({
    channelId: `chan-${calls}`,
    callerKind: 'internal',
    callerId: `20${calls}`,
    suffix: '',
    answered: false,
    via: { kind: 'dialled' },
    ...info,
  });
}

/** The first caller of a room, through the flow: dials 88<room>, sets the PIN, is in. */
async function firstCallerIn(w: World, room: string, pin: string): Promise<CallSession> {
  const first = session({ suffix: room });
  const end = await runCallerFlow(first, new ScriptedCallIO([keyed(pin)]), w.deps);
  expect(end).toBe('in-conference');
  return first;
}

describe('caller flow: room entry attempts', () => {
  it('88 then three invalid room entries: re-prompted twice, then told invalid and goodbye', async () => {
    const w = world();
    const io = new ScriptedCallIO([timedOut, keyed('12'), tooShort]);
    const end = await runCallerFlow(session(), io, w.deps);

    expect(end).toBe('hang-up');
    expect(io.heard).toEqual([
      { kind: 'prompt', media: ['sound:conf-getconfno'], mode: { kind: 'room' } },
      { kind: 'prompt', media: ['sound:conf-invalid', 'sound:conf-getconfno'], mode: { kind: 'room' } },
      { kind: 'prompt', media: ['sound:conf-invalid', 'sound:conf-getconfno'], mode: { kind: 'room' } },
      { kind: 'play', media: ['sound:conf-invalid', 'sound:goodbye'] },
    ]);
    expect(io.unused).toBe(0);
    expect(w.rooms.roomCount).toBe(0);
  });

  it('an invalid direct-dial suffix (8812) is said to be invalid before the room prompt', async () => {
    const w = world();
    const io = new ScriptedCallIO([keyed('4711'), keyed('1234')]);
    const end = await runCallerFlow(session({ suffix: '12' }), io, w.deps);

    // Then the caller goes on as if 88 had been dialled: the keyed room asks for its PIN.
    expect(io.prompts).toEqual([['sound:conf-invalid', 'sound:conf-getconfno'], ['sound:conf-getpin']]);
    expect(end).toBe('in-conference');
  });
});

describe('caller flow: a room bridge Asterisk will not take the caller into', () => {
  it('is said to be unavailable before the hangup, and counted as a refusal', async () => {
    const w = world({}, { ...instantBridges, addChannel: async () => 'bridge-gone' as const });
    const io = new ScriptedCallIO([keyed('1234')]);
    const end = await runCallerFlow(session({ suffix: '321' }), io, w.deps);

    expect(end).toBe('hang-up');
    expect(io.heard.at(-1)).toEqual({ kind: 'play', media: ['sound:conference/service-unavailable'] });
    expect(w.published.filter((e) => e.type === 'refused')).toMatchObject([{ reason: 'no-bridge', room: '321' }]);
    expect(w.published.some((e) => e.type === 'joined')).toBe(false);
  });
});

/** A cluster's store in which node-b holds room 700, reached at `sipAddress`. */
function heldByNodeB(sipAddress: string): RoomStateStore {
  const here = new EmbeddedRoomState({ set: async () => undefined, delete: () => undefined });
  return {
    claim: async (room) => (room === '700' ? false : here.claim(room)),
    isClaimed: async (room) => room === '700' || here.isClaimed(room),
    claimedRooms: (digits) => here.claimedRooms(digits),
    release: (room) => here.release(room),
    setPin: (room, pin) => here.setPin(room, pin),
    pinOf: (room) => here.pinOf(room),
    setLocked: (room, locked) => here.setLocked(room, locked),
    isLocked: (room) => here.isLocked(room),
    homeOf: async (room) => (room === '700' ? { node: 'node-b', sipAddress } : undefined),
    recordAdmitted: (landedId, room) => here.recordAdmitted(landedId, room),
    wasAdmitted: (landedId, room) => here.wasAdmitted(landedId, room),
    forgetAdmitted: (landedId, room) => here.forgetAdmitted(landedId, room),
    publishLoad: (load) => here.publishLoad(load),
    nodeLoads: () => here.nodeLoads(),
  };
}

describe('caller flow: a room another node of the cluster mixes', () => {
  it('passes the caller on to that node before any PIN prompt, publishes it, and hangs up when that node ends the call', async () => {
    const w = world({}, instantBridges, heldByNodeB('10.0.0.2:5060'));
    const io = new ScriptedCallIO([]);
    const caller = session({ suffix: '700', callerId: '0301' });
    const end = await runCallerFlow(caller, io, w.deps);

    expect(end).toBe('hang-up');
    expect(io.relayedTo).toBe('700@10.0.0.2:5060');
    expect(io.heard).toEqual([]);
    expect(w.published.filter((e) => e.type !== 'call')).toMatchObject([
      { type: 'passed-on', room: '700', channel: caller.id, callerId: '0301', home: 'node-b' },
    ]);
    expect(w.rooms.holds('700')).toBe(false);
  });

  it('refuses a call another node passed on already: no loops between nodes', async () => {
    const w = world({}, instantBridges, heldByNodeB('10.0.0.2:5060'));
    const io = new ScriptedCallIO([]);
    const end = await runCallerFlow(session({ suffix: '700', via: { kind: 'link', landed: 'b-1.1' } }), io, w.deps);

    expect(end).toBe('hang-up');
    expect(io.relayedTo).toBeUndefined();
    expect(io.plays).toEqual([['sound:conference/service-unavailable']]);
    expect(w.published.filter((e) => e.type === 'refused')).toMatchObject([{ reason: 'room-elsewhere', room: '700' }]);
  });

  it('refuses the caller when the room node gave no SIP address (store.sipAddress)', async () => {
    const w = world({}, instantBridges, heldByNodeB(''));
    const io = new ScriptedCallIO([]);
    const end = await runCallerFlow(session({ suffix: '700' }), io, w.deps);

    expect(end).toBe('hang-up');
    expect(io.relayedTo).toBeUndefined();
    expect(w.published.filter((e) => e.type === 'refused')).toMatchObject([{ reason: 'room-elsewhere', room: '700' }]);
  });
});

/**
 * Room 700 was node-b's, reached at 10.0.0.2:5060; node-b was lost. Its lease runs out after
 * `claimsRefused` claims; the room then goes on here with its PIN (resumed). `admitted`: the
 * call ids node-b had let in.
 */
function lostNodeB(claimsRefused: number, admitted: string[]): RoomStateStore {
  const here = new EmbeddedRoomState({ set: async () => undefined, delete: () => undefined });
  let refused = 0;
  return {
    ...heldByNodeB('10.0.0.2:5060'),
    claim: async (room) => {
      if (room !== '700') return here.claim(room);
      if (refused++ < claimsRefused) return false;
      await here.claim(room);
      await here.setPin(room, hashPin('2468'));
      return 'resumed';
    },
    homeOf: async (room) => (room === '700' && refused <= claimsRefused ? { node: 'node-b', sipAddress: '10.0.0.2:5060' } : undefined),
    pinOf: (room) => here.pinOf(room),
    release: (room) => here.release(room),
    isLocked: (room) => here.isLocked(room),
    wasAdmitted: async (landedId, room) => room === '700' && admitted.includes(landedId),
  };
}

describe("caller flow: passed on, and the room's node lost", () => {
  it('waits with music until the lost node lets go, then is in the room started again here without a PIN, told it is back', async () => {
    const w = world({}, instantBridges, lostNodeB(3, ['chan-back']));
    const io = new ScriptedCallIO([], ['lost']);
    const caller = new CallSession({
      channelId: 'chan-back',
      callerKind: 'internal',
      callerId: '201',
      suffix: '700',
      answered: true,
      via: { kind: 'dialled' },
    });
    const end = await runCallerFlow(caller, io, w.deps);

    expect(end).toBe('in-conference');
    expect(io.relayedTo).toBe('700@10.0.0.2:5060');
    expect(io.prompts).toEqual([]);
    expect(io.plays).toEqual([['sound:conference/reconnected']]);
    expect(w.rooms.holds('700')).toBe(true);
  });

  it("a caller the lost node had not let in yet keys the PIN, checked against the room's", async () => {
    const w = world({}, instantBridges, lostNodeB(1, []));
    const io = new ScriptedCallIO([keyed('1111'), keyed('2468')], ['lost']);
    const end = await runCallerFlow(session({ suffix: '700' }), io, w.deps);

    expect(end).toBe('in-conference');
    expect(io.prompts).toEqual([['sound:conf-getpin'], ['sound:conf-invalidpin', 'sound:conf-getpin']]);
  });

  it('the room node ending the call (a leave key, a kick, a refusal) ends it here', async () => {
    const w = world({}, instantBridges, heldByNodeB('10.0.0.2:5060'));
    const io = new ScriptedCallIO([], ['ended']);
    const end = await runCallerFlow(session({ suffix: '700' }), io, w.deps);

    expect(end).toBe('hang-up');
    expect(io.heard).toEqual([]);
    expect(w.rooms.holds('700')).toBe(false);
  });

  it("is refused once the room's node was lost too often", async () => {
    let moves = 0;
    // Each time the caller is back, another node has started the room, and is lost in turn.
    const restless: RoomStateStore = {
      ...heldByNodeB('10.0.0.2:5060'),
      homeOf: async () => ({ node: `node-${++moves}`, sipAddress: '10.0.0.2:5060' }),
    };
    const w = world({}, instantBridges, restless);
    const io = new ScriptedCallIO([], ['lost', 'lost', 'lost', 'lost']);
    const end = await runCallerFlow(session({ suffix: '700' }), io, w.deps);

    expect(end).toBe('hang-up');
    expect(w.published.filter((e) => e.type === 'passed-on')).toHaveLength(3);
    expect(w.published.filter((e) => e.type === 'refused')).toMatchObject([{ reason: 'room-elsewhere' }]);
  });
});

describe('caller flow: a hangup that comes with the room key', () => {
  it('takes no room: the hangup was handled first, and nobody would give the room back', async () => {
    const w = world();
    const caller = session();
    const io = new ScriptedCallIO([keyed('555')]);
    const prompt = io.prompt.bind(io);
    // The '#' and the hangup in one read of the socket: the call has ended when the entry completes.
    io.prompt = async (media, mode) => {
      const outcome = await prompt(media, mode);
      caller.end('hangup');
      return outcome;
    };

    await expect(runCallerFlow(caller, io, w.deps)).rejects.toBeInstanceOf(CallEnded);
    expect(w.rooms.holds('555')).toBe(false);
  });
});

describe("caller flow: the optional '#' after a 4-digit room", () => {
  const modes = (io: ScriptedCallIO): EntryMode[] => io.heard.flatMap((h) => (h.kind === 'prompt' ? [h.mode] : []));

  it.each([
    ['', ['1234'], true],
    ['1234', [], true],
    ['0000', [], true],
    ['', ['0000'], true],
    ['', ['123'], false],
    ['123', [], false],
    ['000', [], false],
  ])("dialled 88%s, keyed %j: the first PIN prompt takes a leading # as the room's: %s", async (suffix, roomKeys, expected) => {
    const w = world();
    const io = new ScriptedCallIO([...roomKeys.map(keyed), { type: 'invalid', reason: 'too-long' }, keyed('42')]);
    expect(await runCallerFlow(session({ suffix }), io, w.deps)).toBe('in-conference');
    const pinModes = modes(io).filter((m) => m.kind === 'pin');
    // Only the first PIN prompt follows the room; the one after "invalid PIN" does not.
    expect(pinModes).toEqual([
      expected ? { kind: 'pin', maxLength: 8, afterFourDigitRoom: true } : { kind: 'pin', maxLength: 8 },
      { kind: 'pin', maxLength: 8 },
    ]);
  });
});

describe('caller flow: PIN attempts of a later caller', () => {
  it('three wrong PINs: re-prompted with "invalid PIN" twice, then invalid PIN and goodbye; never joined', async () => {
    const w = world();
    await firstCallerIn(w, '123', '1234');
    const second = session({ suffix: '123' });
    const io = new ScriptedCallIO([keyed('1111'), keyed('2222'), keyed('3333')]);
    const end = await runCallerFlow(second, io, w.deps);

    expect(end).toBe('hang-up');
    expect(io.heard).toEqual([
      { kind: 'prompt', media: ['sound:conf-getpin'], mode: { kind: 'pin', maxLength: 8 } },
      { kind: 'prompt', media: ['sound:conf-invalidpin', 'sound:conf-getpin'], mode: { kind: 'pin', maxLength: 8 } },
      { kind: 'prompt', media: ['sound:conf-invalidpin', 'sound:conf-getpin'], mode: { kind: 'pin', maxLength: 8 } },
      { kind: 'play', media: ['sound:conf-invalidpin', 'sound:goodbye'] },
    ]);
    expect(second.inConference).toBe(false);
    expect(w.rooms.isMember('123', second.id)).toBe(false);
    expect(w.rooms.memberCount('123')).toBe(1);
    expect(w.published.filter((e) => e.type === 'wrong-pin')).toHaveLength(3);
    expect(w.published.filter((e) => e.type === 'joined' && e.channel === second.id)).toHaveLength(0);
  });

  it('a right PIN on the second attempt joins', async () => {
    const w = world();
    await firstCallerIn(w, '123', '1234');
    const second = session({ suffix: '123' });
    const io = new ScriptedCallIO([keyed('9999'), keyed('1234')]);
    const end = await runCallerFlow(second, io, w.deps);

    expect(end).toBe('in-conference');
    expect(io.heard).toEqual([
      { kind: 'prompt', media: ['sound:conf-getpin'], mode: { kind: 'pin', maxLength: 8 } },
      { kind: 'prompt', media: ['sound:conf-invalidpin', 'sound:conf-getpin'], mode: { kind: 'pin', maxLength: 8 } },
      { kind: 'play', media: ['sound:conf-enteringno', 'digits:123', 'sound:conf-thereare', 'number:1', 'sound:conf-otherinparty'] },
    ]);
    expect(second.inConference).toBe(true);
    expect(w.rooms.isMember('123', second.id)).toBe(true);
    expect(w.rooms.memberCount('123')).toBe(2);
  });

  it('an invalid PIN entry (timeout) also counts as an attempt and re-prompts', async () => {
    const w = world();
    await firstCallerIn(w, '123', '1234');
    const io = new ScriptedCallIO([timedOut, keyed('1234')]);
    const end = await runCallerFlow(session({ suffix: '123' }), io, w.deps);

    expect(end).toBe('in-conference');
    expect(io.prompts).toEqual([['sound:conf-getpin'], ['sound:conf-invalidpin', 'sound:conf-getpin']]);
    // A timeout is not a wrong PIN: the brute-force guard does not count it.
    expect(w.published.filter((e) => e.type === 'wrong-pin')).toHaveLength(0);
  });
});

describe('caller flow: spoken names', () => {
  it('the caller says their name after the PIN, before the join: the room has it for their arrival and departure', async () => {
    const w = world({ spokenNames: { enabled: true } });
    const first = await firstCallerIn(w, '123', '1234');
    const second = session({ suffix: '123' });
    const io = new ScriptedCallIO([keyed('1234')]);
    expect(await runCallerFlow(second, io, w.deps)).toBe('in-conference');

    expect(io.heard).toEqual([
      { kind: 'prompt', media: ['sound:conf-getpin'], mode: { kind: 'pin', maxLength: 8 } },
      { kind: 'play', media: ['sound:vm-rec-name'] },
      { kind: 'play', media: [`(recorded ${spokenNameFor(second.id)})`] },
      { kind: 'play', media: ['sound:conf-enteringno', 'digits:123', 'sound:conf-thereare', 'number:1', 'sound:conf-otherinparty'] },
    ]);
    const members = w.rooms.snapshotOfRoom('123')?.members ?? [];
    expect(members.map((m) => [m.channelId, m.spokenName])).toEqual([
      [first.id, spokenNameFor(first.id)],
      [second.id, spokenNameFor(second.id)],
    ]);
  });

  it("a permanent room's spokenNames false asks for no name", async () => {
    const w = world({ spokenNames: { enabled: true }, permanentRooms: [{ number: '500', pin: '1', spokenNames: false }] });
    const io = new ScriptedCallIO([keyed('1')]);
    expect(await runCallerFlow(session({ suffix: '500' }), io, w.deps)).toBe('in-conference');
    expect(io.plays.flat()).not.toContain('sound:vm-rec-name');
  });
});

describe('caller flow: an invited call (dial-out), answered', () => {
  function invitedWorld() {
    const w = world();
    const settled: string[] = [];
    const invitation = { id: 'invite-1', room: '123', number: '202', by: 'leader' as const, channel: 'leader', answered: true };
    w.deps = {
      ...w.deps,
      dialOut: { answered: (id) => (id === 'invite-1' ? invitation : undefined), settle: (_id, outcome) => void settled.push(outcome) },
    };
    return { w, settled };
  }
  const invitedCall = (): CallSession => session({ channelId: 'invite-1', suffix: '123', via: { kind: 'invited' } });

  it('"you are invited to conference 1 2 3, to join press 1": on 1 the callee joins without a PIN, even a locked room', async () => {
    const { w, settled } = invitedWorld();
    await firstCallerIn(w, '123', '1234');
    await w.rooms.setLocked('123', true);
    const io = new ScriptedCallIO([keyed('1')]);
    expect(await runCallerFlow(invitedCall(), io, w.deps)).toBe('in-conference');
    expect(io.heard[0]).toEqual({
      kind: 'prompt',
      media: ['sound:conference/invited', 'digits:123', 'sound:conference/press-1-to-join'],
      mode: { kind: 'key' },
    });
    expect(w.rooms.snapshotOfRoom('123')?.members.map((m) => m.callerId)).toContain('202');
    expect(settled).toEqual(['joined']);
  });

  it('another key, or none, asks again; after the last attempt the callee has declined, and joins nothing', async () => {
    const { w, settled } = invitedWorld();
    await firstCallerIn(w, '123', '1234');
    const io = new ScriptedCallIO([keyed('9'), timedOut, keyed('#')]);
    expect(await runCallerFlow(invitedCall(), io, w.deps)).toBe('hang-up');
    expect(io.prompts).toHaveLength(3);
    expect(io.plays).toEqual([['sound:goodbye']]);
    expect(w.rooms.memberCount('123')).toBe(1);
    expect(settled).toEqual(['declined']);
  });

  it('a room ended meanwhile: told so, and the call out failed', async () => {
    const { w, settled } = invitedWorld();
    const io = new ScriptedCallIO([keyed('1')]);
    expect(await runCallerFlow(invitedCall(), io, w.deps)).toBe('hang-up');
    expect(io.plays).toEqual([['sound:conference/conference-ended']]);
    expect(w.rooms.holds('123')).toBe(false);
    expect(settled).toEqual(['failed']);
  });

  it('a call that claims to be invited but that the app never made is hung up', async () => {
    const { w, settled } = invitedWorld();
    const io = new ScriptedCallIO([]);
    const call = session({ suffix: '123', via: { kind: 'invited' } });
    expect(await runCallerFlow(call, io, w.deps)).toBe('hang-up');
    expect(io.plays).toEqual([['sound:goodbye']]);
    expect(settled).toEqual([]);
  });
});

describe('caller flow: random room', () => {
  it('000 tells the drawn number before asking for the PIN, then joins alone', async () => {
    const w = world();
    const caller = session();
    const io = new ScriptedCallIO([keyed('000'), keyed('42')]);
    const end = await runCallerFlow(caller, io, w.deps);

    expect(end).toBe('in-conference');
    expect(io.prompts).toEqual([
      ['sound:conf-getconfno'],
      ['sound:conference/your-conference-number-is', 'digits:471', 'sound:conf-getpin'],
    ]);
    expect(io.plays).toEqual([['sound:conf-enteringno', 'digits:471', 'sound:conf-onlyperson']]);
    expect(caller.room).toBe('471');
    expect(w.rooms.isMember('471', caller.id)).toBe(true);
  });
});

describe('caller flow: externalMayStart off', () => {
  it.each([
    ['keys a new room after 88', '', [keyed('555')], '555'],
    ['dials a new room directly', '555', [], '555'],
  ])('an external caller who %s is refused, leaving no room behind', async (_title, suffix, script, room) => {
    const w = world({ externalMayStart: false });
    const caller = session({ callerKind: 'external', suffix });
    const io = new ScriptedCallIO(script);
    const end = await runCallerFlow(caller, io, w.deps);

    expect(end).toBe('hang-up');
    expect(io.plays).toEqual([['sound:conference/external-may-not-start']]);
    expect(io.prompts.some((p) => p.includes('sound:conf-getpin'))).toBe(false);
    expect(w.rooms.holds(room)).toBe(false);
    expect(w.rooms.roomCount).toBe(0);
    expect(caller.room).toBeUndefined();
    expect(w.published).toContainEqual(expect.objectContaining({ type: 'refused', reason: 'external-may-not-start', room }));
  });

  it('an external caller asking for a random room (000) is refused before one is drawn', async () => {
    const w = world({ externalMayStart: false });
    const io = new ScriptedCallIO([keyed('000')]);
    const end = await runCallerFlow(session({ callerKind: 'external' }), io, w.deps);

    expect(end).toBe('hang-up');
    expect(io.plays).toEqual([['sound:conference/external-may-not-start']]);
    expect(w.rooms.roomCount).toBe(0);
  });

  it('an external caller may still join a room an internal caller started', async () => {
    const w = world({ externalMayStart: false });
    await firstCallerIn(w, '555', '1234');
    const io = new ScriptedCallIO([keyed('1234')]);
    const end = await runCallerFlow(session({ callerKind: 'external', suffix: '555' }), io, w.deps);

    expect(end).toBe('in-conference');
    expect(w.rooms.memberCount('555')).toBe(2);
  });
});

describe('caller flow: announcements after a burst of joins', () => {
  it('a newcomer is announced only once no other caller is being added to a room', async () => {
    const w = world();
    const otherJoin = w.deps.joins.begin();
    const io = new ScriptedCallIO([keyed('1234')]);
    const flow = runCallerFlow(session({ suffix: '123' }), io, w.deps);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(w.rooms.isMember('123', `chan-${calls}`)).toBe(true);
    expect(io.plays).toEqual([]);

    otherJoin();
    expect(await flow).toBe('in-conference');
    expect(io.plays[0]?.[0]).toBe('sound:conf-enteringno');
  });
});

/** The store's claims, with the node each was for (undefined: this one). */
function claimsRecorded(): { state: RoomStateStore; claims: Array<[string, boolean | undefined, string | undefined]> } {
  const here = new EmbeddedRoomState({ set: async () => undefined, delete: () => undefined });
  const claims: Array<[string, boolean | undefined, string | undefined]> = [];
  const state: RoomStateStore = Object.assign(Object.create(here) as RoomStateStore, {
    claim: async (room: string, fresh?: boolean, home?: { node: string }) => {
      claims.push([room, fresh, home?.node]);
      return here.claim(room);
    },
  });
  return { state, claims };
}

describe('caller flow: a new room placed on a less loaded node', () => {
  const nodeC = { node: 'node-c', sipAddress: '10.0.0.3:5060' };

  it('holds the room for that node (never a room to resume) and passes the caller on before any PIN prompt', async () => {
    const { state, claims } = claimsRecorded();
    const w = world({}, instantBridges, state);
    const io = new ScriptedCallIO([]);
    const end = await runCallerFlow(session({ suffix: '705' }), io, { ...w.deps, placement: { elsewhere: async () => nodeC } });

    expect(end).toBe('hang-up');
    expect(claims).toEqual([['705', true, 'node-c']]);
    expect(io.relayedTo).toBe('705@10.0.0.3:5060');
    expect(io.prompts).toEqual([]);
    expect(w.published.filter((e) => e.type === 'passed-on')).toMatchObject([{ room: '705', home: 'node-c' }]);
    expect(w.rooms.holds('705')).toBe(false);
  });

  it('starts the room here when the store would not hold it for that node', async () => {
    const here = new EmbeddedRoomState({ set: async () => undefined, delete: () => undefined });
    const state: RoomStateStore = Object.assign(Object.create(here) as RoomStateStore, {
      claim: async (room: string, _fresh?: boolean, home?: unknown) => (home ? false : here.claim(room)),
    });
    const w = world({}, instantBridges, state);
    const io = new ScriptedCallIO([keyed('1234')]);
    const end = await runCallerFlow(session({ suffix: '705' }), io, { ...w.deps, placement: { elsewhere: async () => nodeC } });

    expect(end).toBe('in-conference');
    expect(io.relayedTo).toBeUndefined();
    expect(w.rooms.holds('705')).toBe(true);
  });

  it('is not asked for a call another node passed on (that node placed it), nor for a room held here', async () => {
    const { state, claims } = claimsRecorded();
    const w = world({}, instantBridges, state);
    let asked = 0;
    const placement = {
      elsewhere: async () => {
        asked++;
        return nodeC;
      },
    };
    const linked = session({ suffix: '705', via: { kind: 'link', landed: 'a-1.1' } });
    expect(await runCallerFlow(linked, new ScriptedCallIO([keyed('1234')]), { ...w.deps, placement })).toBe('in-conference');
    expect(await runCallerFlow(session({ suffix: '705' }), new ScriptedCallIO([keyed('1234')]), { ...w.deps, placement })).toBe(
      'in-conference',
    );

    expect(asked).toBe(0);
    expect(claims).toEqual([['705', false, undefined]]);
  });
});
