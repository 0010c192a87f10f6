import { chooseHome, loadOf, mayGiveAway, NodeLoad } from '../../src/domain/placement';

const node = (name: string, participants: number, more: Partial<NodeLoad> = {}): NodeLoad => ({
  node: name,
  sipAddress: `${name}:5060`,
  participants,
  newRooms: 0,
  draining: false,
  ...more,
});

describe('placement: where a new room starts', () => {
  it('counts each room started lately as four participants to come', () => {
    expect(loadOf(node('a', 10, { newRooms: 2 }))).toBe(18);
  });

  it.each([
    ['below busyAt', node('a', 199), 200, false],
    ['at busyAt', node('a', 200), 200, true],
    ['busy with new rooms only', node('a', 0, { newRooms: 50 }), 200, true],
    ['draining, however idle', node('a', 0, { draining: true }), 200, true],
    ['busyAt 0: never busy', node('a', 5000), 0, false],
  ])('%s: may give rooms away: %s', (_what, here, busyAt, expected) => {
    expect(mayGiveAway(here, busyAt)).toBe(expected);
  });

  it.each<[string, NodeLoad, NodeLoad[], string]>([
    ['here while not busy, whatever the others', node('a', 10), [node('b', 0)], 'a'],
    ['the least loaded other when here is busy', node('a', 200), [node('b', 150), node('c', 40)], 'c'],
    ['lately started rooms count: a burst spreads', node('a', 200), [node('b', 0, { newRooms: 3 }), node('c', 10)], 'c'],
    ['first by name on a tie', node('a', 200), [node('c', 40), node('b', 40)], 'b'],
    ['here when every other is as loaded or more', node('a', 200), [node('b', 200), node('c', 250)], 'a'],
    ['never a draining node', node('a', 200), [node('b', 0, { draining: true }), node('c', 100)], 'c'],
    ['never a node callers cannot be passed on to', node('a', 200), [node('b', 0, { sipAddress: '' }), node('c', 100)], 'c'],
    ['never this node by its own record', node('a', 200), [node('a', 0), node('b', 201)], 'a'],
    ['a draining node gives rooms away even to a busier one', node('a', 0, { draining: true }), [node('b', 300)], 'b'],
    ['a draining node keeps a room no other can take', node('a', 0, { draining: true }), [node('b', 0, { draining: true })], 'a'],
    ['here when alone', node('a', 500), [], 'a'],
  ])('%s', (_what, here, others, expected) => {
    expect(chooseHome(here, others, 200).node).toBe(expected);
  });
});
