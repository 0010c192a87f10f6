import { admission, AdmissionSettings, AdmissionVerdict, RoomState } from '../../src/domain/admission';
import { CallerKind } from '../../src/domain/types';

const open: AdmissionSettings = {
  enabled: true,
  externalAccess: true,
  externalMayStart: true,
  limits: { maxRooms: 3, maxParticipantsPerRoom: 2 },
};
const off: AdmissionSettings = { ...open, enabled: false };
const noExternal: AdmissionSettings = { ...open, externalAccess: false };
const noExternalStart: AdmissionSettings = { ...open, externalMayStart: false };

const arriving: RoomState = { kind: 'none' };
const newRoom: RoomState = { kind: 'new', roomsHeld: 2, permanent: false };
const lastRoomTaken: RoomState = { kind: 'new', roomsHeld: 3, permanent: false };
const started: RoomState = { kind: 'held', locked: false, pinFree: false };
/** Held, but its first caller left before setting the PIN: whoever comes next starts it. */
const abandoned: RoomState = { kind: 'held', locked: false, pinFree: true };
const locked: RoomState = { kind: 'held', locked: true, pinFree: false };
const lockedAbandoned: RoomState = { kind: 'held', locked: true, pinFree: true };
const placeLeft: RoomState = { kind: 'joining', locked: false, occupants: 1, maxParticipants: undefined };
const full: RoomState = { kind: 'joining', locked: false, occupants: 2, maxParticipants: undefined };
const lockedAndFull: RoomState = { kind: 'joining', locked: true, occupants: 2, maxParticipants: undefined };

const go = { kind: 'go-on' };
const first = { kind: 'first' };
const later = { kind: 'later' };
const refused = (reason: string): AdmissionVerdict => ({ kind: 'refused', reason }) as AdmissionVerdict;

/** SPEC.md's admin switches and limits, in the order a caller meets them. */
describe('admission', () => {
  it.each<[string, AdmissionSettings, CallerKind, RoomState, object]>([
    // On arrival: the service's switches only.
    ['arrival, all open', open, 'internal', arriving, go],
    ['arrival, external, all open', open, 'external', arriving, go],
    ['service off', off, 'internal', arriving, refused('service-unavailable')],
    ['service off, external too (service first)', { ...off, externalAccess: false }, 'external', arriving, refused('service-unavailable')],
    ['external access off', noExternal, 'external', arriving, refused('external-not-allowed')],
    ['external access off, internal caller', noExternal, 'internal', arriving, go],
    // Starting a room.
    ['a new room', open, 'internal', newRoom, first],
    ['a new room by an external caller', open, 'external', newRoom, first],
    ['a new room, external may not start', noExternalStart, 'external', newRoom, refused('external-may-not-start')],
    ['a new room, external may not start, internal caller', noExternalStart, 'internal', newRoom, first],
    ['room limit reached', open, 'internal', lastRoomTaken, refused('too-many-rooms')],
    ['room limit reached, external may not start (limit first)', noExternalStart, 'external', lastRoomTaken, refused('too-many-rooms')],
    // A room someone holds.
    ['a started room', open, 'internal', started, later],
    ['a started room, external may not start', noExternalStart, 'external', started, later],
    ['a started room at the room limit', open, 'internal', started, later],
    ['an abandoned room', open, 'internal', abandoned, first],
    ['an abandoned room, external may not start', noExternalStart, 'external', abandoned, refused('external-may-not-start')],
    ['a locked room', open, 'internal', locked, refused('room-locked')],
    ['locked abandoned room, external may not start (lock first)', noExternalStart, 'external', lockedAbandoned, refused('room-locked')],
    ['external access off outranks the lock', noExternal, 'external', locked, refused('external-not-allowed')],
    // At the bridge.
    ['a place left', open, 'internal', placeLeft, go],
    ['full', open, 'internal', full, refused('room-full')],
    ['locked and full (the lock first)', open, 'internal', lockedAndFull, refused('room-locked')],
    [
      'locked while keying the PIN',
      open,
      'internal',
      { kind: 'joining', locked: true, occupants: 0, maxParticipants: undefined },
      refused('room-locked'),
    ],
  ])('%s', (_name, settings, caller, room, verdict) => {
    expect(admission(settings, caller, room)).toEqual(verdict);
  });
});
