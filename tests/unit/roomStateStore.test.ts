import { EmbeddedRoomState } from '../../src/app/roomStateStore';
import { hashPin } from '../../src/domain/pinHash';

/** What the in-memory store adds to the contract every store keeps (tests/integration/sharedStore.test.ts): the state file. */
describe('room state store: the embedded one', () => {
  it('hands every PIN set to the state file, and takes it back when the number is released', async () => {
    const persisted: string[] = [];
    const store = new EmbeddedRoomState({
      set: async (room) => void persisted.push(`set ${room}`),
      delete: (room) => persisted.push(`delete ${room}`),
    });
    await store.claim('123');
    await store.setPin('123', hashPin('1234'));
    await store.setPin('123', hashPin('9999'));
    await store.release('123');
    await store.release('123');
    expect(persisted).toEqual(['set 123', 'delete 123']);
  });

  it('answers a PIN set only once the state file has it', async () => {
    let written = (): void => undefined;
    const store = new EmbeddedRoomState({ set: () => new Promise((resolve) => (written = resolve)), delete: () => undefined });
    await store.claim('123');
    let answered = false;
    const setting = store.setPin('123', hashPin('1')).then(() => (answered = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    written();
    await setting;
    expect(answered).toBe(true);
  });
});
