import { validateSettings } from '../../src/config/loadSettings';
import {
  actionForKey,
  actionsFor,
  BASIC_KEY_MAP,
  DEFAULT_KEY_MAP,
  keyMapProblem,
  keysInForce,
  unboundActions,
} from '../../src/domain/conferenceKeys';
import { Key } from '../../src/domain/types';

describe('in-conference keys', () => {
  it('maps the default keys to their actions', () => {
    expect(actionForKey(DEFAULT_KEY_MAP, '1')).toBe('toggleMute');
    expect(actionForKey(DEFAULT_KEY_MAP, '2')).toBe('participantCount');
    expect(actionForKey(DEFAULT_KEY_MAP, '3')).toBe('roomNumber');
    expect(actionForKey(DEFAULT_KEY_MAP, '*')).toBe('help');
    expect(actionForKey(DEFAULT_KEY_MAP, '#')).toBe('leave');
    expect(actionForKey(DEFAULT_KEY_MAP, '9')).toBeUndefined();
  });

  it('accepts the default map and refuses bad ones with a reason', () => {
    expect(keyMapProblem({ ...DEFAULT_KEY_MAP })).toBeUndefined();
    expect(keyMapProblem({ ...DEFAULT_KEY_MAP, toggleMute: '#' })).toBe('leave and toggleMute share the key #');
    expect(keyMapProblem({ ...DEFAULT_KEY_MAP, help: '**' })).toBe('help must be one key: 0-9, *, # or A-D');
    expect(keyMapProblem({ ...DEFAULT_KEY_MAP, leave: undefined })).toBe('leave must be one key: 0-9, *, # or A-D');
    expect(keyMapProblem({ ...DEFAULT_KEY_MAP, record: '9' })).toBe('unknown action record');
  });
});

describe('keys of leaders and raised hands', () => {
  const led = { role: 'participant', ledRoom: true } as const;
  const leader = { role: 'leader', ledRoom: true } as const;

  it('gives a raised hand to participants of a room with leaders, and the leader keys to leaders only', () => {
    expect(actionForKey(DEFAULT_KEY_MAP, '4')).toBeUndefined();
    expect(actionForKey(DEFAULT_KEY_MAP, '4', led)).toBe('toggleHand');
    // A leader's 4 calls someone in: a leader raises no hand.
    expect(actionForKey(DEFAULT_KEY_MAP, '4', leader)).toBe('dialOut');
    expect(actionForKey(DEFAULT_KEY_MAP, '9', led)).toBeUndefined();
    expect(['5', '6', '7', '8', '9', '0'].map((key) => actionForKey(DEFAULT_KEY_MAP, key as Key, leader))).toEqual([
      'toggleLock',
      'toggleLecture',
      'unmuteNextHand',
      'removeLast',
      'endConference',
      'toggleRecording',
    ]);
    expect(actionsFor(DEFAULT_KEY_MAP, leader)).toContain('toggleMute');
  });

  it('a file written before these keys existed keeps its keys; the new ones take their defaults where free', () => {
    const written = { toggleMute: '5', participantCount: '6', roomNumber: '7', help: '0', leave: '9' };
    expect(keyMapProblem(written)).toBeUndefined();
    const keys = keysInForce(written);
    expect(keys).toEqual({ ...written, toggleHand: '4', removeLast: '8', dialOut: '4' });
    expect(unboundActions(keys)).toEqual(['toggleLock', 'toggleLecture', 'unmuteNextHand', 'endConference', 'toggleRecording']);
    expect(keyMapProblem({ ...written, toggleHand: '5' })).toBe('toggleHand and toggleMute share the key 5');
  });

  it("lets a participant's hand and a leader's call out share a key, and no other two actions", () => {
    expect(keyMapProblem({ ...DEFAULT_KEY_MAP, toggleHand: 'A', dialOut: 'A' })).toBeUndefined();
    expect(keyMapProblem({ ...DEFAULT_KEY_MAP, dialOut: '5' })).toBe('dialOut and toggleLock share the key 5');
    expect(keyMapProblem({ ...DEFAULT_KEY_MAP, toggleHand: '1', dialOut: '1' })).toBe('toggleHand and toggleMute share the key 1');
    // A file that gave the hand another key: the call out keeps its own default.
    expect(keysInForce({ ...BASIC_KEY_MAP, toggleHand: 'A' })).toMatchObject({ toggleHand: 'A', dialOut: '4' });
    // One that put another action on 4: the call out has no key.
    expect(keysInForce({ ...BASIC_KEY_MAP, toggleLock: '4' }).dialOut).toBeUndefined();
  });
});

describe('conferenceKeys in a settings file', () => {
  it('a remapped file of the five keys loads, the others on their default keys where free', () => {
    const written = { toggleMute: '5', participantCount: '6', roomNumber: '7', help: '0', leave: '9' };
    const result = validateSettings({ conferenceKeys: written }, 'f.json', { ARI_PASSWORD: 'secret' });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.settings.conferenceKeys).toEqual({ ...written, toggleHand: '4', removeLast: '8', dialOut: '4' });
  });

  it('no conferenceKeys: every action on its default key', () => {
    const result = validateSettings({}, 'f.json', { ARI_PASSWORD: 'secret' });
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.settings.conferenceKeys).toEqual(DEFAULT_KEY_MAP);
  });
});
