import { setTimeout as delay } from 'node:timers/promises';
import { loadSettings } from './config/loadSettings';
import { SettingsStore } from './config/settingsStore';
import { createLogger } from './logger';
import { StateFileRefused } from './store/roomStore';
import { runtimeStatsReporter } from './runtimeStats';
import { ConferenceServer } from './server';
import { VERSION } from './version';

/**
 * A stop (SIGTERM, SIGINT) ends the process within 3 s in any state (README): the app's own stop
 * gets STOP_APP_MS, the log's last lines what is left until STOP_LOG_MS after the signal, and
 * Node's own exit the last second.
 */
const STOP_APP_MS = 1500;
const STOP_LOG_MS = 2000;
/**
 * The exit status when the settings or the state file are refused: starting again would only refuse
 * them again (make run's supervisor and the systemd unit do not).
 */
const FILES_REFUSED = 2;

/** The process: settings, logger, signals and exit statuses; the server (server.ts) builds the parts. */
function main(): void {
  const path = process.env.CONFERENCE_CONFIG ?? 'config/conference.json';
  const loaded = loadSettings(path);
  if (!loaded.ok) {
    for (const error of loaded.errors) process.stderr.write(`invalid settings: ${error}\n`);
    process.stderr.write('The conference server did not start. Fix the settings named above.\n');
    process.exit(FILES_REFUSED);
  }
  const { log, close: closeLog } = createLogger(loaded.settings.log.level);
  const store = new SettingsStore(path, loaded);
  store.on('rejected', (errors) => log.error('settings file refused; the settings in force stay', { event: 'settings-rejected', errors }));
  store.watch();

  const app = new ConferenceServer(store, log);
  log.info('starting', { event: 'starting', version: VERSION, config: path, ari: loaded.settings.ari.url, app: loaded.settings.ari.app });
  app.start().catch((error: unknown) => {
    log.error('could not start', { event: 'start-failed', error: String(error) });
    const status = error instanceof StateFileRefused ? FILES_REFUSED : 1;
    process.exitCode = status;
    void app.stop().then(() => process.exit(status));
  });

  // A slip in one call's handling must not end every conference on the server: log it, go on.
  process.on('unhandledRejection', (reason: unknown) => {
    log.error('unhandled rejection', { event: 'unhandled-rejection', error: String(reason) });
  });
  process.on('SIGHUP', () => store.reload());
  // logrotate: rename the events log, then SIGHUP or SIGUSR1 (which also keeps Node's debugger shut).
  process.on('SIGHUP', () => void app.reopenEventsLog());
  process.on('SIGUSR1', () => void app.reopenEventsLog());
  const runtimeStats = runtimeStatsReporter();
  process.on('SIGUSR2', () => log.info('runtime stats', { event: 'runtime-stats', ...runtimeStats() }));
  const shutdown = async (signal: string): Promise<void> => {
    const logDeadline = Date.now() + STOP_LOG_MS;
    log.info('stopping', { event: 'stopping', signal });
    store.unwatch();
    // Whatever might still hold the process (a write that never returns) does not hold it past the budget.
    setTimeout(() => process.exit(0), STOP_LOG_MS + 200).unref();
    try {
      const late = await Promise.race([app.stop().then(() => false), delay(STOP_APP_MS, true)]);
      if (late) log.warn(`the app did not stop within ${STOP_APP_MS} ms; ending anyway`, { event: 'stop-timeout' });
    } catch (error) {
      log.error('stop failed', { event: 'stop-failed', error: String(error) });
    }
    log.info('stopped', { event: 'stopped' });
    await closeLog(logDeadline);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main();
