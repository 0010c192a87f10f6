import { Settings } from '../config/schema';
import { REFUSAL_SOUND, Sound } from '../app/media';
import { Finding, ok, problem } from './finding';

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
  // Recording a room.
  'res_stasis_recording.so',
  'res_ari_recordings.so',
  'format_wav.so',
];

/** The modules these settings need: talk detection is Asterisk's TALK_DETECT. */
function modulesFor(settings: Settings): string[] {
  return settings.talkDetection.enabled ? [...MODULES, 'func_talkdetect.so'] : MODULES;
}

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

/** ARI reachable with the settings' credentials, the modules loaded, the app connected, the prompts installed. */
export async function checkAri(settings: Settings): Promise<{ findings: Finding[]; reachable: boolean }> {
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
  const needed = modulesFor(settings);
  const missing = needed.filter((name) => !running.has(name));
  findings.push(
    missing.length === 0
      ? ok(`the modules the app needs run (${needed.length})`)
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
