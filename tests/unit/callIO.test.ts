import { NameRecordings } from '../../src/ari/nameRecordings';
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
  links: LinkLegs;
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
    callOut: async (call: { endpoint: string; channelId: string; originator?: string }) =>
      controls.push(`call ${call.channelId} ${call.endpoint} for ${call.originator}`),
    createRelayBridge: async (id: string) => controls.push(`bridge ${id}`),
    addAllToBridge: async (id: string, channels: string[]) => controls.push(`add ${id} ${channels.join(',')}`),
    destroyBridge: async (id: string) => controls.push(`destroy ${id}`),
    hangup: async (id: string) => controls.push(`hangup ${id}`),
    pausePlayback: async (id: string) => controls.push(`pause ${id}`),
    stopPlayback: async (id: string) => controls.push(`stop ${id}`),
  } as unknown as AriCalls;
  const playbacks = new Playbacks(ari, (error) => {
    throw error;
  });
  const links = new LinkLegs();
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
    links,
    new NameRecordings(),
    'conference',
  );
  return { io, session, links, played, playbackIds, playbacks, controls, ari };
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

describe('AriCallIO passing a call on to another node', () => {
  it('bridges the caller with the leg once the home answers, and tears the bridge down when the home ends the call', async () => {
    const { io, links, controls } = setUp(true);
    const relayed = io.relay('700', '10.0.0.2:5060');
    await flush();
    expect(controls).toEqual(['call caller-1-leg1 PJSIP/cluster/sip:700*internal*caller-1@10.0.0.2:5060 for caller-1']);
    links.claim('caller-1-leg1', ['link-leg']);
    await flush();
    expect(controls.slice(1)).toEqual(['bridge relay-caller-1-leg1', 'add relay-caller-1-leg1 caller-1,caller-1-leg1']);
    links.ended('caller-1-leg1', 16);
    expect(await relayed).toBe('ended');
    expect(controls.slice(3)).toEqual(['destroy relay-caller-1-leg1']);
  });

  it('a home that never answers is lost, and its leg is not hung up again', async () => {
    const { io, links, controls } = setUp(true);
    const relayed = io.relay('700', '10.0.0.2:5060');
    await flush();
    links.ended('caller-1-leg1', 0);
    expect(await relayed).toBe('lost');
    expect(controls.filter((c) => !c.startsWith('call'))).toEqual([]);
  });

  it('a caller who hangs up while passed on takes the leg down with the bridge', async () => {
    const { io, links, controls, session } = setUp(true);
    const relayed = io.relay('700', '10.0.0.2:5060');
    await flush();
    links.claim('caller-1-leg1', ['link-leg']);
    await flush();
    session.end('hangup');
    await expect(relayed).rejects.toThrow('call ended');
    expect(controls.slice(3)).toEqual(['destroy relay-caller-1-leg1', 'hangup caller-1-leg1']);
    expect(links.size).toBe(0);
  });
});
