import { join } from 'node:path';
import { ariCredentials } from './asteriskEnv';
import { describeDial, dial, DialOptions } from './dialer';
import { VERSION } from '../version';

const USAGE = `usage: conference --version
       conference dial <number> [--pin DIGITS] [--room DIGITS] [--context from-internal|from-external] [--caller-id NUMBER] [--timeout SECONDS]
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
    if (!name || !rest[i]?.startsWith('--') || !(name in flags || name === 'room') || value === undefined) return { ok: false, message: `bad option ${rest[i] ?? ''}\n${USAGE}` };
    flags[name] = value;
  }
  const { pin = '', room, context = '', timeout = '' } = flags;
  if (!/^[0-9]*$/.test(pin)) return { ok: false, message: '--pin must be digits' };
  if (room !== undefined && !/^[0-9]{3,4}$/.test(room)) return { ok: false, message: '--room must be 3 or 4 digits' };
  if (context !== 'from-internal' && context !== 'from-external') return { ok: false, message: '--context must be from-internal or from-external' };
  if (!/^[0-9]+$/.test(timeout) || Number(timeout) < 1) return { ok: false, message: '--timeout must be a whole number of seconds' };
  return { ok: true, options: { number, room, pin, context, callerId: flags['caller-id'] ?? '201', timeoutMs: Number(timeout) * 1000 } };
}

/** The `conference` command; resolves with the exit status. */
export async function main(args: readonly string[]): Promise<number> {
  if (args.length === 1 && args[0] === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
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
