import { BridgeOps } from '../src/app/ports';
import { NamePlays } from '../src/app/roomMedia';
import { bridgeIdFor } from '../src/domain/roomNumber';

const noop = (): Promise<void> => Promise.resolve();

/** Bridge operations that succeed at once: for room rules and their cost, where the bridge plays no part. */
export const instantBridges: BridgeOps = {
  create: (room) => Promise.resolve(bridgeIdFor(room)),
  destroy: noop,
  addChannel: () => Promise.resolve('added' as const),
  startMoh: noop,
  stopMoh: noop,
  playToBridge: noop,
  announce: () => ({ answered: Promise.resolve(), finished: Promise.resolve() }),
};

/** Rooms without spoken names: nothing to keep for an announcement. */
export const noSpokenNames: NamePlays = { playing: () => undefined };
