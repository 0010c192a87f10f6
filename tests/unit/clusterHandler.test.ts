import { answerPeers, clusterHandler, LocalHandler } from '../../src/api/clusterHandler';
import { matchRoute, Route } from '../../src/api/routes';
import { ClusterPeers, NodeUnreachable, PeerAnswer, PeerRequest } from '../../src/app/clusterPeers';

/**
 * node-a's API over a fake cluster: node-b holds room 222, node-c holds 333, node-a holds 111.
 * node-a still has 444 in its app, with the participants it lost when its Asterisk went: it let
 * the room go, and node-b holds it now.
 */
const homes: Record<string, string> = { '111': 'node-a', '222': 'node-b', '333': 'node-c' };
const roomsOfNode = (node: string): unknown[] =>
  Object.entries(homes)
    .filter(([, home]) => home === node)
    .map(([room]) => ({ room, node, participants: [] }));

function setup(overrides: Partial<ClusterPeers> = {}) {
  const asked: Array<[string, PeerRequest]> = [];
  const local: LocalHandler = async (route) =>
    route.name === 'rooms'
      ? { status: 200, json: { rooms: [...roomsOfNode('node-a'), { room: '444', node: 'node-a', participants: ['lost'] }] } }
      : { status: 200, json: { answeredBy: 'node-a', route: route.name } };
  const peers: ClusterPeers = {
    node: 'node-a',
    answerMs: 2000,
    homeOf: async (room) => homes[room],
    ask: async (node, request) => {
      asked.push([node, request]);
      return { node, status: 200, json: { answeredBy: node } };
    },
    askAll: async () => ({
      answers: ['node-b', 'node-c'].map((node): PeerAnswer => ({ node, status: 200, json: { rooms: roomsOfNode(node) } })),
      missing: 0,
    }),
    ...overrides,
  };
  const handle = clusterHandler(local, (room) => homes[room] === 'node-a', peers);
  /** The answer's status and JSON (every route here answers JSON). */
  const call = async (method: string, path: string): Promise<{ status: number; json: unknown }> => {
    const match = matchRoute(method, path);
    if (match.kind !== 'route') throw new Error(`no route ${path}`);
    const response = await handle(match.route, { method, path });
    if (!('json' in response)) throw new Error(`${path} answered text`);
    return response;
  };
  return { call, asked };
}

describe("one node's status API, showing the cluster", () => {
  it('lists the rooms of every node, each with its node, and names the nodes that answered', async () => {
    const { call } = setup();
    expect((await call('GET', '/rooms')).json).toEqual({
      rooms: [
        { room: '111', node: 'node-a', participants: [] },
        { room: '222', node: 'node-b', participants: [] },
        { room: '333', node: 'node-c', participants: [] },
      ],
      nodes: ['node-a', 'node-b', 'node-c'],
    });
  });

  it('leaves out the rooms it let go when its Asterisk went, though its app still counts their lost participants', async () => {
    const { call } = setup();
    const rooms = ((await call('GET', '/rooms')).json as { rooms: Array<{ room: string }> }).rooms;
    expect(rooms.map((r) => r.room)).not.toContain('444');
  });

  it('says which nodes did not answer, and shows only its own rooms while the store is away', async () => {
    const silent = setup({
      askAll: async () => ({ answers: [{ node: 'node-b', status: 200, json: { rooms: roomsOfNode('node-b') } }], missing: 1 }),
    });
    expect((await silent.call('GET', '/rooms')).json).toMatchObject({
      nodes: ['node-a', 'node-b'],
      incomplete: '1 node(s) did not answer within 2 s: their rooms are not shown',
    });
    const away = setup({ askAll: () => Promise.reject(new NodeUnreachable('*all', 'store-unavailable')) });
    expect((await away.call('GET', '/rooms')).json).toEqual({
      rooms: [{ room: '111', node: 'node-a', participants: [] }],
      nodes: ['node-a'],
      incomplete: "the shared store is unavailable: only this node's rooms are shown",
    });
  });

  it('takes a room list of another shape as no answer', async () => {
    const { call } = setup({ askAll: async () => ({ answers: [{ node: 'node-b', status: 200, json: { rooms: 'all' } }], missing: 0 }) });
    expect((await call('GET', '/rooms')).json).toMatchObject({ nodes: ['node-a'], incomplete: expect.stringMatching(/^1 node/) });
  });

  it.each([
    ['GET', '/rooms/333'],
    ['POST', '/rooms/333/kick/test-c-1.5'],
    ['DELETE', '/rooms/333/mute/test-c-1.5'],
    ['POST', '/rooms/333/lock'],
  ])('sends %s %s to the node that holds the room', async (method, path) => {
    const { call, asked } = setup();
    expect(await call(method, path)).toEqual({ status: 200, json: { answeredBy: 'node-c' } });
    expect(asked).toEqual([['node-c', { method, path }]]);
  });

  it('answers itself for its own rooms, for rooms nobody holds, and for the routes of the whole cluster', async () => {
    const { call, asked } = setup();
    expect((await call('POST', '/rooms/111/kick/x')).json).toEqual({ answeredBy: 'node-a', route: 'kick' });
    expect((await call('GET', '/rooms/999')).json).toEqual({ answeredBy: 'node-a', route: 'room' });
    expect((await call('GET', '/lockouts')).json).toEqual({ answeredBy: 'node-a', route: 'lockouts' });
    expect(asked).toEqual([]);
  });

  it.each([
    ['not-listening', 502, 'room 222 is on node node-b, which has no app connected to the shared store'],
    ['no-answer', 502, 'room 222 is on node node-b, which did not answer within 2 s'],
    ['store-unavailable', 503, 'room 222 is on node node-b, which cannot be reached: the shared store is unavailable'],
  ] as const)('names the node and why when the room is on a node that cannot be asked (%s)', async (reason, status, error) => {
    const { call } = setup({ ask: (node) => Promise.reject(new NodeUnreachable(node, reason)) });
    expect(await call('POST', '/rooms/222/kick/x')).toEqual({ status, json: { error } });
  });

  it('says so when the store cannot tell which node holds the room', async () => {
    const { call } = setup({ homeOf: () => Promise.reject(new Error('store away')) });
    expect(await call('GET', '/rooms/222')).toEqual({
      status: 503,
      json: { error: 'the shared store is unavailable: which node holds room 222 is not known' },
    });
  });
});

describe('what a node answers the others', () => {
  const local: LocalHandler = async (route: Route) =>
    route.name === 'metrics' ? { status: 200, text: '# metrics', contentType: 'text/plain' } : { status: 200, json: { route: route.name } };

  it('its own answer to a route, checked as the API checks it', async () => {
    const answer = answerPeers(local, () => true);
    expect(await answer({ method: 'POST', path: '/rooms/222/lock' })).toEqual({ status: 200, json: { route: 'lock' } });
    expect(await answer({ method: 'GET', path: '/rooms/22' })).toMatchObject({ status: 400 });
    expect(await answer({ method: 'PUT', path: '/rooms' })).toMatchObject({ status: 405 });
    expect(await answer({ method: 'GET', path: '/metrics' })).toEqual({
      status: 400,
      json: { error: '/metrics is not answered for another node' },
    });
  });

  it('its room list: only the rooms whose lease it holds', async () => {
    const rooms: LocalHandler = async () => ({ status: 200, json: { rooms: [{ room: '111' }, { room: '444' }] } });
    const answer = answerPeers(rooms, (room) => room === '111');
    expect(await answer({ method: 'GET', path: '/rooms' })).toEqual({ status: 200, json: { rooms: [{ room: '111' }] } });
  });
});
