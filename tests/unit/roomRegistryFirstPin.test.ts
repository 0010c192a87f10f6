import { ConferenceEvents } from '../../src/app/conferenceEvents';
import { JoinsInFlight } from '../../src/app/joinsInFlight';
import { instantBridges, noSpokenNames } from '../../harness/instantBridges';
import { RoomRegistry } from '../../src/app/roomRegistry';
import { EmbeddedRoomState, RoomStateStore } from '../../src/app/roomStateStore';
import { AdmissionVerdict } from '../../src/domain/admission';

function registry(state: RoomStateStore = new EmbeddedRoomState({ set: async () => undefined, delete: () => undefined })): RoomRegistry {
  return new RoomRegistry(
    state,
    instantBridges,
    () => 0,
    Date.now,
    { joinTone: undefined, leaveTone: undefined },
    new ConferenceEvents(),
    new JoinsInFlight(50, 1000),
    noSpokenNames,
  );
}

/** A call that has hung up: its '#' and its hangup came in one read of the socket, the hangup handled first. */
function endedCall(): AbortSignal {
  const controller = new AbortController();
  controller.abort(new Error('hung up'));
  return controller.signal;
}
/** Every caller let in (the rules are the admission table's concern). */
const admitAll = (): AdmissionVerdict => ({ kind: 'later' });
const liveCall = (): AbortSignal => new AbortController().signal;

/** A store a network away (a shared one): every answer comes a few milliseconds later. */
function distantStore(): RoomStateStore {
  const near = new EmbeddedRoomState({ set: async () => undefined, delete: () => undefined });
  const later = <T>(answer: Promise<T>): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(answer), 3));
  return {
    claim: (room) => later(near.claim(room)),
    isClaimed: (room) => later(near.isClaimed(room)),
    claimedRooms: (digits) => later(near.claimedRooms(digits)),
    release: (room) => later(near.release(room)),
    setPin: (room, pin) => later(near.setPin(room, pin)),
    pinOf: (room) => later(near.pinOf(room)),
    setLocked: (room, locked) => later(near.setLocked(room, locked)),
    isLocked: (room) => later(near.isLocked(room)),
    homeOf: (room) => later(near.homeOf(room)),
    recordAdmitted: (landedId, room) => later(near.recordAdmitted(landedId, room)),
    wasAdmitted: (landedId, room) => later(near.wasAdmitted(landedId, room)),
    forgetAdmitted: (landedId, room) => later(near.forgetAdmitted(landedId, room)),
    publishLoad: (load) => later(near.publishLoad(load)),
    nodeLoads: () => later(near.nodeLoads()),
  };
}

describe('the first PIN, and callers whose call has already ended', () => {
  test('an ended call does not queue for the first PIN: when the first caller leaves, a live caller takes over', async () => {
    const rooms = registry();
    expect(await rooms.enter('912', 'first', liveCall(), admitAll)).toEqual({ kind: 'first' });
    expect(await rooms.enter('912', 'gone', liveCall(), admitAll)).toEqual({ kind: 'later' });
    expect(await rooms.enter('912', 'waiting', liveCall(), admitAll)).toEqual({ kind: 'later' });
    await rooms.depart('912', 'gone', 'gone');
    await expect(rooms.awaitFirstPin('912', 'gone', endedCall())).rejects.toThrow('hung up');
    const waiting = rooms.awaitFirstPin('912', 'waiting', liveCall());
    // The first caller hangs up without a PIN: the role goes to the live caller, not the gone one.
    await rooms.depart('912', 'first', 'first');
    await expect(waiting).resolves.toBe('promoted');
  });

  test('an ended call does not take the role nobody holds; the room is given up once everyone has gone', async () => {
    const rooms = registry();
    await rooms.enter('912', 'first', liveCall(), admitAll);
    await rooms.enter('912', 'gone', liveCall(), admitAll);
    await rooms.enter('912', 'next', liveCall(), admitAll);
    await rooms.depart('912', 'first', 'first');
    await rooms.depart('912', 'gone', 'gone');
    await expect(rooms.awaitFirstPin('912', 'gone', endedCall())).rejects.toThrow('hung up');
    await expect(rooms.awaitFirstPin('912', 'next', liveCall())).resolves.toBe('promoted');
    await rooms.depart('912', 'next', 'next');
    expect(rooms.holds('912')).toBe(false);
  });
});

describe('a store a network away: callers racing for a room still meet one room', () => {
  test('callers asking for one room together: one is first, the others wait for their PIN', async () => {
    const rooms = registry(distantStore());
    const verdicts = await Promise.all(['a', 'b', 'c'].map((caller) => rooms.enter('913', caller, liveCall(), admitAll)));
    expect(verdicts).toEqual([{ kind: 'first' }, { kind: 'later' }, { kind: 'later' }]);
    const waiting = rooms.awaitFirstPin('913', 'b', liveCall());
    await rooms.setPin('913', 'a', '1234');
    await expect(waiting).resolves.toBe('set');
    await expect(rooms.roleForPin('913', '1234')).resolves.toBe('participant');
  });

  test('a call that ends while the store answers takes nothing, and the room it asked for is given back', async () => {
    const state = distantStore();
    const rooms = registry(state);
    const controller = new AbortController();
    const entering = rooms.enter('914', 'gone', controller.signal, admitAll);
    controller.abort(new Error('hung up'));
    await expect(entering).rejects.toThrow('hung up');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(rooms.holds('914')).toBe(false);
    await expect(state.isClaimed('914')).resolves.toBe(false);
  });

  test('a random draw never hands out a number a caller has just keyed', async () => {
    // The draw's first pick is the keyed number; it must draw again.
    const picks = [0, 0, 1];
    const rooms = new RoomRegistry(
      distantStore(),
      instantBridges,
      () => picks.shift() ?? 2,
      Date.now,
      { joinTone: undefined, leaveTone: undefined },
      new ConferenceEvents(),
      new JoinsInFlight(50, 1000),
      noSpokenNames,
    );
    const [keyed, drawn] = await Promise.all([
      rooms.enter('100', 'keyer', liveCall(), admitAll),
      rooms.reserveRandom(3, 'drawer', liveCall(), admitAll),
    ]);
    expect(keyed).toEqual({ kind: 'first' });
    expect(drawn).toEqual({ kind: 'reserved', room: '101' });
  });
});
