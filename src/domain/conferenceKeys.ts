import { Key } from './types';

/** What a participant can do with a key while in a room. */
export type ConferenceAction = 'toggleMute' | 'participantCount' | 'roomNumber' | 'help' | 'leave';

export type KeyMap = Readonly<Record<ConferenceAction, string>>;

export const DEFAULT_KEY_MAP: KeyMap = { toggleMute: '1', participantCount: '2', roomNumber: '3', help: '*', leave: '#' };

export function actionForKey(keys: KeyMap, key: Key): ConferenceAction | undefined {
  for (const [action, bound] of Object.entries(keys) as Array<[ConferenceAction, string]>) if (bound === key) return action;
  return undefined;
}

/** A key map is valid when every action has one DTMF key and no key serves two actions. */
export function keyMapProblem(keys: Record<string, unknown>): string | undefined {
  const seen = new Map<string, string>();
  for (const action of Object.keys(DEFAULT_KEY_MAP)) {
    const key = keys[action];
    if (typeof key !== 'string' || !/^[0-9*#A-D]$/.test(key)) return `${action} must be one key: 0-9, *, # or A-D`;
    const other = seen.get(key);
    if (other) return `${action} and ${other} share the key ${key}`;
    seen.set(key, action);
  }
  const unknown = Object.keys(keys).filter((k) => !(k in DEFAULT_KEY_MAP));
  return unknown.length ? `unknown action ${unknown.join(', ')}` : undefined;
}
