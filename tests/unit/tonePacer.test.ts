import { PlayToRoom, TonePacer } from '../../src/app/tonePacer';

/** A bridge whose playback requests are answered, and their playbacks end, when the test says so. */
function fakeBridge() {
  const requests: Array<{ media: string; at: number; answer: () => void; end: () => void }> = [];
  const play: PlayToRoom = (media) =>
    new Promise((resolve) => {
      let end!: () => void;
      const finished = new Promise<void>((ended) => (end = ended));
      requests.push({ media: media.join(','), at: Date.now(), answer: () => resolve({ finished }), end });
    });
  return { requests, play };
}

const SPACING = 600;

describe('TonePacer (join and leave tones into a bridge)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('plays the first tone at once', () => {
    const bridge = fakeBridge();
    new TonePacer(bridge.play, Date.now, SPACING).request('join');
    expect(bridge.requests.map((r) => r.media)).toEqual(['join']);
  });

  it('ends a burst in one tone, the latest, once the spacing has passed', async () => {
    const bridge = fakeBridge();
    const pacer = new TonePacer(bridge.play, Date.now, SPACING);
    pacer.request('join');
    bridge.requests[0]!.answer();
    await jest.advanceTimersByTimeAsync(100);
    pacer.request('join');
    pacer.request('leave');
    pacer.request('join');
    await jest.advanceTimersByTimeAsync(499);
    expect(bridge.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(bridge.requests.map((r) => [r.media, r.at])).toEqual([
      ['join', 0],
      ['join', 600],
    ]);
  });

  it('never asks for a second playback while Asterisk has not answered the first (its 500 race)', async () => {
    const bridge = fakeBridge();
    const pacer = new TonePacer(bridge.play, Date.now, SPACING);
    pacer.request('join');
    await jest.advanceTimersByTimeAsync(100);
    pacer.request('leave');
    // A set-up slow under load (1.8 s), longer than the spacing.
    await jest.advanceTimersByTimeAsync(1700);
    expect(bridge.requests).toHaveLength(1);
    bridge.requests[0]!.answer();
    await jest.advanceTimersByTimeAsync(0);
    expect(bridge.requests.map((r) => [r.media, r.at])).toEqual([
      ['join', 0],
      ['leave', 1800],
    ]);
  });

  it('goes on after a request that failed (answered all the same)', async () => {
    const failing = jest.fn((_media: readonly string[]) => Promise.reject(new Error('500')).catch(() => undefined));
    const pacer = new TonePacer(failing, Date.now, SPACING);
    pacer.request('join');
    await jest.advanceTimersByTimeAsync(SPACING);
    pacer.request('leave');
    expect(failing.mock.calls.map(([media]) => media)).toEqual([['join'], ['leave']]);
  });

  it('drops a held tone when the room is gone', async () => {
    const bridge = fakeBridge();
    const pacer = new TonePacer(bridge.play, Date.now, SPACING);
    pacer.request('join');
    bridge.requests[0]!.answer();
    pacer.request('leave');
    pacer.close();
    pacer.request('join');
    await jest.advanceTimersByTimeAsync(5000);
    expect(bridge.requests).toHaveLength(1);
  });

  it('plays every announcement, one after another and ahead of a held tone, each settling once played out', async () => {
    const bridge = fakeBridge();
    const pacer = new TonePacer(bridge.play, Date.now, SPACING);
    pacer.request('join');
    const played: string[] = [];
    void pacer.announce(['recording:alice', 'sound:conf-hasjoin']).then(() => played.push('alice'));
    void pacer.announce(['recording:bob', 'sound:conf-hasjoin']).then(() => played.push('bob'));
    pacer.request('leave');
    bridge.requests[0]!.answer();
    await jest.advanceTimersByTimeAsync(SPACING);
    bridge.requests[1]!.answer();
    await jest.advanceTimersByTimeAsync(SPACING);
    bridge.requests[2]!.answer();
    await jest.advanceTimersByTimeAsync(SPACING);
    expect(bridge.requests.map((r) => r.media)).toEqual([
      'join',
      'recording:alice,sound:conf-hasjoin',
      'recording:bob,sound:conf-hasjoin',
      'leave',
    ]);
    expect(played).toEqual([]);
    bridge.requests[2]!.end();
    bridge.requests[1]!.end();
    await jest.advanceTimersByTimeAsync(0);
    expect(played).toEqual(['bob', 'alice']);
  });

  it('settles the announcements still queued when the room is gone, and plays none of them', async () => {
    const bridge = fakeBridge();
    const pacer = new TonePacer(bridge.play, Date.now, SPACING);
    pacer.request('join');
    const queued = pacer.announce(['recording:alice', 'sound:conf-hasleft']);
    pacer.close();
    await expect(queued).resolves.toBeUndefined();
    await expect(pacer.announce(['recording:bob'])).resolves.toBeUndefined();
    bridge.requests[0]!.answer();
    await jest.advanceTimersByTimeAsync(5000);
    expect(bridge.requests.map((r) => r.media)).toEqual(['join']);
  });
});
