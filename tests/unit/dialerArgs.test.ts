import { parseDialArgs } from '../../src/tools/cli';
import { describeDial } from '../../src/tools/dialer';

describe('conference dial', () => {
  it('reads the number and the options', () => {
    expect(parseDialArgs(['dial', '88123', '--pin', '4321'])).toEqual({
      ok: true,
      options: { number: '88123', room: undefined, pin: '4321', context: 'from-internal', callerId: '201', timeoutMs: 30000 },
    });
    expect(
      parseDialArgs(['dial', '88', '--room', '0123', '--context', 'from-external', '--caller-id', '0301', '--timeout', '5']),
    ).toMatchObject({
      ok: true,
      options: { number: '88', room: '0123', pin: '', context: 'from-external', callerId: '0301', timeoutMs: 5000 },
    });
  });

  it.each([
    [[]],
    [['call', '88123']],
    [['dial']],
    [['dial', '88a']],
    [['dial', '88123', '--pin']],
    [['dial', '88123', '--pin', '12a']],
    [['dial', '88', '--room', '12']],
    [['dial', '88123', '--context', 'default']],
    [['dial', '88123', '--colour', 'red']],
    [['dial', '88123', '--timeout', '0']],
  ])('refuses %p', (args) => {
    expect(parseDialArgs(args)).toMatchObject({ ok: false });
  });

  it('says what the caller heard and where it ended up', () => {
    expect(
      describeDial({ heard: ['conf-getpin', 'conf-enteringno'], outcome: { kind: 'joined', bridge: 'conference-123', others: 2 } }),
    ).toBe('heard conf-getpin, conf-enteringno; joined conference-123 with 2 others');
    expect(describeDial({ heard: ['conference/conference-locked'], outcome: { kind: 'hung-up' } })).toBe(
      'heard conference/conference-locked; not joined: the call ended',
    );
  });
});
