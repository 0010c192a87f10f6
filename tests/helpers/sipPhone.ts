import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '../../harness/waitUntil';
import { BaresipControl, BaresipEvent } from './baresipControl';
import { AsteriskEnv, asteriskEnv, TEST_INSTANCE } from '../../harness/testEnv';
import { Audio, readWav, toneWav } from './wavAudio';

/** Codecs of the demo endpoints (pjsip.conf allows g722, ulaw, alaw), as baresip names them. */
export type SipCodec = 'PCMU' | 'PCMA' | 'G722';

export interface SipPhoneOptions {
  /** The demo PJSIP endpoint to register as: 201-204, or `trunk` (its calls land in from-external). */
  user: string;
  /** The one codec the phone offers (PCMU when not given). */
  codec?: SipCodec;
  /** The tone the phone sends as its microphone, in Hz; silence when absent. */
  toneHz?: number;
  /** The Asterisk the phone registers with and calls (a second node's); the test Asterisk when absent. */
  asterisk?: AsteriskEnv;
  /** Registers with and calls through a cluster's SIP front (Kamailio) instead, with the nodes' password. */
  front?: { readonly port: string; readonly password: string };
  /** false: the phone only calls, as a trunk does (it registers when not given). */
  register?: boolean;
}

// Phones take ports beside the test Asterisk's (its SIP port + 40.., its RTP range's end + 1..),
// so parallel test instances do not meet: 15100-15174 and 12000-12499 for the default one.
// baresip listens on its SIP port (UDP, TCP) and the next one (TLS): two SIP ports a phone.
const MAX_PHONES = 25;
const RTP_PORTS_PER_PHONE = 20;
const TONE_SECONDS = 120; // longer than any test call: baresip's aufile ends the call at the end of its file
const LIFETIME_SECONDS = 300; // baresip quits by itself after this, should the test process die without stopping it
let phonesStarted = 0;
const running = new Set<ChildProcess>();
// A test run that dies still takes its phones with it (by PID, as everything else).
process.once('exit', () => {
  for (const child of running) if (child.pid) process.kill(child.pid, 'SIGKILL');
});

/**
 * A SIP phone for the tests: a baresip process with its own config directory and ports,
 * registered to the test Asterisk, sending a WAV file as its microphone (aufile) and
 * recording what it receives (sndfile), driven over baresip's ctrl_tcp interface.
 * DTMF goes out as RFC 2833 telephone events.
 */
export class SipPhone {
  private constructor(
    readonly user: string,
    private readonly child: ChildProcess,
    private readonly control: BaresipControl,
    private readonly dir: string,
    /** The SIP port of the Asterisk it registered with (or of the front), where it places its calls. */
    private readonly serverPort: string,
  ) {}

  static async start(options: SipPhoneOptions): Promise<SipPhone> {
    const env = options.asterisk ?? asteriskEnv();
    const index = phonesStarted++ % MAX_PHONES;
    const sipPort = Number(TEST_INSTANCE.SIP_PORT) + 40 + 2 * index;
    const controlPort = Number(TEST_INSTANCE.SIP_PORT) + 40 + 2 * MAX_PHONES + index;
    const rtpStart = Number(TEST_INSTANCE.RTP_END) + 1 + index * RTP_PORTS_PER_PHONE;
    const dir = mkdtempSync(join(tmpdir(), `sip-phone-${options.user}-`));
    mkdirSync(join(dir, 'recordings'));
    const codec = options.codec ?? 'PCMU';
    // Audio at the codec's own rate: baresip 1.0.0's resampler (8 to 16 kHz) all but removes a 2 kHz tone.
    const sampleRate = codec === 'G722' ? 16000 : 8000;
    writeFileSync(join(dir, 'microphone.wav'), toneWav(options.toneHz ?? 0, TONE_SECONDS, sampleRate));
    writeFileSync(join(dir, 'config'), baresipConfig(dir, { sipPort, controlPort, rtpStart, sampleRate }));
    const server = options.front ?? { port: env.SIP_PORT, password: env.SIP_PASSWORD };
    const register = options.register ?? true;
    writeFileSync(
      join(dir, 'accounts'),
      `<sip:${options.user}@127.0.0.1:${server.port};transport=udp>;auth_pass=${server.password};audio_codecs=${codec};regint=${register ? 300 : 0}\n`,
    );

    const log = openSync(join(dir, 'baresip.log'), 'w');
    const child = spawn('baresip', ['-f', dir, '-t', String(LIFETIME_SECONDS)], { stdio: ['ignore', log, log] });
    closeSync(log);
    running.add(child);
    child.once('exit', () => running.delete(child));
    try {
      const control = await BaresipControl.connect(controlPort);
      const phone = new SipPhone(options.user, child, control, dir, server.port);
      // Registration starts before the control port opens (its event may be gone): ask for its state.
      if (!register) return phone;
      let registration = '';
      await waitUntil(
        async () => {
          registration = withoutColours(await control.command('reginfo'));
          return /\b(OK|ERR)\b/.test(registration);
        },
        10000,
        `${options.user} to register`,
      );
      if (!/\bOK\b/.test(registration)) {
        control.close();
        throw new RegistrationRefused(`${options.user}'s registration was refused: ${registration.trim()}`);
      }
      return phone;
    } catch (error) {
      kill(child);
      if (error instanceof RegistrationRefused) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      const logTail = readFileSync(join(dir, 'baresip.log'), 'utf8').split('\n').slice(-15).join('\n');
      throw new Error(`${String(error)}\nbaresip's log (${dir}):\n${logTail}`);
    }
  }

