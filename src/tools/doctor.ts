import { execFile } from 'node:child_process';
import { Settings } from '../config/schema';
import { REFUSAL_SOUND, Sound } from '../app/media';
import { answeringBlock, isMissingContext, parseDialplanShow } from './dialplanShow';

/** `conference doctor`: what an Asterisk the admin runs misses for the conference server (docs/INSTALL-ASTERISK.md). */
export interface DoctorOptions {
  /** The admin's contexts where internal phones, and trunk calls, arrive. */
  readonly internal: readonly string[];
  readonly external: readonly string[];
  /** A command that runs one Asterisk CLI command given after it, such as `asterisk -rx`. */
  readonly asteriskCli: string;
}

/** One line of the report: what is right, or what is wrong with its cause and its fix. */
export interface Finding {
  readonly ok: boolean;
  readonly text: string;
}

const ok = (text: string): Finding => ({ ok: true, text });
const problem = (text: string, fix: string): Finding => ({ ok: false, text: `${text}. Fix: ${fix}` });

/** The modules the app cannot work without (autoload = no, or a noload =>, may leave one out). */
const MODULES = [
  'res_ari.so',
  'res_stasis.so',
  'app_stasis.so',
  'res_ari_applications.so',
  'res_ari_asterisk.so',
  'res_ari_bridges.so',
  'res_ari_channels.so',
  'res_ari_events.so',
  'res_ari_playbacks.so',
  'res_ari_sounds.so',
  'res_stasis_playback.so',
  'res_stasis_answer.so',
  'bridge_softmix.so',
  'app_playback.so',
  'func_db.so',
  'res_musiconhold.so',
];

/** Every prompt the app plays, as ARI names the sound (conference/join-tone). */
function prompts(): string[] {
  const media = [...Object.values(Sound), ...Object.values(REFUSAL_SOUND).flat()];
  return [...new Set(media.map((uri) => uri.replace(/^sound:/, '')))].sort();
}

interface AriAnswer {
  readonly status: number;
  readonly body: unknown;
}

async function ariGet(settings: Settings, path: string): Promise<AriAnswer> {
  const { url, username, password } = settings.ari;
  const response = await fetch(`${url}/ari${path}`, {
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body };
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

async function checkAri(settings: Settings): Promise<{ findings: Finding[]; reachable: boolean }> {
  const { url, username, app } = settings.ari;
  let info: AriAnswer;
  try {
    info = await ariGet(settings, '/asterisk/info');
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return {
      reachable: false,
      findings: [
        problem(
          `ARI unreachable at ${url} (${cause})`,
          `Asterisk's HTTP server must listen there: http.conf includes http_conference.conf (enabled, bindaddr, bindport), ` +
            `then asterisk -rx "module reload http"; or set ARI_URL to where it listens`,
        ),
      ],
    };
  }
  if (info.status === 401)
    return {
      reachable: false,
      findings: [
        problem(
          `ARI at ${url} refused the user '${username}' with its password (401 Unauthorized)`,
          `the app's ARI_PASSWORD must be the password in ari_conference.conf, ` +
            `which ari.conf includes (asterisk -rx "module reload res_ari.so" after a change)`,
        ),
      ],
    };
  if (info.status === 404)
    return {
      reachable: false,
      findings: [
        problem(
          `no ARI at ${url}/ari (404): the HTTP server answers, ARI does not`,
          'ari.conf [general] enabled = yes, and res_ari.so loaded (asterisk -rx "module load res_ari.so")',
        ),
      ],
    };
  if (info.status !== 200)
    return {
      reachable: false,
      findings: [problem(`ARI at ${url} answered ${info.status} to GET /ari/asterisk/info`, "see Asterisk's log")],
    };
  const findings = [ok(`ARI answers at ${url} as '${username}'`)];

  const modules = (await ariGet(settings, '/asterisk/modules')).body as Array<{ name: string; status: string }>;
  const running = new Set(modules.filter((m) => m.status === 'Running').map((m) => m.name));
  const missing = MODULES.filter((name) => !running.has(name));
  findings.push(
    missing.length === 0
      ? ok(`the modules the app needs run (${MODULES.length})`)
      : problem(
          `module(s) not running: ${missing.join(', ')}`,
          `asterisk -rx "module load <name>" for each, and no "noload => <name>" in modules.conf`,
        ),
  );

  const apps = (await ariGet(settings, '/applications')).body as Array<{ name: string }>;
  findings.push(
    apps.some((a) => a.name === app)
      ? ok(`the Stasis app '${app}' is connected`)
      : problem(
          `no Stasis app '${app}' is connected to ARI: ` +
            `the conference server is not running against this Asterisk, or its ari.app is another name`,
          'start it (docs/OPERATIONS.md), with ARI_URL, ARI_USER and ARI_PASSWORD of this Asterisk',
        ),
  );

  const all = prompts();
  const absent: string[] = [];
  for (const id of all) if ((await ariGet(settings, `/sounds/${encodeURIComponent(id)}`)).status !== 200) absent.push(id);
  findings.push(
    absent.length === 0
      ? ok(`the prompts are installed (${all.length})`)
      : problem(
          `prompts not installed: ${absent.join(', ')}`,
          "copy the release's sounds/ to <astdatadir>/sounds/en/conference (Debian: /usr/share/asterisk/sounds/en/conference); " +
            "the others come with Asterisk's core sounds (Debian: asterisk-core-sounds-en)",
        ),
  );
  return { findings, reachable: true };
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

export function describeFindings(findings: readonly Finding[]): string {
  const lines = findings.map((f) => `${f.ok ? 'ok   ' : 'WRONG'} ${f.text}`);
  const wrong = findings.filter((f) => !f.ok).length;
  lines.push(
    wrong === 0 ? 'clean: the conference server is installed on this Asterisk' : `${wrong} thing(s) to fix (above, each with its fix)`,
  );
  return lines.join('\n');
}
