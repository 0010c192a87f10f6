import { KeyedSerialQueue } from '../../src/util/keyedSerialQueue';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('keyed serial queue', () => {
  it("runs one key's tasks in order, one at a time, and other keys alongside", async () => {
    const queue = new KeyedSerialQueue();
    const log: string[] = [];
    const task = (name: string) => async (): Promise<string> => {
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([queue.run('a', task('a1')), queue.run('a', task('a2')), queue.run('b', task('b1'))]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('a1 end')).toBeLessThan(log.indexOf('a2 start'));
    expect(log.indexOf('b1 start')).toBeLessThan(log.indexOf('a1 end'));
  });

  it('goes on after a failed task, and forgets idle keys', async () => {
    const queue = new KeyedSerialQueue();
    const failed = queue.run('a', async () => {
      throw new Error('boom');
    });
    const next = queue.run('a', async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    await tick();
    expect(queue.size).toBe(0);
  });
});