  /** Dials a number at its Asterisk; resolves once the call is answered. */
  async dial(number: string): Promise<void> {
    const from = this.control.events.length;
    await this.control.command('dial', `sip:${number}@127.0.0.1:${this.serverPort}`);
    const outcome = await this.nextEvent(from, ['CALL_ESTABLISHED', 'CALL_CLOSED'], `${this.user}'s call to ${number} to be answered`);
    if (outcome.type === 'CALL_CLOSED') throw new Error(`${this.user}'s call to ${number} failed: ${outcome.param ?? ''}`);
  }

  /** Answers the call ringing on the phone (waits for it to ring); resolves once it is established. */
  async answer(): Promise<void> {
    const since = this.control.events.map((e) => e.type).lastIndexOf('CALL_CLOSED') + 1;
    await this.nextEvent(since, ['CALL_INCOMING'], `a call to ring on ${this.user}`);
    await this.control.command('accept');
    await this.nextEvent(since, ['CALL_ESTABLISHED'], `${this.user}'s answered call to be established`);
  }

  /** Declines the call ringing on the phone (waits for it to ring); resolves once it has ended. */
  async decline(): Promise<void> {
    const since = this.control.events.map((e) => e.type).lastIndexOf('CALL_CLOSED') + 1;
    await this.nextEvent(since, ['CALL_INCOMING'], `a call to ring on ${this.user}`);
    await this.control.command('hangup');
    await this.nextEvent(since, ['CALL_CLOSED'], `${this.user}'s declined call to end`);
  }

  /** Keys DTMF as RFC 2833 events, one key at a time, spaced as a person keys them. */
  async dtmf(keys: string): Promise<void> {
    for (const key of keys) {
      await this.control.command('sndcode', key);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async hangup(): Promise<void> {
    const from = this.control.events.length;
    await this.control.command('hangup');
    await this.nextEvent(from, ['CALL_CLOSED'], `${this.user}'s call to end`);
  }

  /** Resolves once the phone's current call has ended, whoever ended it. */
  async callEnded(timeoutMs = 15000): Promise<void> {
    const established = this.control.events.map((e) => e.type).lastIndexOf('CALL_ESTABLISHED');
    await this.nextEvent(established + 1, ['CALL_CLOSED'], `${this.user}'s call to end`, timeoutMs);
  }

  /** What the phone receives over the next `ms` milliseconds of its current call. */
  async listen(ms: number): Promise<Audio> {
    const before = this.recording().samples.length;
    await new Promise((resolve) => setTimeout(resolve, ms));
    const after = this.recording();
    return { sampleRate: after.sampleRate, samples: after.samples.subarray(before) };
  }

  /** Ends the process (its calls and registration with it): SIGTERM, then SIGKILL, by PID. */
  async stop(): Promise<void> {
    this.control.close();
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      process.kill(this.child.pid!, 'SIGTERM');
      const timer = setTimeout(() => kill(this.child), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The decoded audio of the current call so far (sndfile writes one WAV per call, as it arrives). */
  private recording(): Audio {
    const dir = join(this.dir, 'recordings');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('-dec.wav'))
      .sort();
    const latest = files[files.length - 1];
    if (!latest) throw new Error(`${this.user} has recorded nothing (no call with audio yet)`);
    return readWav(readFileSync(join(dir, latest)));
  }

  private nextEvent(from: number, types: string[], what: string, timeoutMs = 15000): Promise<BaresipEvent> {
    const events = this.control.events;
    return this.control.waitFor((e) => types.includes(e.type) && events.indexOf(e) >= from, timeoutMs, what);
  }
}

/** The registrar refused the phone (a wrong password, a user that is not a phone). */
export class RegistrationRefused extends Error {}

function withoutColours(text: string): string {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes begin with ESC
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

function kill(child: ChildProcess): void {
  if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
}

/**
 * baresip's config: no sound card (aufile is the microphone, sndfile records what comes in,
 * aubridge is a player that goes nowhere), every codec the demo endpoints allow, loopback only.
 */
function baresipConfig(
  dir: string,
  { sipPort, controlPort, rtpStart, sampleRate }: { sipPort: number; controlPort: number; rtpStart: number; sampleRate: number },
): string {
  return `${[
    `sip_listen 127.0.0.1:${sipPort}`,
    `rtp_ports ${rtpStart}-${rtpStart + RTP_PORTS_PER_PHONE - 1}`,
    `audio_source aufile,${join(dir, 'microphone.wav')}`,
    'audio_player aubridge,nowhere',
    'audio_alert aubridge,nowhere',
    `ausrc_srate ${sampleRate}`,
    `auplay_srate ${sampleRate}`,
    'ausrc_channels 1',
    'auplay_channels 1',
    'call_local_timeout 120',
    `snd_path ${join(dir, 'recordings')}`,
    `ctrl_tcp_listen 127.0.0.1:${controlPort}`,
    'module_path /usr/lib/baresip/modules',
    'module g711.so',
    'module g722.so',
    'module aufile.so',
    'module aubridge.so',
    'module sndfile.so',
    'module_tmp account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
  ].join('\n')}\n`;
}
