import { AddOutcome } from '../app/ports';
import { addChannelFailure } from './errors';

/** What a batch of joins needs from Asterisk. */
export interface BatchAri {
  /** Every channel into the bridge with one request; rejects as that request failed. */
  addAll(bridgeId: string, channelIds: readonly string[]): Promise<void>;
  /** One channel into the bridge, with its outcome. */
  addOne(bridgeId: string, channelId: string): Promise<AddOutcome>;
  /** The channels in the bridge now, or undefined when it is gone. */
  channelsIn(bridgeId: string): Promise<readonly string[] | undefined>;
}

/**
 * Asterisk adds a list's channels one after the other, in one of its HTTP threads: 100 callers
 * of one room in one request joined slower at the tail (p99) than in several side by side.
 */
const MOST_PER_REQUEST = 10;

interface Waiting {
  readonly channelId: string;
  readonly resolve: (outcome: AddOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Callers of one room whose keys came in together go into its bridge with one `addChannel`
 * (ARI takes a list of channels): a storm of 100 callers over 10 rooms is a few requests per
 * room, not 100 (docs/PERFORMANCE.md). A batch is what the app's handling of one read of the
 * event socket asked for: it goes out once that handling is done (process.nextTick runs after
 * the promise jobs it set off), so no join waits for a later event.
 * Asterisk looks every channel of the list up before adding any (a caller who hung up: 400 or
 * 422, nobody added), then adds them one by one (a channel being recorded: 409, the rest not
 * added). A failed batch is sorted out from what the bridge holds; the others are added one at
 * a time, each with its own outcome, as a caller alone is.
 */
export class JoinBatches {
  private readonly gathering = new Map<string, Waiting[]>();

  constructor(private readonly ari: BatchAri) {}

  add(bridgeId: string, channelId: string): Promise<AddOutcome> {
    return new Promise<AddOutcome>((resolve, reject) => {
      const batch = this.gathering.get(bridgeId);
      if (batch && batch.length < MOST_PER_REQUEST) {
        batch.push({ channelId, resolve, reject });
        return;
      }
      const gathered: Waiting[] = [{ channelId, resolve, reject }];
      this.gathering.set(bridgeId, gathered);
      process.nextTick(() => {
        if (this.gathering.get(bridgeId) === gathered) this.gathering.delete(bridgeId);
        void this.send(bridgeId, gathered);
      });
    });
  }

  private async send(bridgeId: string, batch: readonly Waiting[]): Promise<void> {
    if (batch.length === 1) return this.addOne(bridgeId, batch[0]!);
    try {
      await this.ari.addAll(
        bridgeId,
        batch.map((join) => join.channelId),
      );
      for (const join of batch) join.resolve('added');
      return;
    } catch (error) {
      if (addChannelFailure(error) === 'bridge-gone') {
        for (const join of batch) join.resolve('bridge-gone');
        return;
      }
    }
    const inBridge = new Set(await this.ari.channelsIn(bridgeId).catch(() => undefined));
    for (const join of batch) {
      if (inBridge.has(join.channelId)) join.resolve('added');
      else this.addOne(bridgeId, join);
    }
  }

  private addOne(bridgeId: string, join: Waiting): void {
    this.ari.addOne(bridgeId, join.channelId).then(join.resolve, join.reject);
  }
}
