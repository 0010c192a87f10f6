import { actionForKey, DEFAULT_KEY_MAP, keyMapProblem } from '../../src/domain/conferenceKeys';

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
