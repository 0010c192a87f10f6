import { loadSettings } from '../config/loadSettings';

/**
 * The container's HEALTHCHECK: asks the running app's GET /health, at the address the settings
 * file gives (CONFERENCE_CONFIG), and exits 0 on 200 (ok or degraded), 1 otherwise, saying why.
 */
async function probe(): Promise<number> {
  const path = process.env.CONFERENCE_CONFIG ?? 'config/conference.json';
  const loaded = loadSettings(path);
  if (!loaded.ok) return fail(`invalid settings: ${loaded.errors.join('; ')}`);
  const { enabled, host, port } = loaded.settings.api;
  if (!enabled) return fail(`api.enabled is off in ${path}: no /health to ask`);
  // An API bound to every address answers on loopback too.
  const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const url = `http://${target.includes(':') ? `[${target}]` : target}:${port}/health`;
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(3000) });
    const body = await answer.text();
    process.stdout.write(`${body}\n`);
    return answer.status === 200 ? 0 : fail(`${url} answered ${answer.status}`);
  } catch (error) {
    return fail(`${url}: ${String((error as Error).cause ?? error)}`);
  }
}

function fail(reason: string): number {
  process.stderr.write(`unhealthy: ${reason}\n`);
  return 1;
}

void probe().then((status) => {
  process.exitCode = status;
});
