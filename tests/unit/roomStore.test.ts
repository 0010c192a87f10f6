import { mkdtempSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPin } from '../../src/domain/pinHash';
import { parseRoomState, RoomStore, STATE_FORMAT_VERSION, StateFileRefused } from '../../src/store/roomStore';
import { WriteHealth } from '../../src/app/writeHealth';

const health = (): WriteHealth => new WriteHealth('stateFile', Date.now);

function stored(path: string): Record<string, unknown> {
  return (JSON.parse(readFileSync(path, 'utf8')) as { rooms: Record<string, unknown> }).rooms;
}

describe("parseRoomState (the state file's formats)", () => {
  const pin = { salt: 'c2FsdA', hash: 'aGFzaA' };

  it('reads the current format, version 1', () => {
    expect(parseRoomState(JSON.stringify({ version: 1, rooms: { '123': pin } }))).toEqual({ ok: true, pins: new Map([['123', pin]]) });
  });

  it('reads the format before it, without a version, as before', () => {
    expect(parseRoomState(JSON.stringify({ rooms: { '123': pin, '4567': pin } }))).toEqual({
      ok: true,
      pins: new Map([
        ['123', pin],
        ['4567', pin],
      ]),
    });
  });

  it('skips a room whose PIN is not a salt and a hash, and takes a file without rooms as empty', () => {
    expect(parseRoomState(JSON.stringify({ version: 1, rooms: { '123': { salt: 1 }, '124': null, '125': pin } }))).toEqual({
      ok: true,
      pins: new Map([['125', pin]]),
    });
    expect(parseRoomState('{}')).toEqual({ ok: true, pins: new Map() });
  });

  it('refuses a version it does not know, newer or not a version at all, and says which', () => {
    expect(parseRoomState(JSON.stringify({ version: 2, rooms: { '123': pin } }))).toEqual({ ok: false, version: 2 });
    expect(parseRoomState(JSON.stringify({ version: '1', rooms: {} }))).toEqual({ ok: false, version: '1' });
    expect(parseRoomState(JSON.stringify({ version: null }))).toEqual({ ok: false, version: null });
  });

  it('throws on text that is not JSON', () => {
    expect(() => parseRoomState('{not json')).toThrow(SyntaxError);
  });
});

describe('RoomStore (room PINs kept over a restart)', () => {
  let dir: string;
  let errors: unknown[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'room-store-'));
    errors = [];
  });

  it('writes every change, hashed, readable by the owner only, and a new store reads it back', async () => {
    const path = join(dir, 'state', 'rooms.json');
    const store = new RoomStore(path, health(), (error) => errors.push(error));
    const pin = hashPin('1234');
    void store.set('123', pin);
    void store.set('456', hashPin('99'));
    store.delete('456');
    await store.written();
    expect(stored(path)).toEqual({ '123': pin });
    expect(readFileSync(path, 'utf8')).not.toContain('1234');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(new RoomStore(path, health(), (error) => errors.push(error)).load()).toEqual(new Map([['123', pin]]));
    expect(errors).toEqual([]);
  });

  it('answers a PIN set once the file holds it: the first caller joins only then', async () => {
    const path = join(dir, 'rooms.json');
    const store = new RoomStore(path, health(), (error) => errors.push(error));
    const pin = hashPin('1');
    await store.set('123', pin);
    expect(stored(path)).toEqual({ '123': pin });
  });

  it('writes a change made while a write is under way once that write is done', async () => {
    const path = join(dir, 'rooms.json');
    const store = new RoomStore(path, health(), (error) => errors.push(error));
    void store.set('123', hashPin('1'));
    await new Promise((resolve) => setImmediate(resolve));
    void store.set('124', hashPin('2'));
    await store.written();
    expect(Object.keys(stored(path)).sort()).toEqual(['123', '124']);
  });

  it('reports a write that fails once per cause, tries again, and says when one works', async () => {
    const told: string[] = [];
    const writes = new WriteHealth('stateFile', () => 0);
    writes.on('failing', (failure) => told.push(`failing ${failure.cause}`));
    writes.on('recovered', () => told.push('recovered'));
    const folder = join(dir, 'state');
    writeFileSync(folder, '');
    const path = join(folder, 'rooms.json');
    const store = new RoomStore(path, writes, (error) => errors.push(error));
    void store.set('123', hashPin('1'));
    await store.written();
    void store.set('124', hashPin('2'));
    await store.written();
    expect(writes.failure).toMatchObject({ setting: 'stateFile', path, cause: expect.stringContaining('EEXIST') });
    expect(writes.failures).toBe(2);
    expect(told).toEqual([expect.stringContaining('failing EEXIST')]);

    unlinkSync(folder);
    void store.set('125', hashPin('3'));
    await store.written();
    expect(writes.failure).toBeUndefined();
    expect(told).toHaveLength(2);
    expect(told[1]).toBe('recovered');
    expect(Object.keys(stored(path)).sort()).toEqual(['123', '124', '125']);
    await store.close();
    expect(errors).toEqual([]);
  });

  it('writes the format version', async () => {
    const path = join(dir, 'rooms.json');
    const store = new RoomStore(path, health(), (error) => errors.push(error));
    void store.set('123', hashPin('1'));
    await store.written();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ version: STATE_FORMAT_VERSION });
  });

  it('refuses a file of a newer format with a message naming the file and the version, and never writes over it', async () => {
    const path = join(dir, 'rooms.json');
    const text = JSON.stringify({ version: 2, rooms: { '123': { salt: 's', hash: 'h' } }, more: true });
    writeFileSync(path, text);
    const store = new RoomStore(path, health(), (error) => errors.push(error));
    expect(() => store.load()).toThrow(StateFileRefused);
    expect(() => store.load()).toThrow(`room state file ${path} has format version 2`);
    await store.close();
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(errors).toEqual([]);
  });

  it('starts empty from a missing file, and says so only of an unreadable one', () => {
    expect(new RoomStore(join(dir, 'missing.json'), health(), (error) => errors.push(error)).load().size).toBe(0);
    expect(errors).toEqual([]);
    writeFileSync(join(dir, 'bad.json'), '{not json');
    expect(new RoomStore(join(dir, 'bad.json'), health(), (error) => errors.push(error)).load().size).toBe(0);
    expect(errors).toHaveLength(1);
  });
});
