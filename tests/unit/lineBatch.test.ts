import { LineBatch } from '../../src/util/lineBatch';

function destination() {
  const writes: Array<{ data: string; at: number }> = [];
  return { writes, write: (data: string) => writes.push({ data, at: Date.now() }) };
}

describe('LineBatch (log lines sharing one write)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('writes a burst of lines once, in order, the delay after the first', () => {
    const out = destination();
    const batch = new LineBatch(out, 20, 1024);
    batch.add('a\n');
    jest.advanceTimersByTime(15);
    batch.add('b\n');
    batch.add('c\n');
    jest.advanceTimersByTime(4);
    expect(out.writes).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(out.writes).toEqual([{ data: 'a\nb\nc\n', at: 20 }]);
  });

  it('writes at once when the bytes waiting reach the limit, and starts a new batch after', () => {
    const out = destination();
    const batch = new LineBatch(out, 20, 6);
    batch.add('aaa\n');
    batch.add('bbb\n');
    expect(out.writes).toEqual([{ data: 'aaa\nbbb\n', at: 0 }]);
    batch.add('c\n');
    jest.advanceTimersByTime(20);
    expect(out.writes.map((w) => w.data)).toEqual(['aaa\nbbb\n', 'c\n']);
  });

  it('flush hands over what waits now, and nothing when nothing waits', () => {
    const out = destination();
    const batch = new LineBatch(out, 20, 1024);
    batch.flush();
    batch.add('a\n');
    batch.flush();
    jest.advanceTimersByTime(100);
    expect(out.writes).toEqual([{ data: 'a\n', at: 0 }]);
  });
});
