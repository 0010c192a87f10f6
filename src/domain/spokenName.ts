import { PermanentRoom } from './permanentRooms';

const PREFIX = 'conference-name-';

/**
 * The name a caller's recorded name has in Asterisk: the call's channel id, hex-encoded, so that
 * any id makes a plain file name and the channel can be read back from it.
 */
export function spokenNameFor(channelId: string): string {
  return PREFIX + Buffer.from(channelId, 'utf8').toString('hex');
}

/** The channel whose name this recording is; undefined for a recording that is not a spoken name. */
export function channelOfSpokenName(name: string): string | undefined {
  const hex = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : '';
  return /^(?:[0-9a-f]{2})+$/.test(hex) ? Buffer.from(hex, 'hex').toString('utf8') : undefined;
}

/** A room's callers record their names: the permanent room's own option, else the setting for all rooms. */
export function spokenNamesIn(permanent: PermanentRoom | undefined, allRooms: boolean): boolean {
  return permanent?.spokenNames ?? allRooms;
}
