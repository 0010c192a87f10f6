import { LinkLegs } from '../../src/app/linkLegs';
import { AriCallIO } from '../../src/ari/ariCallIO';
import { CallSession } from '../../src/app/callSession';
import { AriCalls } from '../../src/ari/ariCalls';
import { Playbacks } from '../../src/ari/playbacks';

/** The play requests that reached "Asterisk": what the caller would have heard. */
function setUp(answered = false): {
  io: AriCallIO;
  session: CallSession;
  played: string[][];
  playbackIds: string[];
  playbacks: Playbacks;
  controls: string[];
  ari: AriCalls;
} {
  const played: string[][] = [];
  const playbackIds: string[] = [];
  const controls: string[] = [];
  const ari = {
    playOnChannel: async (_channel: string, id: string, media: readonly string[]) => {
      played.push([...media]);
      playbackIds.push(id);
      return true;
    },
    answer: async (id: string) => controls.push(`answer ${id}`),
    pausePlayback: async (id: string) => controls.push(`pause ${id}`),
    stopPlayback: async (id: string) => controls.push(`stop ${id}`),
  } as unknown as AriCalls;
  const playbacks = new Playbacks(ari, (error) => {
    throw error;
  });
  const session = new CallSession({
    channelId: 'caller-1',
    callerKind: 'internal',
    callerId: '201',
    suffix: '',
    answered,
    via: { kind: 'dialled' },
  });
  const io = new AriCallIO(
    session,
    ari,
    playbacks,
    { firstDigitMs: 10_000, interDigitMs: 5_000 },
    { musicOnHoldClass: 'default', language: 'en' },
    new LinkLegs(),
    'conference',
  );
  return { io, session, played, playbackIds, playbacks, controls, ari };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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

describe('AriCallIO answering', () => {
  it('answers a call that reached the app unanswered', async () => {
    const { io, controls } = setUp(false);
    await io.answer();
    expect(controls).toEqual(['answer caller-1']);
  });

  it('sends no answer for a call the dialplan answered', async () => {
    const { io, controls } = setUp(true);
    await io.answer();
    expect(controls).toEqual([]);
  });
});

describe('AriCallIO barge-in', () => {
  const started = (playbacks: Playbacks, id: string): void => playbacks.onEvent({ type: 'PlaybackStarted', playback: { id } });

  it('pauses the prompt at the first key, and stops it when the entry is complete', async () => {
    const { io, session, playbackIds, playbacks, controls } = setUp();
    const entry = io.prompt(['conf-getpin'], { kind: 'pin', maxLength: 8 });
    const id = playbackIds[0]!;
    started(playbacks, id);
    session.key('1');
    session.key('2');
    expect(controls).toEqual([`pause ${id}`]);
    session.key('#');
    await expect(entry).resolves.toEqual({ type: 'complete', value: '12' });
    expect(controls).toEqual([`pause ${id}`, `stop ${id}`]);
  });

  it('pauses a prompt keyed over before Asterisk started it once it starts; one stopped first is never paused', async () => {
    const { io, session, playbackIds, playbacks, controls } = setUp();
    const first = io.prompt(['conf-getpin'], { kind: 'pin', maxLength: 8 });
    session.key('1');
    expect(controls).toEqual([]);
    started(playbacks, playbackIds[0]!);
    expect(controls).toEqual([`pause ${playbackIds[0]}`]);
    session.key('#');
    await first;

    const second = io.prompt(['conf-getpin'], { kind: 'pin', maxLength: 8 });
    session.key('1');
    session.key('#');
    await second;
    started(playbacks, playbackIds[1]!);
    expect(controls.slice(2)).toEqual([`stop ${playbackIds[1]}`]);
  });

  /** A play request and a stop that "Asterisk" answers only when the test says so. */
  const heldAnswers = (ari: AriCalls, playbackIds: string[], controls: string[]): { answerPlay: () => void; answerStop: () => void } => {
    const answers = { answerPlay: (): void => undefined, answerStop: (): void => undefined };
    ari.playOnChannel = (_channel: string, id: string) => {
      playbackIds.push(id);
      return new Promise<boolean>((resolve) => (answers.answerPlay = () => resolve(true)));
    };
    ari.stopPlayback = (id: string) => {
      controls.push(`stop ${id}`);
      return new Promise<boolean>((resolve) => (answers.answerStop = () => resolve(true)));
    };
    return answers;
  };

  it('settles the entry as soon as the stop is sent when Asterisk holds the prompt: the join goes out right behind it', async () => {
    const { io, session, playbackIds, controls, ari } = setUp();
    const answers = heldAnswers(ari, playbackIds, controls);
    let outcome: unknown;
    void io.prompt(['conf-getpin'], { kind: 'pin', maxLength: 8 }).then((o) => (outcome = o));
    answers.answerPlay();
    await flush();
    session.key('#');
    await flush();
    expect({ controls, outcome }).toEqual({ controls: [`stop ${playbackIds[0]}`], outcome: { type: 'complete', value: '' } });
  });

  it("sends the stop of a prompt keyed over before Asterisk answered its play request after that answer, and settles once the stop's answer is in", async () => {
    const { io, session, playbackIds, controls, ari } = setUp();
    const answers = heldAnswers(ari, playbackIds, controls);
    let outcome: unknown;
    void io.prompt(['conf-getpin'], { kind: 'pin', maxLength: 8 }).then((o) => (outcome = o));
    session.key('#');
    await flush();
    expect({ controls, outcome }).toEqual({ controls: [], outcome: undefined });
    answers.answerPlay();
    await flush();
    expect({ controls, outcome }).toEqual({ controls: [`stop ${playbackIds[0]}`], outcome: undefined });
    answers.answerStop();
    await flush();
    expect(outcome).toEqual({ type: 'complete', value: '' });
  });
});
