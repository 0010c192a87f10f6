import { join } from 'node:path';
import { loadSettings } from '../config/loadSettings';
import { ariCredentials } from './asteriskEnv';
import { describeDial, dial, DialOptions } from './dialer';
import { doctor, DoctorOptions } from './doctor';
import { describeFindings } from './finding';
import { VERSION } from '../version';

const DOCTOR_USAGE = `usage: conference doctor [--internal CONTEXT]... [--external CONTEXT]... [--asterisk-cli COMMAND] [--config FILE]
  Checks an Asterisk the conference server was added to (docs/INSTALL-ASTERISK.md): ARI, its
  credentials, the modules, the Stasis app, the prompts, and that each of your contexts reaches
  the server number's forms with nothing of yours in the way. Settings: --config, else
  CONFERENCE_CONFIG, else config/conference.json (ARI_URL, ARI_USER, ARI_PASSWORD override it).
  The dialplan is read with --asterisk-cli (default "asterisk -rx"). Exit status 0 only when clean.`;

const USAGE = `usage: conference --version
       conference doctor [--internal CONTEXT]... [--external CONTEXT]... (alone: its usage)
       conference dial <number> [--pin DIGITS] [--room DIGITS] [--context from-internal|from-external]
                       [--caller-id NUMBER] [--timeout SECONDS]
  Places a test call through the real dialplan over ARI (credentials: ARI_URL, ARI_USER,
  ARI_PASSWORD, or scripts/asterisk.sh env), keys the room and PIN when asked, prints what
  the caller heard and where it ended up, then hangs up. Exit status 0 only when it joined.`;

export type ParsedArgs = { ok: true; options: DialOptions } | { ok: false; message: string };

/** `dial <number> [flags]`, pure. */
export function parseDialArgs(args: readonly string[]): ParsedArgs {
  const [command, number, ...rest] = args;
  if (command !== 'dial') return { ok: false, message: USAGE };
  if (!number || !/^[0-9]+$/.test(number)) return { ok: false, message: `the number to dial must be digits\n${USAGE}` };
  const flags: Record<string, string> = { pin: '', context: 'from-internal', 'caller-id': '201', timeout: '30' };
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i]?.replace(/^--/, '');
    const value = rest[i + 1];
    if (!name || !rest[i]?.startsWith('--') || !(name in flags || name === 'room') || value === undefined)
      return { ok: false, message: `bad option ${rest[i] ?? ''}\n${USAGE}` };
    flags[name] = value;
  }
  const { pin = '', room, context = '', timeout = '' } = flags;
  if (!/^[0-9]*$/.test(pin)) return { ok: false, message: '--pin must be digits' };
  if (room !== undefined && !/^[0-9]{3,4}$/.test(room)) return { ok: false, message: '--room must be 3 or 4 digits' };
  if (context !== 'from-internal' && context !== 'from-external')
    return { ok: false, message: '--context must be from-internal or from-external' };
  if (!/^[0-9]+$/.test(timeout) || Number(timeout) < 1) return { ok: false, message: '--timeout must be a whole number of seconds' };
  return { ok: true, options: { number, room, pin, context, callerId: flags['caller-id'] ?? '201', timeoutMs: Number(timeout) * 1000 } };
}

export type ParsedDoctorArgs = { ok: true; options: DoctorOptions; config: string | undefined } | { ok: false; message: string };

/** `doctor [flags]`, pure. */
export function parseDoctorArgs(args: readonly string[]): ParsedDoctorArgs {
  const internal: string[] = [];
  const external: string[] = [];
  let asteriskCli = 'asterisk -rx';
  let config: string | undefined;
  for (let i = 1; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined || value === '') return { ok: false, message: `${flag ?? ''} needs a value\n${DOCTOR_USAGE}` };
    if ((flag === '--internal' || flag === '--external') && !/^[A-Za-z0-9_.-]+$/.test(value))
      return { ok: false, message: `${flag}: a context name is letters, digits, '.', '-' or '_' (was '${value}')` };
    if (flag === '--internal') internal.push(value);
    else if (flag === '--external') external.push(value);
    else if (flag === '--asterisk-cli') asteriskCli = value;
    else if (flag === '--config') config = value;
    else return { ok: false, message: `bad option ${flag ?? ''}\n${DOCTOR_USAGE}` };
  }
  if (internal.length + external.length === 0)
    return {
      ok: false,
      message: `name the contexts where your calls arrive (--internal for phones, --external for trunks)\n${DOCTOR_USAGE}`,
    };
  return { ok: true, options: { internal, external, asteriskCli }, config };
}

async function runDoctor(args: readonly string[]): Promise<number> {
  const parsed = parseDoctorArgs(args);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message}\n`);
    return 2;
  }
  const path = parsed.config ?? process.env.CONFERENCE_CONFIG ?? 'config/conference.json';
  const loaded = loadSettings(path);
  if (!loaded.ok) {
    process.stderr.write(`${loaded.errors.map((error) => `invalid settings: ${error}`).join('\n')}\n`);
    return 2;
  }
  const findings = await doctor(loaded.settings, parsed.options);
  process.stdout.write(`${describeFindings(findings)}\n`);
  return findings.every((f) => f.ok) ? 0 : 1;
}

/** The `conference` command; resolves with the exit status. */
export async function main(args: readonly string[]): Promise<number> {
  if (args.length === 1 && args[0] === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (args[0] === 'doctor') return runDoctor(args);
  const parsed = parseDialArgs(args);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message}\n`);
    return 2;
  }
  try {
    const result = await dial(ariCredentials(process.env, join(__dirname, '..', '..')), parsed.options);
    process.stdout.write(`${describeDial(result)}\n`);
    return result.outcome.kind === 'joined' ? 0 : 1;
  } catch (error) {
    process.stderr.write(`dial failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
