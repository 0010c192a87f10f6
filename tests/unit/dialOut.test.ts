import winston from 'winston';
import { ConferenceEvent, ConferenceEvents } from '../../src/app/conferenceEvents';
import { DialOut, DialOutSettings, OutboundInvite } from '../../src/app/dialOut';
import { numberPatternExpression, numberPatternsProblem, numberRefusal, unansweredOutcome } from '../../src/domain/dialOut';
import { collect, startEntry } from '../../src/domain/digitCollector';

const silent = winston.createLogger({ silent: true });

describe('dial-out numbers', () => {
  it('match dialplan patterns in full: X, Z, N, ranges, and . or ! at the end', () => {
    const allowed = ['_2XX', '_9NXXXXXX.', '5551234', '_[13]0!'];
    for (const number of ['200', '299', '923456789', '9234567890123', '5551234', '10', '30', '3099']) {
      expect([number, numberRefusal(number, allowed)]).toEqual([number, undefined]);
    }
    for (const number of ['2000', '20', '912345678', '555123', '5551235', '20', '40']) {
      expect([number, numberRefusal(number, allowed)]).toEqual([number, 'not-allowed']);
    }
  });

  it('are refused when the list is empty, and when they are no number at all', () => {
    expect(numberRefusal('202', [])).toBe('not-allowed');
    expect(numberRefusal('20a', ['_2XX'])).toBe('bad-number');
    expect(numberRefusal('', ['_2XX'])).toBe('bad-number');
    expect(numberRefusal('+4930123456', ['+4930123456'])).toBeUndefined();
  });

  it('take only patterns Asterisk would, never a regular expression of the admin', () => {
    expect(numberPatternExpression('_2X(')).toBeUndefined();
    expect(numberPatternExpression('_.')).toBeUndefined();
    expect(numberPatternExpression('_X.X')).toBeUndefined();
    expect(numberPatternExpression('(2+)+$')).toBeUndefined();
    expect(numberPatternsProblem(['_2XX', '_2X('])).toMatch(/"_2X\(" is not a number pattern/);
    expect(numberPatternsProblem('_2XX')).toMatch(/must be a list/);
    expect(numberPatternsProblem([])).toBeUndefined();
  });

  it('tell refused, not answered and failed calls apart by the hangup cause', () => {
    expect([17, 21, 19, 18, 16, 34, 0].map(unansweredOutcome)).toEqual([
      'refused',
      'refused',
      'no-answer',
      'no-answer',
      'failed',
      'failed',
      'failed',
    ]);
  });

  it('are keyed as digits then #; # alone is no number', () => {
    const mode = { kind: 'number', maxLength: 32 } as const;
    expect(collect(mode, startEntry(mode), { type: 'key', key: '#' })).toEqual({ type: 'invalid', reason: 'too-short' });
    const keyed = collect(mode, startEntry(mode), { type: 'key', key: '2' });
    expect(keyed.type === 'continue' && collect(mode, keyed.state, { type: 'key', key: '#' })).toEqual({ type: 'complete', value: '2' });
  });
});

function dialOutWith(settings: Partial<DialOutSettings> = {}, callOut: (invite: OutboundInvite) => Promise<void> = async () => undefined) {
  const events = new ConferenceEvents();
  const published: ConferenceEvent[] = [];
  events.on('event', (event) => published.push(event));
  const told: Array<[string, readonly string[]]> = [];
  const calls: OutboundInvite[] = [];
  let ids = 0;
  const dialOut = new DialOut({
    callOut: (invite) => {
      calls.push(invite);
      return callOut(invite);
    },
    settings: () => ({ allowedNumbers: ['_2XX'], context: 'from-internal', answerSeconds: 30, maxPerRoom: 2, ...settings }),
    serverNumber: () => '88',
    holds: (room) => room === '123',
    tell: async (channel, media) => void told.push([channel, media]),
    events,
    log: silent,
    now: () => 1000,
    uniqueId: () => String(++ids),
  });
  return { dialOut, published, told, calls };
}

