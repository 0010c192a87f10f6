import { DialplanSettings } from '../../src/app/dialplanSettings';
import { DialplanReport, DialplanValues, DialplanValueStore } from '../../src/app/ports';
import { WriteHealth } from '../../src/app/writeHealth';
import { Logger } from '../../src/logger';

/** Asterisk's database as the dialplan reports it: what it held before each write, and what it takes. */
class FakeDatabase implements DialplanValueStore {
  held: DialplanValues = { number: '', app: '' };
  /** A database that keeps what it held (func_db not loaded). */
  refuses = false;
  /** No report at all (the context missing from the dialplan). */
  silent = false;

  async write(values: DialplanValues): Promise<DialplanReport> {
    if (this.silent) throw new Error('no report from the dialplan context conference-settings within 5 s');
    const found = this.held;
    if (!this.refuses) this.held = values;
    return { found, now: this.held };
  }

  claim(): boolean {
    return false;
  }
}

function setUp(number = '88') {
  const database = new FakeDatabase();
  const logged: Array<{ level: string; meta: Record<string, unknown> }> = [];
  const entry = (level: string) => (_message: string, meta: Record<string, unknown>) => logged.push({ level, meta });
  const log = { info: entry('info'), warn: entry('warn'), debug: entry('debug') } as unknown as Logger;
  const health = new WriteHealth('number', () => 0);
  const settings = new DialplanSettings(
    database,
    'conference',
    () => number,
    () => false,
    health,
    log,
  );
  const events = (): unknown[] => logged.map((line) => line.meta.event);
  return { database, settings, health, logged, events };
}

describe("the server number and app name in Asterisk's database", () => {
  let stop: () => void = () => undefined;
  afterEach(() => stop());

  it('stores them and logs what the database held before', async () => {
    const { database, settings, health, logged } = setUp();
    stop = () => settings.stop();
    database.held = { number: '77', app: 'conference' };
    await settings.store();
    expect(database.held).toEqual({ number: '88', app: 'conference' });
    expect(logged).toEqual([
      {
        level: 'info',
        meta: { event: 'dialplan-settings-stored', number: '88', app: 'conference', previous: { number: '77', app: 'conference' } },
      },
    ]);
    expect(health.failure).toBeUndefined();
  });

  it('repairs a drift at the next check and names what had drifted', async () => {
    const { database, settings, logged, events } = setUp();
    stop = () => settings.stop();
    await settings.store();
    await settings.store();
    database.held = { number: '99', app: 'conference' };
    await settings.store();
    expect(events()).toEqual(['dialplan-settings-stored', 'dialplan-settings-checked', 'dialplan-settings-repaired']);
    expect(logged[2]).toEqual({
      level: 'warn',
      meta: {
        event: 'dialplan-settings-repaired',
        drifted: ['number'],
        found: { number: '99', app: 'conference' },
        stored: { number: '88', app: 'conference' },
      },
    });
    expect(database.held).toEqual({ number: '88', app: 'conference' });
  });

  it('tells health when the database does not take them, naming what it holds', async () => {
    const { database, settings, health, events } = setUp();
    stop = () => settings.stop();
    database.refuses = true;
    await settings.store();
    expect(health.failure?.path).toBe('AstDB conference/number, conference/app');
    expect(health.failure?.cause).toBe('Asterisk\'s database did not take them (is func_db loaded?): it holds number "", app ""');
    expect(events()).toEqual([]);

    database.refuses = false;
    await settings.store();
    expect(health.failure).toBeUndefined();
    // Stored anew after a failure, not checked: the log says so.
    expect(events()).toEqual(['dialplan-settings-stored']);
  });

  it('tells health why a write failed', async () => {
    const { database, settings, health } = setUp();
    stop = () => settings.stop();
    database.silent = true;
    await settings.store();
    expect(health.failure?.cause).toBe('no report from the dialplan context conference-settings within 5 s');
  });
});
