import { Playbacks } from '../../src/ari/playbacks';
import type { AriCalls, BridgeCreation } from '../../src/ari/ariCalls';
import { createBridgeOps } from '../../src/ari/bridgeOps';
import { Settings } from '../../src/config/schema';
import { Logger } from '../../src/logger';

/** Asterisk's bridges as createBridge sees them: some ids still held by a channel stuck in Stasis. */
function ariWith(heldIds: string[]) {
  const created: Array<{ id: string; name: string }> = [];
  const ari = {
    createBridge: async (id: string, name: string): Promise<BridgeCreation> => {
      if (heldIds.includes(id)) return 'id-held';
      created.push({ id, name });
      return 'created';
    },
  } as unknown as AriCalls;
  return { ari, created };
}

function opsWith(ari: AriCalls) {
  const warnings: Array<Record<string, unknown>> = [];
  const log = { warn: (_message: string, meta: Record<string, unknown>) => warnings.push(meta) } as unknown as Logger;
  // Making a bridge reads no setting (music and tones do).
  const ops = createBridgeOps(
    ari,
    new Playbacks(ari, () => undefined),
    () => ({}) as Settings,
    log,
    () => undefined,
  );
  return { ops, warnings };
}

describe('bridge ops: making a room bridge', () => {
  it('makes the room bridge under its usual id and name', async () => {
    const { ari, created } = ariWith([]);
    const { ops, warnings } = opsWith(ari);
    await expect(ops.create('123')).resolves.toBe('conference-123');
    expect(created).toEqual([{ id: 'conference-123', name: 'conference-123' }]);
    expect(warnings).toEqual([]);
  });

  it('when Asterisk still holds the usual id, makes the bridge under another id with the usual name, and says so', async () => {
    const { ari, created } = ariWith(['conference-123']);
    const { ops, warnings } = opsWith(ari);
    const bridgeId = await ops.create('123');
    expect(bridgeId).toMatch(/^conference-123-[0-9a-f]{8}$/);
    expect(created).toEqual([{ id: bridgeId, name: 'conference-123' }]);
    expect(warnings).toEqual([{ event: 'bridge-id-held', room: '123', bridgeId }]);
  });
});
