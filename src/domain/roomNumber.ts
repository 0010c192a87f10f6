import { RoomRequest } from './types';

/**
 * Reads a complete room entry ("123", "0000"...) as a request.
 * `000` and `0000` are never rooms: they ask for a random one.
 * Returns undefined for anything that is not 3 or 4 digits.
 */
export function parseRoomEntry(entry: string): RoomRequest | undefined {
  if (!/^[0-9]{3,4}$/.test(entry)) return undefined;
  if (entry === '000') return { kind: 'random', digits: 3 };
  if (entry === '0000') return { kind: 'random', digits: 4 };
  return { kind: 'room', room: entry };
}

/** What a direct dial's suffix (the digits after the server number) asks for. */
export type DialledSuffix =
  | { kind: 'none' } // 88: ask for the room
  | { kind: 'request'; request: RoomRequest }
  | { kind: 'invalid' }; // 8812, 8812345: say so, then ask for the room

export function parseDialledSuffix(suffix: string): DialledSuffix {
  if (suffix === '') return { kind: 'none' };
  const request = parseRoomEntry(suffix);
  return request ? { kind: 'request', request } : { kind: 'invalid' };
}

/** The bridge that holds a room; its id is ours, so state can be found again after a restart. */
export function bridgeIdFor(room: string): string {
  return `conference-${room}`;
}

/** The room's bridge id while Asterisk still holds its usual one; `tag`: 8 hex digits. */
export function spareBridgeIdFor(room: string, tag: string): string {
  return `${bridgeIdFor(room)}-${tag}`;
}

export function roomFromBridgeId(bridgeId: string): string | undefined {
  const match = /^conference-([0-9]{3,4})(?:-[0-9a-f]{8})?$/.exec(bridgeId);
  return match?.[1];
}
