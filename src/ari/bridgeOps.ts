import { randomUUID } from 'node:crypto';
import { BridgeOps } from '../app/ports';
import { Settings } from '../config/schema';
import { bridgeIdFor, spareBridgeIdFor } from '../domain/roomNumber';
import { Logger } from '../logger';
import { AriCalls } from './ariCalls';
import { JoinBatches } from './joinBatches';
import { Playbacks } from './playbacks';

/** The room registry's view of Asterisk bridges, over ARI. */
export function createBridgeOps(
  ari: AriCalls,
  playbacks: Pick<Playbacks, 'playOnBridge' | 'forgetChannel'>,
  settings: () => Settings,
  log: Logger,
  onError: (error: unknown, where: string) => void,
): BridgeOps {
  const joins = new JoinBatches({
    addAll: (bridgeId, channelIds) => ari.addAllToBridge(bridgeId, channelIds),
    addOne: (bridgeId, channelId) => ari.addToBridge(bridgeId, channelId),
    channelsIn: (bridgeId) => ari.channelsInBridge(bridgeId),
  });
  return {
    create: async (room) => {
      const usual = bridgeIdFor(room);
      if ((await ari.createBridge(usual, usual)) !== 'id-held') return usual;
      // A channel stuck in Stasis holds the room's last bridge, id and all, for up to 10 minutes
      // (docs/DECISIONS.md, "A bridge id Asterisk still holds"): the room gets a new bridge under
      // another id, with the same name.
      const spare = spareBridgeIdFor(room, randomUUID().slice(0, 8));
      const meta = { event: 'bridge-id-held', room, bridgeId: spare };
      log.warn("the room's usual bridge id is still held by Asterisk: another id is used", meta);
      if ((await ari.createBridge(spare, usual)) === 'id-held') throw new Error(`Asterisk holds bridge id ${spare} too`);
      return spare;
    },
    destroy: async (bridgeId) => {
      await ari.destroyBridge(bridgeId);
      // Announcements still queued there will never report back.
      playbacks.forgetChannel(bridgeId);
    },
    addChannel: (bridgeId, channelId) => joins.add(bridgeId, channelId),
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
    announce: (bridgeId, media) => playbacks.playOnBridge(bridgeId, media),
  };
}
