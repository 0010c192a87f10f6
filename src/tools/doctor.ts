import { execFile } from 'node:child_process';
import { Settings } from '../config/schema';
import { answeringBlock, isMissingContext, parseDialplanShow } from './dialplanShow';
import { checkAri } from './doctorAri';
import { Finding, ok, problem } from './finding';

/** `conference doctor`: what an Asterisk the admin runs misses for the conference server (docs/INSTALL-ASTERISK.md). */
export interface DoctorOptions {
  /** The admin's contexts where internal phones, and trunk calls, arrive. */
  readonly internal: readonly string[];
  readonly external: readonly string[];
  /** A command that runs one Asterisk CLI command given after it, such as `asterisk -rx`. */
  readonly asteriskCli: string;
}

/** Runs one command in Asterisk's CLI through the admin's way to it; rejects when it cannot run. */
function runCli(asteriskCli: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'sh',
      ['-c', `${asteriskCli} "$1"`, 'conference-doctor', command],
      { timeout: 10000, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${stderr || stdout || error.message}`.trim().split('\n').slice(-1)[0]));
        else resolve(stdout);
      },
    );
  });
}

/** The server number's forms: the number alone, with a room of 3 digits, with one of 4. */
function numberForms(number: string): string[] {
  return [number, `${number}123`, `${number}1234`];
}

async function checkContext(
  cli: (command: string) => Promise<string>,
  context: string,
  ours: 'conference-internal' | 'conference-external',
  number: string,
): Promise<Finding> {
  const kind = ours === 'conference-internal' ? 'internal' : 'external';
  const wrong = ours === 'conference-internal' ? 'conference-external' : 'conference-internal';
  for (const form of numberForms(number)) {
    const text = await cli(`dialplan show ${form}@${context}`);
    if (isMissingContext(text))
      return problem(
        `the context ${context} (--${kind}) is not in the dialplan`,
        'name a context where your calls arrive, as extensions.conf spells it',
      );
    const answering = answeringBlock(parseDialplanShow(text));
    if (answering?.context === ours) continue;
    if (answering?.context === wrong)
      return problem(
        `${context} includes ${wrong}: its callers would count as ${kind === 'internal' ? 'external' : 'internal'}`,
        `in [${context}], "include => ${ours}" instead of "include => ${wrong}"`,
      );
    if (!answering || !text.includes(`context '${ours}'`)) {
      return problem(
        `${context} does not include ${ours}: ` +
          `${form} dialled from it ${answering ? `goes to '${answering.answering[0]}' of ${answering.context}` : 'reaches nothing'}`,
        `add "include => ${ours}" to [${context}] in extensions.conf ` +
          `(add-to-asterisk.sh --${kind} ${context}), then asterisk -rx "dialplan reload"`,
      );
    }
    return problem(
      `the server number collides with your dialplan: ` +
        `${form} dialled from ${context} meets '${answering.answering[0]}' of ${answering.context} before ${ours}`,
      `give the server another number (setting number, and add-to-asterisk.sh --number), or move that extension; ` +
        `an include is searched only after the context's own extensions and the includes before it`,
    );
  }
  return ok(`${context} reaches the server (${numberForms(number).join(', ')}) as ${kind} callers`);
}

const CLI_FIX =
  'run the check where that command works (as root or in the asterisk group), ' +
  'or name the way with --asterisk-cli, such as --asterisk-cli "docker exec <container> asterisk -rx"';

async function checkDialplan(settings: Settings, options: DoctorOptions): Promise<Finding[]> {
  const cli = (command: string): Promise<string> => runCli(options.asteriskCli, command);
  let settingsContext: string;
  try {
    settingsContext = await cli('dialplan show conference-settings');
  } catch (error) {
    return [problem(`cannot read Asterisk's dialplan with '${options.asteriskCli}' (${(error as Error).message})`, CLI_FIX)];
  }
  if (isMissingContext(settingsContext))
    return [
      problem(
        'the conference contexts are not in the dialplan (no conference-settings)',
        'add "#include extensions_conference.conf" to extensions.conf (add-to-asterisk.sh), then asterisk -rx "dialplan reload"',
      ),
    ];
  // `asterisk -rx` with no Asterisk to talk to says so on stdout, and may still exit 0.
  if (!settingsContext.includes("Context 'conference-settings'")) {
    const said = settingsContext.trim().split('\n')[0] ?? 'nothing';
    return [problem(`cannot read Asterisk's dialplan with '${options.asteriskCli}' (it answered: ${said})`, CLI_FIX)];
  }
  const findings = [ok('the conference contexts are in the dialplan')];
  const number = settings.number;
  const entries = [
    ...(options.internal.length > 0 ? ['conference-internal' as const] : []),
    ...(options.external.length > 0 ? ['conference-external' as const] : []),
  ];
  for (const entry of entries) {
    const answering = answeringBlock(parseDialplanShow(await cli(`dialplan show ${number}123@${entry}`)));
    if (answering?.context !== entry)
      findings.push(
        problem(
          `${entry} does not answer the app's server number ${number} (its patterns are for another number)`,
          `add-to-asterisk.sh --number ${number}, then asterisk -rx "dialplan reload"`,
        ),
      );
  }
  if (findings.length > 1) return findings;
  for (const context of options.internal) findings.push(await checkContext(cli, context, 'conference-internal', number));
  for (const context of options.external) findings.push(await checkContext(cli, context, 'conference-external', number));
  return findings;
}

/** Every check, in the order an admin fixes things: ARI first, then the dialplan. */
export async function doctor(settings: Settings, options: DoctorOptions): Promise<Finding[]> {
  const ari = await checkAri(settings);
  return [...ari.findings, ...(await checkDialplan(settings, options))];
}
