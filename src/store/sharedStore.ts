import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { Settings } from '../config/schema';
import { StoreHealth } from '../app/conferenceAdmin';
import { Logger } from '../logger';
import { ClusterBus } from './clusterBus';
import { ValkeyGuardCounts } from './valkeyGuardCounts';
import { ValkeyRoomState } from './valkeyRoomState';

/** Every key the app writes starts with it, so the store may serve other uses too. */
const KEY_PREFIX = 'conference:';
/** A request to the store that has not been answered by then fails (the caller hears "service unavailable"). */
const COMMAND_TIMEOUT_MS = 2000;

/** The cluster's shared store (store.url): rooms, brute-force counts and requests between nodes, one client for all. */
export interface SharedStore {
  readonly node: string;
  readonly rooms: ValkeyRoomState;
  readonly counts: ValkeyGuardCounts;
  readonly bus: ClusterBus;
  health(): StoreHealth;
  close(): Promise<void>;
}

/**
 * Connects to the shared store. Requests fail at once while it is away (no queue of them waits
 * for a reconnect, which would hold callers in silence); the client reconnects by itself, and the
 * log says when the store goes away and when it is back.
 */
export function openSharedStore(settings: Settings['store'], log: Logger): SharedStore {
  const node = settings.node || hostname();
  const redis = new Redis(settings.url, {
    password: settings.password || undefined,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: COMMAND_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
  });
  let reachable: boolean | undefined;
  let lastError = 'connecting';
  let closing = false;
  const report = (now: boolean, error?: Error): void => {
    if (error) lastError = error.message;
    if (reachable === now || closing) return;
    reachable = now;
    if (now) log.info('shared store connected', { event: 'store-connected', node });
    else
      log.error('shared store unavailable: new callers hear "service unavailable"', { event: 'store-unavailable', node, error: lastError });
  };
  redis.on('ready', () => report(true));
  redis.on('error', (error: Error) => report(false, error));
  redis.on('end', () => report(false));
  const rooms = new ValkeyRoomState(redis, {
    node,
    sipAddress: settings.sipAddress,
    leaseMs: settings.leaseSeconds * 1000,
    prefix: KEY_PREFIX,
    onLost: (lost) =>
      log.error('rooms of this node taken over by another after their leases ran out', { event: 'rooms-lost', node, rooms: lost }),
  });
  const bus = new ClusterBus(redis, node, KEY_PREFIX, log);
  return {
    node,
    rooms,
    counts: new ValkeyGuardCounts(redis, KEY_PREFIX),
    bus,
    health: () => ({ node, reachable: reachable === true, error: reachable === true ? undefined : lastError }),
    async close() {
      closing = true;
      rooms.close();
      bus.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
