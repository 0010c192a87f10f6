import { actionsFor, ConferenceAction, KeyContext, KeyMap, SPONTANEOUS } from '../domain/conferenceKeys';
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
  lockedNow: 'sound:conf-lockednow',
  unlockedNow: 'sound:conf-unlockednow',
  handRaised: 'sound:conference/hand-raised',
  handLowered: 'sound:conference/hand-lowered',
  aHandIsRaised: 'sound:conference/a-hand-is-raised',
  handsRaised: 'sound:conference/hands-raised',
  noHands: 'sound:conference/no-hands',
  askToSpeak: 'sound:conference/ask-to-speak',
  mutedByLeader: 'sound:conference/muted-by-leader',
  allMuted: 'sound:conference/all-muted',
  allUnmuted: 'sound:conference/all-unmuted',
  youMaySpeak: 'sound:conference/you-may-speak',
  handUnmuted: 'sound:conference/hand-unmuted',
  removed: 'sound:conference/removed',
  lastRemoved: 'sound:conference/last-removed',
  nobodyToRemove: 'sound:conference/nobody-to-remove',
  conferenceEnded: 'sound:conference/conference-ended',
  recordingUnavailable: 'sound:conference/recording-unavailable',
  sayYourName: 'sound:vm-rec-name',
  enterNumberToCall: 'sound:vm-enter-num-to-call',
  noNumber: 'sound:conference/dial-out-no-number',
  calling: 'sound:calling',
  dialOutAnswered: 'sound:conference/dial-out-answered',
  dialOutJoined: 'sound:conference/dial-out-joined',
  dialOutDeclined: 'sound:conference/dial-out-declined',
  dialOutRefused: 'sound:conference/dial-out-refused',
  dialOutNoAnswer: 'sound:number-not-answering',
  dialOutFailed: 'sound:conference/dial-out-failed',
  dialOutNotAllowed: 'sound:conference/dial-out-not-allowed',
  dialOutBusyRoom: 'sound:conference/dial-out-too-many',
  invitedTo: 'sound:conference/invited',
  pressOneToJoin: 'sound:conference/press-1-to-join',
  hasJoined: 'sound:conf-hasjoin',
  hasLeft: 'sound:conf-hasleft',
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

/** What each in-conference key does, as the help tells it. */
const HELP_PHRASE: Readonly<Record<ConferenceAction, string>> = {
  toggleMute: 'sound:conference/help-mute',
  participantCount: 'sound:conference/help-count',
  roomNumber: 'sound:conference/help-number',
  toggleHand: 'sound:conference/help-hand',
  toggleLock: 'sound:conference/help-lock',
  toggleLecture: 'sound:conference/help-lecture',
  unmuteNextHand: 'sound:conference/help-next-hand',
  removeLast: 'sound:conference/help-remove',
  endConference: 'sound:conference/help-end',
  toggleRecording: 'sound:conference/help-record',
  dialOut: 'sound:conference/help-dial-out',
  leave: 'sound:conference/help-leave',
  help: 'sound:conference/help-again',
};

/** The help, told from the keys in force and open to the caller: "to mute or unmute, press 1; ...". */
export function helpAnnouncement(keys: KeyMap, context: KeyContext = SPONTANEOUS): string[] {
  return actionsFor(keys, context).flatMap((action) => [HELP_PHRASE[action], keySound(keys[action] as string)]);
}

/** "To ask to speak, press 4": a participant muted by the leader, told how to raise a hand (if it has a key). */
export function askToSpeak(keys: KeyMap): string[] {
  return keys.toggleHand === undefined ? [] : [Sound.askToSpeak, keySound(keys.toggleHand)];
}

/** A DTMF key said aloud: a digit, "star", "pound", or the letters A-D. */
function keySound(key: string): string {
  if (key === '*') return 'sound:digits/star';
  if (key === '#') return 'sound:digits/pound';
  if (/^[A-D]$/.test(key)) return `sound:letters/${key.toLowerCase()}`;
  return digitsOf(key);
}
