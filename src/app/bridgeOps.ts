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
    // Music and tones are comfort, not the call: a failure is reported and the call goes on.
    startMoh: async (bridgeId) => {
      await ari.startBridgeMoh(bridgeId, settings().sounds.musicOnHoldClass).catch((error: unknown) => onError(error, bridgeId));
    },
    stopMoh: async (bridgeId) => {
      await ari.stopBridgeMoh(bridgeId).catch((error: unknown) => onError(error, bridgeId));
    },
    playToBridge: async (bridgeId, media) => {
      await ari.playOnBridge(bridgeId, randomUUID(), [media]).catch((error: unknown) => onError(error, bridgeId));
    },
  };
}
