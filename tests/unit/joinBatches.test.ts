import type { AddOutcome } from '../../src/app/ports';
import { addChannelFailure, AriError } from '../../src/ari/errors';
import { BatchAri, JoinBatches } from '../../src/ari/joinBatches';

/**
 * Asterisk's bridges as addChannel sees them: `hungUp` channels are refused the way ARI does
 * (a list naming one: 422, nobody added), `recording` ones stop a list there (409).
 */
function asterisk(options: { bridges?: string[]; hungUp?: string[]; recording?: string[]; listFails?: boolean } = {}) {
  const bridges = new Map((options.bridges ?? ['b1', 'b2']).map((id) => [id, [] as string[]]));
  const requests: string[] = [];
  const refuse = (bridgeId: string, channelIds: readonly string[]): void => {
    const channels = bridges.get(bridgeId);
    if (!channels) throw new AriError(404, 'POST', `/bridges/${bridgeId}/addChannel`, 'Bridge not found');
    if (channelIds.some((id) => options.hungUp?.includes(id)))
      throw new AriError(422, 'POST', `/bridges/${bridgeId}/addChannel`, 'Channel not in Stasis application');
    for (const id of channelIds) {
      if (options.recording?.includes(id))
        throw new AriError(409, 'POST', `/bridges/${bridgeId}/addChannel`, `Channel ${id} currently recording`);
      channels.push(id);
    }
  };
  const ari: BatchAri = {
    addAll: async (bridgeId, channelIds) => {
      requests.push(`${bridgeId}: ${channelIds.join(',')}`);
      refuse(bridgeId, channelIds);
    },
    addOne: async (bridgeId, channelId): Promise<AddOutcome> => {
      requests.push(`${bridgeId}: ${channelId}`);
      try {
        refuse(bridgeId, [channelId]);
        return 'added';
      } catch (error) {
        return addChannelFailure(error)!;
      }
    },
    channelsIn: async (bridgeId) => {
      requests.push(`GET ${bridgeId}`);
      if (options.listFails) throw new AriError(0, 'GET', `/bridges/${bridgeId}`, 'socket hang up');
      return bridges.get(bridgeId);
    },
  };
  return { ari, bridges, requests };
}

describe('join batches: callers of one room keying together', () => {
  it('go into the bridge with one request per room; a caller alone, with one of their own', async () => {
    const { ari, bridges, requests } = asterisk();
    const batches = new JoinBatches(ari);
    const outcomes = await Promise.all([
      batches.add('b1', 'c1'),
      batches.add('b2', 'c2'),
      batches.add('b1', 'c3'),
      batches.add('b1', 'c4'),
    ]);
    expect(outcomes).toEqual(['added', 'added', 'added', 'added']);
    expect(requests).toEqual(['b1: c1,c3,c4', 'b2: c2']);
    expect(bridges.get('b1')).toEqual(['c1', 'c3', 'c4']);
  });

  it('gather what one turn of the app asked for: a join after it goes in the next request', async () => {
    const { ari, requests } = asterisk();
    const batches = new JoinBatches(ari);
    // As in the app, where a join is asked for from a promise job (after an await).
    await Promise.resolve();
    const first = [batches.add('b1', 'c1'), Promise.resolve().then(() => batches.add('b1', 'c2'))];
    await Promise.all(first);
    await batches.add('b1', 'c3');
    expect(requests).toEqual(['b1: c1,c2', 'b1: c3']);
  });

  it('send at most ten channels in one request: the rest go side by side', async () => {
    const { ari, requests } = asterisk();
    const batches = new JoinBatches(ari);
    const channels = Array.from({ length: 23 }, (_, i) => `c${i}`);
    await expect(Promise.all(channels.map((id) => batches.add('b1', id)))).resolves.toEqual(channels.map(() => 'added'));
    expect(requests.map((r) => r.split(',').length)).toEqual([10, 10, 3]);
  });

  it('a caller who hung up: the others are added one by one, and that caller is told gone', async () => {
    const { ari, bridges, requests } = asterisk({ hungUp: ['c2'] });
    const batches = new JoinBatches(ari);
    const outcomes = await Promise.all(['c1', 'c2', 'c3'].map((id) => batches.add('b1', id)));
    expect(outcomes).toEqual(['added', 'caller-gone', 'added']);
    expect(requests).toEqual(['b1: c1,c2,c3', 'GET b1', 'b1: c1', 'b1: c2', 'b1: c3']);
    expect(bridges.get('b1')).toEqual(['c1', 'c3']);
  });

  it('a list Asterisk stopped part way: those already in are not added twice', async () => {
    const { ari, bridges, requests } = asterisk({ recording: ['c2'] });
    const batches = new JoinBatches(ari);
    const outcomes = await Promise.all(['c1', 'c2', 'c3'].map((id) => batches.add('b1', id)));
    expect(outcomes).toEqual(['added', 'caller-gone', 'added']);
    expect(requests).toEqual(['b1: c1,c2,c3', 'GET b1', 'b1: c2', 'b1: c3']);
    expect(bridges.get('b1')).toEqual(['c1', 'c3']);
  });

  it('a bridge that is gone: every caller of the batch is told so, with no more requests', async () => {
    const { ari, requests } = asterisk({ bridges: [] });
    const batches = new JoinBatches(ari);
    await expect(Promise.all([batches.add('b1', 'c1'), batches.add('b1', 'c2')])).resolves.toEqual(['bridge-gone', 'bridge-gone']);
    expect(requests).toEqual(['b1: c1,c2']);
  });

  it('when the bridge cannot be read after a failed list, everyone is added one by one', async () => {
    const { ari, requests } = asterisk({ hungUp: ['c1'], listFails: true });
    const batches = new JoinBatches(ari);
    await expect(Promise.all([batches.add('b1', 'c1'), batches.add('b1', 'c2')])).resolves.toEqual(['caller-gone', 'added']);
    expect(requests).toEqual(['b1: c1,c2', 'GET b1', 'b1: c1', 'b1: c2']);
  });

  it('a failure of a single add reaches its caller', async () => {
    const ari: BatchAri = {
      addAll: async () => undefined,
      addOne: async () => Promise.reject(new AriError(0, 'POST', '/bridges/b1/addChannel', 'no answer within 10000 ms')),
      channelsIn: async () => [],
    };
    await expect(new JoinBatches(ari).add('b1', 'c1')).rejects.toThrow('no answer within 10000 ms');
  });
});
