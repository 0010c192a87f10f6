import { ConferenceAction, KeyMap } from '../domain/conferenceKeys';
import { RefusalReason } from './conferenceEvents';

/** Every prompt the app plays, in one place: Asterisk's core prompts and our own (sounds/). */
export const Sound = {
  enterRoom: 'sound:conf-getconfno',
  enterPin: 'sound:conf-getpin',
  invalidRoom: 'sound:conf-invalid',
  invalidPin: 'sound:conf-invalidpin',
  entering: 'sound:conf-enteringno',
  onlyPerson: 'sound:conf-onlyperson',
  thereAre: 'sound:conf-thereare',
  otherParticipants: 'sound:conf-otherinparty',
  goodbye: 'sound:goodbye',
  yourNumberIs: 'sound:conference/your-conference-number-is',
  noFreeRoom: 'sound:conference/no-free-room',
  pinLocked: 'sound:conference/pin-locked',
  joinTone: 'sound:conference/join-tone',
  leaveTone: 'sound:conference/leave-tone',
  muted: 'sound:conference/muted',
  unmuted: 'sound:conference/unmuted',
  full: 'sound:conference/conference-full',
  locked: 'sound:conference/conference-locked',
  tooManyRooms: 'sound:conference/too-many-conferences',
  serviceUnavailable: 'sound:conference/service-unavailable',
  reconnected: 'sound:conference/reconnected',
  waitForLeader: 'sound:conf-waitforleader',
  leaderHasLeft: 'sound:conf-leaderhasleft',
} as const;

/** What a refused caller hears before the call ends. */
export const REFUSAL_SOUND: Record<RefusalReason, readonly string[]> = {
  'service-unavailable': [Sound.serviceUnavailable],
  'external-not-allowed': ['sound:conference/external-not-allowed'],
  'external-may-not-start': ['sound:conference/external-may-not-start'],
  'too-many-rooms': [Sound.tooManyRooms, Sound.goodbye],
  'no-free-room': [Sound.noFreeRoom, Sound.goodbye],
  'room-full': [Sound.full, Sound.goodbye],
  'room-locked': [Sound.locked, Sound.goodbye],
  'pin-locked': [Sound.pinLocked, Sound.goodbye],
  // Asterisk would not take the caller into the room's bridge, even made again.
  'no-bridge': [Sound.serviceUnavailable],
  // The room is on another node of the cluster, and the caller cannot be passed on to it.
  'room-elsewhere': [Sound.serviceUnavailable],
  // The cluster's shared store did not answer: no room can be decided on.
  'store-unavailable': [Sound.serviceUnavailable],
};

/** A number read digit by digit ("4 7 1"), as a caller passes it on. */
export function digitsOf(number: string): string {
  return `digits:${number}`;
}

export function numberOf(count: number): string {
  return `number:${count}`;
}

/** "There are 2 other participants", or "you are the only person in this conference". */
export function othersAnnouncement(others: number): string[] {
  return others === 0 ? [Sound.onlyPerson] : [Sound.thereAre, numberOf(others), Sound.otherParticipants];
}

/** What each in-conference key does, in the order the help tells it. */
const HELP_PHRASE: Readonly<Record<ConferenceAction, string>> = {
  toggleMute: 'sound:conference/help-mute',
  participantCount: 'sound:conference/help-count',
  roomNumber: 'sound:conference/help-number',
  leave: 'sound:conference/help-leave',
  help: 'sound:conference/help-again',
};

/** The help, told from the keys in force: "to mute or unmute, press 1; ...". */
export function helpAnnouncement(keys: KeyMap): string[] {
  return (Object.keys(HELP_PHRASE) as ConferenceAction[]).flatMap((action) => [HELP_PHRASE[action], keySound(keys[action])]);
}

/** A DTMF key said aloud: a digit, "star", "pound", or the letters A-D. */
function keySound(key: string): string {
  if (key === '*') return 'sound:digits/star';
  if (key === '#') return 'sound:digits/pound';
  if (/^[A-D]$/.test(key)) return `sound:letters/${key.toLowerCase()}`;
  return digitsOf(key);
}
