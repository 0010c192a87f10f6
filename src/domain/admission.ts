import { CallerKind } from './types';

/** The admin's switches and limits that decide who gets in (the settings' part that matters here). */
export interface AdmissionSettings {
  readonly enabled: boolean;
  readonly externalAccess: boolean;
  readonly externalMayStart: boolean;
  readonly limits: { readonly maxRooms: number; readonly maxParticipantsPerRoom: number };
}

export type Refusal =
  'service-unavailable' | 'external-not-allowed' | 'external-may-not-start' | 'room-locked' | 'too-many-rooms' | 'room-full';

/** The room as the caller finds it at each step of the way in; each rule applies where SPEC.md puts it. */
export type RoomState =
  /** On arrival, before a room is asked for: only the service's switches apply. */
  | { readonly kind: 'none' }
  /**
   * A number nobody holds (or a random one): one more room than `roomsHeld`, started by this caller
   * with a PIN of their choosing, or opened with the PIN the settings give a `permanent` room.
   */
  | { readonly kind: 'new'; readonly roomsHeld: number; readonly permanent: boolean }
  /** A room someone holds; `pinFree` when nobody has set its PIN or is keying it, so this caller would start it. */
  | { readonly kind: 'held'; readonly locked: boolean; readonly pinFree: boolean }
  /**
   * At the bridge, the PIN done: the participants in and the joins under way count against the
   * limit (a permanent room's own `maxParticipants`, else the settings').
   */
  | { readonly kind: 'joining'; readonly locked: boolean; readonly occupants: number; readonly maxParticipants: number | undefined };

/** 'go-on': past this step (arrival, or the bridge). 'first': this caller sets the room's PIN. 'later': checked against it. */
export type AdmissionVerdict = { readonly kind: 'go-on' | 'first' | 'later' } | { readonly kind: 'refused'; readonly reason: Refusal };

/**
 * Every admission rule, in the order a caller meets them: the service on, external callers let in,
 * the room not locked, one more room within the limit, the room's starter allowed to start one
 * (a permanent room is there already: its callers start nothing), a place left at the bridge.
 */
export function admission(settings: AdmissionSettings, caller: CallerKind, room: RoomState): AdmissionVerdict {
  if (!settings.enabled) return refused('service-unavailable');
  if (caller === 'external' && !settings.externalAccess) return refused('external-not-allowed');
  if (room.kind === 'none') return { kind: 'go-on' };
  if (room.kind !== 'new' && room.locked) return refused('room-locked');
  if (room.kind === 'joining') {
    const limit = room.maxParticipants ?? settings.limits.maxParticipantsPerRoom;
    return room.occupants >= limit ? refused('room-full') : { kind: 'go-on' };
  }
  if (room.kind === 'new' && room.roomsHeld >= settings.limits.maxRooms) return refused('too-many-rooms');
  const starts = room.kind === 'new' ? !room.permanent : room.pinFree;
  if (starts && caller === 'external' && !settings.externalMayStart) return refused('external-may-not-start');
  return { kind: starts ? 'first' : 'later' };
}

function refused(reason: Refusal): AdmissionVerdict {
  return { kind: 'refused', reason };
}
