import { validateSettings } from '../../src/config/loadSettings';
import { RESTART_SETTINGS, restartNeeded } from '../../src/config/restartNeeded';
import { Settings } from '../../src/config/schema';

function settings(raw: object, env: NodeJS.ProcessEnv = {}): Settings {
  const result = validateSettings(raw, 'f.json', env);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.settings;
}

describe('settings that apply at the next restart', () => {
  it('are the ones the app reads once at start: ARI, the state file, the shared store, and where the status API listens', () => {
    expect(RESTART_SETTINGS).toEqual([
      'ari.url',
      'ari.username',
      'ari.password',
      'ari.app',
      'ari.maxConnections',
      'ari.requestTimeoutMs',
      'stateFile',
      'store.url',
      'store.password',
      'store.node',
      'store.sipAddress',
      'store.leaseSeconds',
      'api.enabled',
      'api.host',
      'api.port',
    ]);
  });

  it('names exactly the restart-only settings that changed', () => {
    const before = settings({});
    const after = settings({ ari: { url: 'http://127.0.0.1:9088', requestTimeoutMs: 500 }, api: { port: 9090 }, number: '77' });
    expect(restartNeeded(after, before)).toEqual(['ari.url', 'ari.requestTimeoutMs', 'api.port']);
  });

  it('names none when only live settings changed (api.token is read per request)', () => {
    const before = settings({});
    const after = settings({ api: { token: 'a-token-of-16-chars' }, log: { level: 'debug' }, eventsLog: { path: 'events.jsonl' } });
    expect(restartNeeded(after, before)).toEqual([]);
    expect(restartNeeded(before, before)).toEqual([]);
  });

  it('names a changed password by its setting', () => {
    const before = settings({}, { ARI_PASSWORD: 'first-secret' });
    const after = settings({}, { ARI_PASSWORD: 'second-secret' });
    expect(restartNeeded(after, before)).toEqual(['ari.password']);
  });
});