describe('DialOut: a call out of a room, from the request to its outcome', () => {
  it('calls the number through the context, unoptimised, with the room as the caller and the invite marked', async () => {
    const { dialOut, calls } = dialOutWith();
    const start = await dialOut.invite('123', '202', 'leader', 'leader-chan');
    expect(start).toMatchObject({ kind: 'calling', invitation: { id: 'invite-1', room: '123', number: '202' } });
    expect(calls).toEqual([
      {
        channelId: 'invite-1',
        endpoint: 'Local/202@from-internal/n',
        appArgs: '123,internal,invite',
        callerId: '"Conference 123" <88>',
        timeoutSeconds: 30,
      },
    ]);
  });

  it('an answered call that joins: the leader is told it was answered, then that they joined; one outcome', async () => {
    const { dialOut, published, told } = dialOutWith();
    await dialOut.invite('123', '202', 'leader', 'leader-chan');
    expect(dialOut.answered('invite-1')).toMatchObject({ room: '123', number: '202' });
    expect(dialOut.answered('invite-1')).toBeUndefined();
    // Answered, it no longer ends as unanswered.
    expect(dialOut.ended('invite-1', 16)).toBe(false);
    dialOut.settle('invite-1', 'joined');
    dialOut.settle('invite-1', 'declined');
    expect(told).toEqual([
      ['leader-chan', ['sound:conference/dial-out-answered']],
      ['leader-chan', ['sound:conference/dial-out-joined']],
    ]);
    expect(published).toMatchObject([
      { type: 'dial-out', room: '123', number: '202', by: 'leader', channel: 'leader-chan', outcome: 'joined' },
    ]);
  });

  it('a call that ends unanswered: busy is refused, and the leader is told', async () => {
    const { dialOut, published, told } = dialOutWith();
    await dialOut.invite('123', '202', 'leader', 'leader-chan');
    expect(dialOut.ended('some-other-channel', 17)).toBe(false);
    expect(dialOut.ended('invite-1', 17)).toBe(true);
    expect(told).toEqual([['leader-chan', ['sound:conference/dial-out-refused']]]);
    expect(published.map((e) => e.type === 'dial-out' && e.outcome)).toEqual(['refused']);
  });

  it('refuses a number not allowed, a room not held, and more calls at once than dialOut.maxPerRoom', async () => {
    const { dialOut, published, calls } = dialOutWith();
    await expect(dialOut.invite('123', '5551234', 'admin')).resolves.toEqual({ kind: 'refused', reason: 'not-allowed' });
    await expect(dialOut.invite('999', '202', 'admin')).resolves.toEqual({ kind: 'refused', reason: 'unknown-room' });
    await dialOut.invite('123', '201', 'admin');
    await dialOut.invite('123', '202', 'admin');
    await expect(dialOut.invite('123', '203', 'admin')).resolves.toEqual({ kind: 'refused', reason: 'too-many' });
    expect(calls.map((c) => c.channelId)).toEqual(['invite-1', 'invite-2']);
    expect(published.map((e) => e.type === 'dial-out' && e.outcome)).toEqual(['not-allowed', 'too-many']);
    // One ended: room for the next.
    dialOut.ended('invite-1', 19);
    await expect(dialOut.invite('123', '203', 'admin')).resolves.toMatchObject({ kind: 'calling' });
  });

  it('a call Asterisk will not make fails at once, and frees its place', async () => {
    const { dialOut, published, told } = dialOutWith({}, () => Promise.reject(new Error('400 Allocation failed')));
    await expect(dialOut.invite('123', '202', 'leader', 'leader-chan')).resolves.toEqual({
      kind: 'failed',
      error: 'Error: 400 Allocation failed',
    });
    expect(published.map((e) => e.type === 'dial-out' && e.outcome)).toEqual(['failed']);
    // Told once, by the key that asked (inviteStartSound), not twice.
    expect(told).toEqual([]);
    expect(dialOut.answered('invite-1')).toBeUndefined();
  });
});
