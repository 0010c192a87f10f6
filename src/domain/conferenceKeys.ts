import { Role } from './permanentRooms';
import { Key } from './types';

/** What every participant can do with a key while in a room. */
export type ParticipantAction = 'toggleMute' | 'participantCount' | 'roomNumber' | 'help' | 'leave' | 'toggleHand';
/** What only a leader can do. */
export type LeaderAction =
  'toggleLock' | 'toggleLecture' | 'unmuteNextHand' | 'removeLast' | 'endConference' | 'toggleRecording' | 'dialOut';
export type ConferenceAction = ParticipantAction | LeaderAction;

/** The keys as in force: an action without a key (its default taken by another action) cannot be used. */
export type KeyMap = Readonly<Partial<Record<ConferenceAction, string>>>;

/** Every action's key, in the order the help tells them. */
export const DEFAULT_KEY_MAP: Readonly<Record<ConferenceAction, string>> = {
  toggleMute: '1',
  participantCount: '2',
  roomNumber: '3',
  toggleHand: '4',
  toggleLock: '5',
  toggleLecture: '6',
  unmuteNextHand: '7',
  removeLast: '8',
  endConference: '9',
  toggleRecording: '0',
  // A leader's 4: a leader raises no hand.
  dialOut: '4',
  leave: '#',
  help: '*',
};

/** The actions every key map has (the settings' default, which a file's keys are laid over). */
const REQUIRED: readonly ConferenceAction[] = ['toggleMute', 'participantCount', 'roomNumber', 'help', 'leave'];

/**
 * The settings' default: everyone's keys. The others are added by keysInForce, so that a file
 * laid over this default never meets a default key it did not choose.
 */
export const BASIC_KEY_MAP: KeyMap = Object.fromEntries(REQUIRED.map((action) => [action, DEFAULT_KEY_MAP[action]]));
const LEADER_ACTIONS: ReadonlySet<ConferenceAction> = new Set<LeaderAction>([
  'toggleLock',
  'toggleLecture',
  'unmuteNextHand',
  'removeLast',
  'endConference',
  'toggleRecording',
  'dialOut',
]);

/** Actions never open to the same caller (a participant's hand, a leader's call out), which may share a key. */
const SHARING: ReadonlyArray<readonly [ConferenceAction, ConferenceAction]> = [['toggleHand', 'dialOut']];

function mayShare(a: ConferenceAction, b: ConferenceAction): boolean {
  return SHARING.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
}

/** Who presses a key: their role, and whether the room has leaders at all (a permanent room with a leader PIN). */
export interface KeyContext {
  readonly role: Role;
  readonly ledRoom: boolean;
}

/** A participant of a spontaneous room: the keys SPEC.md gives everyone. */
export const SPONTANEOUS: KeyContext = { role: 'participant', ledRoom: false };

/**
 * The actions open to the caller, in the help's order: everyone's; raising a hand in a room with
 * leaders (a participant's); the leader's own.
 */
export function actionsFor(keys: KeyMap, context: KeyContext): ConferenceAction[] {
  return (Object.keys(DEFAULT_KEY_MAP) as ConferenceAction[]).filter((action) => {
    if (keys[action] === undefined) return false;
    if (action === 'toggleHand') return context.ledRoom && context.role === 'participant';
    return !isLeaderAction(action) || context.role === 'leader';
  });
}

export function isLeaderAction(action: ConferenceAction): action is LeaderAction {
  return LEADER_ACTIONS.has(action);
}

export function actionForKey(keys: KeyMap, key: Key, context: KeyContext = SPONTANEOUS): ConferenceAction | undefined {
  return actionsFor(keys, context).find((action) => keys[action] === key);
}

/**
 * The keys as written, with each action left out on its default key when no other action has
 * that key (a file written before an action existed keeps working, and keeps its keys).
 */
export function keysInForce(written: KeyMap): KeyMap {
  const keys: Partial<Record<ConferenceAction, string>> = { ...written };
  for (const [action, key] of Object.entries(DEFAULT_KEY_MAP) as Array<[ConferenceAction, string]>) {
    if (keys[action] === undefined && !holderOf(written, key, action)) keys[action] = key;
  }
  return keys;
}

/** The action written on this key that may not share it with `action`. */
function holderOf(keys: KeyMap, key: string, action: ConferenceAction): ConferenceAction | undefined {
  return (Object.keys(keys) as ConferenceAction[]).find((other) => keys[other] === key && !mayShare(other, action));
}

/** The actions with no key in force: their defaults are other actions' keys. */
export function unboundActions(keys: KeyMap): ConferenceAction[] {
  return (Object.keys(DEFAULT_KEY_MAP) as ConferenceAction[]).filter((action) => keys[action] === undefined);
}

/**
 * A key map is valid when each action given has one DTMF key, everyone's five (toggleMute,
 * participantCount, roomNumber, help, leave) are given, and no key serves two actions open to
 * the same caller.
 */
export function keyMapProblem(keys: Record<string, unknown>): string | undefined {
  const seen = new Map<string, ConferenceAction[]>();
  for (const action of Object.keys(DEFAULT_KEY_MAP) as ConferenceAction[]) {
    const key = keys[action];
    if (key === undefined && !REQUIRED.includes(action)) continue;
    if (typeof key !== 'string' || !/^[0-9*#A-D]$/.test(key)) return `${action} must be one key: 0-9, *, # or A-D`;
    const others = seen.get(key) ?? [];
    const other = others.find((earlier) => !mayShare(earlier, action));
    if (other) return `${action} and ${other} share the key ${key}`;
    seen.set(key, [...others, action]);
  }
  const unknown = Object.keys(keys).filter((k) => !(k in DEFAULT_KEY_MAP));
  return unknown.length ? `unknown action ${unknown.join(', ')}` : undefined;
}
