import { ConferenceEvents } from '../../src/app/conferenceEvents';
import { JoinsInFlight } from '../../src/app/joinsInFlight';
import { instantBridges } from '../../harness/instantBridges';
import { RoomRegistry } from '../../src/app/roomRegistry';
import { EmbeddedRoomState } from '../../src/app/roomStateStore';
import { AdmissionVerdict } from '../../src/domain/admission';

function registry(): RoomRegistry {
  return new RoomRegistry(
    new EmbeddedRoomState({ set: () => undefined, delete: () => undefined }),
    instantBridges,
    () => 0,
    Date.now,
    { joinTone: undefined, leaveTone: undefined },
    new ConferenceEvents(),
    new JoinsInFlight(50, 1000),
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

describe('the first PIN, and callers whose call has already ended', () => {
  test('an ended call does not queue for the first PIN: when the first caller leaves, a live caller takes over', async () => {
    const rooms = registry();
    expect(rooms.enter('912', 'first', admitAll)).toEqual({ kind: 'first' });
    expect(rooms.enter('912', 'gone', admitAll)).toEqual({ kind: 'later' });
    expect(rooms.enter('912', 'waiting', admitAll)).toEqual({ kind: 'later' });
    await rooms.depart('912', 'gone', 'gone');
    await expect(rooms.awaitFirstPin('912', 'gone', endedCall())).rejects.toThrow('hung up');
    const waiting = rooms.awaitFirstPin('912', 'waiting', liveCall());
    // The first caller hangs up without a PIN: the role goes to the live caller, not the gone one.
    await rooms.depart('912', 'first', 'first');
    await expect(waiting).resolves.toBe('promoted');
  });

  test('an ended call does not take the role nobody holds; the room is given up once everyone has gone', async () => {
    const rooms = registry();
    rooms.enter('912', 'first', admitAll);
    rooms.enter('912', 'gone', admitAll);
    rooms.enter('912', 'next', admitAll);
    await rooms.depart('912', 'first', 'first');
    await rooms.depart('912', 'gone', 'gone');
    await expect(rooms.awaitFirstPin('912', 'gone', endedCall())).rejects.toThrow('hung up');
    await expect(rooms.awaitFirstPin('912', 'next', liveCall())).resolves.toBe('promoted');
    await rooms.depart('912', 'next', 'next');
    expect(rooms.exists('912')).toBe(false);
  });
});
