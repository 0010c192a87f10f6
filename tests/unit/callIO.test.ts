import { AriCallIO } from '../../src/ari/ariCallIO';
import { CallSession } from '../../src/app/callSession';
import { AriCalls } from '../../src/ari/ariCalls';
import { Playbacks } from '../../src/ari/playbacks';

/** The play requests that reached "Asterisk": what the caller would have heard. */
function setUp(): { io: AriCallIO; session: CallSession; played: string[][]; playbackIds: string[]; playbacks: Playbacks } {
  const played: string[][] = [];
  const playbackIds: string[] = [];
  const ari = {
    playOnChannel: async (_channel: string, id: string, media: readonly string[]) => {
      played.push([...media]);
      playbackIds.push(id);
      return true;
    },
    stopPlayback: async () => true,
  } as unknown as AriCalls;
  const playbacks = new Playbacks(ari, (error) => {
    throw error;
  });
  const session = new CallSession({ channelId: 'caller-1', callerKind: 'internal', callerId: '201', suffix: '' });
  const io = new AriCallIO(
    session,
    ari,
    playbacks,
    { firstDigitMs: 10_000, interDigitMs: 5_000 },
    { musicOnHoldClass: 'default', language: 'en' },
  );
  return { io, session, played, playbackIds, playbacks };
}

describe('AriCallIO on a call that is hanging up', () => {
  it('plays to a call that is up', async () => {
    const { io, played, playbackIds, playbacks } = setUp();
    const done = io.play(['conf-enteringno']);
    expect(played).toEqual([['conf-enteringno']]);
    // The playback ends as Asterisk would report it.
    playbacks.onEvent({ type: 'PlaybackFinished', playback: { id: playbackIds[0] as string } });
    await done;
  });

  it('plays nothing once Asterisk has said the call is hanging up', async () => {
    const { io, session, played } = setUp();
    session.hangupRequested = true;
    await io.play(['conf-enteringno']);
    expect(played).toEqual([]);
  });

  it('still collects an entry, without its prompt, until the call ends', async () => {
    const { io, session, played } = setUp();
    session.hangupRequested = true;
    const entry = io.prompt(['conf-getconfno'], { kind: 'room' });
    for (const key of ['1', '2', '3', '#'] as const) session.key(key);
    await expect(entry).resolves.toEqual({ type: 'complete', value: '123' });
    expect(played).toEqual([]);

    const next = io.prompt(['conf-getpin'], { kind: 'pin', maxLength: 8 });
    session.end('hangup');
    await expect(next).rejects.toThrow('call ended');
    expect(played).toEqual([]);
  });
});
