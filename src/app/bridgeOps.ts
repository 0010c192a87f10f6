import { AriCalls } from '../ari/ariCalls';
import { Settings } from '../config/schema';
import { BridgeOps } from './roomRegistry';
import { randomUUID } from 'node:crypto';

/** The room registry's view of Asterisk bridges, over ARI. */
export function createBridgeOps(ari: AriCalls, settings: () => Settings, onError: (error: unknown, where: string) => void): BridgeOps {
  return {
    create: (bridgeId) => ari.createBridge(bridgeId, bridgeId),
    destroy: async (bridgeId) => {
      await ari.destroyBridge(bridgeId);
    },
    addChannel: (bridgeId, channelId) => ari.addToBridge(bridgeId, channelId),
    startMoh: async (bridgeId) => {
      await ari.startBridgeMoh(bridgeId, settings().sounds.musicOnHoldClass);
    },
    stopMoh: async (bridgeId) => {
      await ari.stopBridgeMoh(bridgeId);
    },
    playToBridge: (bridgeId, media) => {
      ari.playOnBridge(bridgeId, randomUUID(), [media]).catch((error: unknown) => onError(error, bridgeId));
    },
  };
}
