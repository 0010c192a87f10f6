import { WriteFailure, WriteHealth } from '../../src/app/writeHealth';

function watched(): { health: WriteHealth; told: string[] } {
  let now = 1000;
  const health = new WriteHealth('eventsLog.path', () => now++);
  const told: string[] = [];
  health.on('failing', (failure: WriteFailure) => told.push(`failing ${failure.path} ${failure.cause} since ${failure.since}`));
  health.on('recovered', (failure, detail) => told.push(`recovered from ${failure.cause} ${JSON.stringify(detail)}`));
  return { health, told };
}

describe('WriteHealth (a file the app writes: failing, and written again)', () => {
  it('tells a failure once per cause, however many writes fail, and counts every write', () => {
    const { health, told } = watched();
    health.failed('/var/log/c/events.jsonl', new Error('ENOENT: no such file or directory'));
    health.failed('/var/log/c/events.jsonl', new Error('ENOENT: no such file or directory'));
    health.failed('/var/log/c/events.jsonl', new Error('ENOSPC: no space left on device'));
    health.failed('/var/log/c/events.jsonl', new Error('ENOSPC: no space left on device'));
    expect(told).toEqual([
      'failing /var/log/c/events.jsonl ENOENT: no such file or directory since 1000',
      'failing /var/log/c/events.jsonl ENOSPC: no space left on device since 1001',
    ]);
    expect(health.failures).toBe(4);
    expect(health.failure).toEqual({
      setting: 'eventsLog.path',
      path: '/var/log/c/events.jsonl',
      cause: 'ENOSPC: no space left on device',
      since: 1001,
    });
  });

  it('tells the same cause again for another path', () => {
    const { health, told } = watched();
    health.failed('/a/events.jsonl', new Error('EACCES'));
    health.failed('/b/events.jsonl', new Error('EACCES'));
    expect(told).toHaveLength(2);
  });

  it('says once that writes work again, with what the owner adds; then a new failure is told anew', () => {
    const { health, told } = watched();
    health.succeeded();
    expect(told).toEqual([]);
    health.failed('/a', 'disk gone');
    health.succeeded({ linesWritten: 3, linesLost: 0 });
    health.succeeded({ linesWritten: 1, linesLost: 0 });
    health.failed('/a', 'disk gone');
    expect(told).toEqual([
      'failing /a disk gone since 1000',
      'recovered from disk gone {"linesWritten":3,"linesLost":0}',
      'failing /a disk gone since 1001',
    ]);
    expect(health.failure?.since).toBe(1001);
  });

  it('forgets a failure without a word once the file is no longer written', () => {
    const { health, told } = watched();
    health.failed('/a', 'disk gone');
    health.reset();
    expect(health.failure).toBeUndefined();
    expect(told).toEqual(['failing /a disk gone since 1000']);
  });
});
