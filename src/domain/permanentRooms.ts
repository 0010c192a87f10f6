import { createHash, timingSafeEqual } from 'node:crypto';
import { parseRoomEntry } from './roomNumber';
import { RoomNumber } from './types';

/** A permanent room as the settings file gives it: the number, and the options an admin may leave out. */
export interface PermanentRoomSetting {
  readonly number: RoomNumber;
  readonly pin?: string;
  readonly leaderPin?: string;
  readonly waitForLeader?: boolean;
  readonly endWhenLeaderLeaves?: boolean;
  readonly startMuted?: boolean;
  readonly maxParticipants?: number;
  readonly record?: boolean;
  readonly spokenNames?: boolean;
}

/** A permanent room with every option given: '' for no PIN (and no leader PIN). */
export interface PermanentRoom {
  readonly number: RoomNumber;
  readonly pin: string;
  readonly leaderPin: string;
  /** Participants hear music until a leader has joined. */
  readonly waitForLeader: boolean;
  /** When the last leader leaves, the others are told and hung up. */
  readonly endWhenLeaderLeaves: boolean;
  /** Participants join muted; leaders do not. */
  readonly startMuted: boolean;
  /** The room's own participant limit; undefined: limits.maxParticipantsPerRoom. */
  readonly maxParticipants: number | undefined;
  /** Recorded from its first join to its end. */
  readonly record: boolean;
  /** Callers record their names for "NAME has joined"; undefined: as spokenNames.enabled says for all rooms. */
  readonly spokenNames: boolean | undefined;
}

/** How a caller is in a room: a leader runs it (keyed the leader PIN), a participant takes part. */
export type Role = 'leader' | 'participant';

const OPTIONS: Readonly<Record<keyof PermanentRoomSetting, string>> = {
  number: 'string',
  pin: 'string',
  leaderPin: 'string',
  waitForLeader: 'boolean',
  endWhenLeaderLeaves: 'boolean',
  startMuted: 'boolean',
  maxParticipants: 'number',
  record: 'boolean',
  spokenNames: 'boolean',
};

/** The longest PIN the schema allows anywhere (entry.pinMaxLength's upper bound). */
const MAX_PIN_DIGITS = 16;

/**
 * What is wrong with the settings' list of permanent rooms, in words that name the room and the
 * option; undefined when nothing is. Never quotes a PIN.
 */
export function permanentRoomsProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'must be a list of rooms ([{ "number": "500", "pin": "1234" }, ...])';
  const seen = new Set<string>();
  for (const [index, item] of value.entries()) {
    const where = `room ${index + 1} of the list`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return `${where} must be an object with a number`;
    const room = item as Record<string, unknown>;
    const named = typeof room.number === 'string' ? `room ${room.number}` : where;
    for (const [key, option] of Object.entries(room)) {
      const type = OPTIONS[key as keyof PermanentRoomSetting];
      if (type === undefined) return `${named}: unknown option ${key} (known: ${Object.keys(OPTIONS).join(', ')})`;
      if (typeof option !== type) return `${named}: ${key} must be ${type === 'boolean' ? 'true or false' : `a ${type}`}`;
    }
    if (typeof room.number !== 'string' || parseRoomEntry(room.number)?.kind !== 'room') {
      return `${where}: number must be 3 or 4 digits, as text ("500"), and not 000 or 0000`;
    }
    if (seen.has(room.number)) return `${named} is listed twice`;
    seen.add(room.number);
    const problem = optionsProblem(room as unknown as PermanentRoomSetting);
    if (problem) return `${named}: ${problem}`;
  }
  return undefined;
}

function optionsProblem(room: PermanentRoomSetting): string | undefined {
  const digits = new RegExp(`^[0-9]{0,${MAX_PIN_DIGITS}}$`);
  if (room.pin !== undefined && !digits.test(room.pin)) return `pin must be up to ${MAX_PIN_DIGITS} digits ("" for none)`;
  if (room.leaderPin !== undefined && !digits.test(room.leaderPin)) return `leaderPin must be up to ${MAX_PIN_DIGITS} digits`;
  const leaderPin = room.leaderPin ?? '';
  if (leaderPin !== '' && leaderPin === (room.pin ?? '')) return 'leaderPin must differ from pin (a caller keying it would be both)';
  if (leaderPin === '' && (room.waitForLeader || room.endWhenLeaderLeaves)) {
    return 'waitForLeader and endWhenLeaderLeaves need a leaderPin (without one, nobody can be the leader)';
  }
  const max = room.maxParticipants;
  if (max !== undefined && (!Number.isInteger(max) || max < 2 || max > 1000)) {
    return 'maxParticipants must be a whole number from 2 to 1000';
  }
  return undefined;
}

/** PINs a caller could never key: longer than the PIN entry takes (entry.pinMaxLength). */
export function pinsBeyond(rooms: readonly PermanentRoomSetting[], pinMaxLength: number): string | undefined {
  for (const room of rooms) {
    for (const key of ['pin', 'leaderPin'] as const) {
      if ((room[key]?.length ?? 0) > pinMaxLength) {
        return `room ${room.number}: ${key} is longer than entry.pinMaxLength (${pinMaxLength} digits), so no caller could key it`;
      }
    }
  }
  return undefined;
}

/** The permanent room of that number, with its options filled in; undefined for a spontaneous number. */
export function findPermanentRoom(rooms: readonly PermanentRoomSetting[], room: RoomNumber): PermanentRoom | undefined {
  const setting = rooms.find((entry) => entry.number === room);
  if (!setting) return undefined;
  return {
    number: setting.number,
    pin: setting.pin ?? '',
    leaderPin: setting.leaderPin ?? '',
    waitForLeader: setting.waitForLeader ?? false,
    endWhenLeaderLeaves: setting.endWhenLeaderLeaves ?? false,
    startMuted: setting.startMuted ?? false,
    maxParticipants: setting.maxParticipants,
    record: setting.record ?? false,
    spokenNames: setting.spokenNames,
  };
}

/**
 * The role a keyed PIN gives in a permanent room, or undefined for a wrong one. Both PINs are
 * compared, each in constant time, whatever the first comparison gave.
 */
export function roleForPin(room: PermanentRoom, keyed: string): Role | undefined {
  const leader = room.leaderPin !== '' && sameDigits(room.leaderPin, keyed);
  const participant = sameDigits(room.pin, keyed);
  if (leader) return 'leader';
  return participant ? 'participant' : undefined;
}

function sameDigits(expected: string, keyed: string): boolean {
  return timingSafeEqual(digest(expected), digest(keyed));
}

function digest(pin: string): Buffer {
  return createHash('sha256').update(pin).digest();
}
