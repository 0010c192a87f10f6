import winston from 'winston';
import { NodeUnreachable } from '../../src/app/clusterPeers';
import { ClusterBus } from '../../src/store/clusterBus';
import { freshPrefix, testValkey } from '../helpers/valkeyServer';

/** Requests between the nodes of a cluster over the real Valkey's publish/subscribe. */
const silent = winston.createLogger({ silent: true });
const buses: ClusterBus[] = [];
const clients: Array<{ disconnect(): void }> = [];

function bus(node: string, prefix: string): ClusterBus {
  const client = testValkey().client();
  clients.push(client);
  const made = new ClusterBus(client, node, prefix, silent);
  buses.push(made);
  return made;
}

/** A bus answering with its node's name and the path it was asked, once its subscription is up. */
async function answering(node: string, prefix: string, answer = (path: string) => Promise.resolve({ status: 200, json: { node, path } })) {
  const made = bus(node, prefix);
  made.serve(({ path }) => answer(path));
  await untilSubscribed(node, prefix);
  return made;
}

async function untilSubscribed(node: string, prefix: string): Promise<void> {
  const probe = testValkey().client();
  clients.push(probe);
  for (let i = 0; i < 100; i++) {
    const [, count] = (await probe.pubsub('NUMSUB', `${prefix}bus:${node}`)) as [string, number];
    if (count > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${node} never subscribed`);
}

afterEach(() => {
  for (const made of buses.splice(0)) made.close();
  for (const client of clients.splice(0)) client.disconnect();
});

describe('the cluster bus', () => {
  it('asks one node, and only that node answers', async () => {
    const prefix = freshPrefix();
    const a = await answering('node-a', prefix);
    await answering('node-b', prefix);
    await answering('node-c', prefix);
    expect(await a.ask('node-c', { method: 'GET', path: '/rooms/123' })).toEqual({
      node: 'node-c',
      status: 200,
      json: { node: 'node-c', path: '/rooms/123' },
    });
  });

  it('asks all the other nodes, never itself', async () => {
    const prefix = freshPrefix();
    const a = await answering('node-a', prefix);
    await answering('node-b', prefix);
    await answering('node-c', prefix);
    const { answers, missing } = await a.askAll({ method: 'GET', path: '/rooms' });
    expect(answers.map((answer) => answer.node).sort()).toEqual(['node-b', 'node-c']);
    expect(missing).toBe(0);
  });

  it('says a node with nothing listening is not listening, and one that does not answer in time did not answer', async () => {
    const prefix = freshPrefix();
    const a = await answering('node-a', prefix);
    await expect(a.ask('node-gone', { method: 'GET', path: '/rooms/1' })).rejects.toEqual(
      new NodeUnreachable('node-gone', 'not-listening'),
    );
    await answering('node-stuck', prefix, () => new Promise(() => undefined));
    const stuck = a.ask('node-stuck', { method: 'GET', path: '/rooms/1' });
    await expect(stuck).rejects.toMatchObject({ node: 'node-stuck', reason: 'no-answer' });
    const { answers, missing } = await a.askAll({ method: 'GET', path: '/rooms' });
    expect(answers).toEqual([]);
    expect(missing).toBe(1);
  });

  it('drops a message of another shape, and goes on answering', async () => {
    const prefix = freshPrefix();
    const a = await answering('node-a', prefix);
    await answering('node-b', prefix);
    const raw = testValkey().client();
    clients.push(raw);
    await raw.publish(`${prefix}bus:node-b`, 'not json');
    await raw.publish(`${prefix}bus:node-b`, JSON.stringify({ kind: 'request', id: 7 }));
    expect((await a.ask('node-b', { method: 'GET', path: '/x' })).json).toEqual({ node: 'node-b', path: '/x' });
  });
});
