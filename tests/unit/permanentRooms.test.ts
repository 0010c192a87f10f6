import { noSpokenNames } from '../../harness/instantBridges';
import { validateSettings } from '../../src/config/loadSettings';
import { ConferenceEvents } from '../../src/app/conferenceEvents';
import { JoinsInFlight } from '../../src/app/joinsInFlight';
import type { AddOutcome, BridgeOps, BridgePlayback } from '../../src/app/ports';
import { Admit, RoomRegistry } from '../../src/app/roomRegistry';
import { EmbeddedRoomState } from '../../src/app/roomStateStore';
import { admission, AdmissionSettings } from '../../src/domain/admission';
import { findPermanentRoom, PermanentRoomSetting, permanentRoomsProblem, roleForPin } from '../../src/domain/permanentRooms';

const env = { ARI_PASSWORD: 'secret' };

describe('permanent rooms in the settings', () => {
  it.each<[string, unknown, RegExp]>([
    ['not a list', { number: '500' }, /must be a list of rooms/],
    ['a number that is no room', [{ number: '50' }], /room 1 of the list: number must be 3 or 4 digits/],
    ['000', [{ number: '000' }], /not 000 or 0000/],
    ['a number as a number', [{ number: 500 }], /number must be a string/],
    ['a room twice', [{ number: '500' }, { number: '500' }], /room 500 is listed twice/],
    ['an unknown option', [{ number: '500', leaderPIN: '1' }], /room 500: unknown option leaderPIN/],
    ['a PIN with letters', [{ number: '500', pin: '12a' }], /room 500: pin must be up to 16 digits/],
    ['a leader PIN the same as the PIN', [{ number: '500', pin: '12', leaderPin: '12' }], /leaderPin must differ from pin/],
    ['waiting for a leader nobody can be', [{ number: '500', waitForLeader: true }], /need a leaderPin/],
    ['ending with a leader nobody can be', [{ number: '500', endWhenLeaderLeaves: true }], /need a leaderPin/],
    ['a limit of one', [{ number: '500', maxParticipants: 1 }], /maxParticipants must be a whole number from 2 to 1000/],
    ['a switch as text', [{ number: '500', startMuted: 'yes' }], /startMuted must be true or false/],
  ])('refuses %s, naming the room and the option', (_name, value, message) => {
    expect(permanentRoomsProblem(value)).toMatch(message);
  });

  it('takes a full room and a bare one', () => {
    const rooms = [
      {
        number: '500',
        pin: '1234',
        leaderPin: '9876',
        waitForLeader: true,
        endWhenLeaderLeaves: true,
        startMuted: true,
        maxParticipants: 30,
      },
      { number: '0600' },
    ];
    expect(permanentRoomsProblem(rooms)).toBeUndefined();
    expect(findPermanentRoom(rooms, '0600')).toEqual({
      number: '0600',
      pin: '',
      leaderPin: '',
      waitForLeader: false,
      endWhenLeaderLeaves: false,
      startMuted: false,
      maxParticipants: undefined,
      record: false,
    });
    expect(findPermanentRoom(rooms, '600')).toBeUndefined();
  });

  it('is refused by the settings file naming the setting, without the PINs in the message', () => {
    const result = validateSettings({ permanentRooms: [{ number: '500', pin: '4711', leaderPin: '4711' }] }, 'f.json', env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.join('\n')).toMatch(/^f\.json: permanentRooms: room 500: leaderPin must differ from pin/);
    expect(result.errors.join('\n')).not.toContain('4711');
  });

  it('refuses a PIN longer than a caller may key (entry.pinMaxLength)', () => {
    const result = validateSettings(
      { entry: { pinMaxLength: 4 }, permanentRooms: [{ number: '500', leaderPin: '123456' }] },
      'f.json',
      env,
    );
    expect(result).toEqual({
      ok: false,
      errors: ['f.json: permanentRooms: room 500: leaderPin is longer than entry.pinMaxLength (4 digits), so no caller could key it'],
    });
  });

  it('gives the leader PIN the leader, the PIN a participant, anything else nothing', () => {
    const room = findPermanentRoom([{ number: '500', pin: '1234', leaderPin: '9876' }], '500')!;
    expect(roleForPin(room, '9876')).toBe('leader');
    expect(roleForPin(room, '1234')).toBe('participant');
    expect(roleForPin(room, '123')).toBeUndefined();
    expect(roleForPin(room, '')).toBeUndefined();
    const open = findPermanentRoom([{ number: '501' }], '501')!;
    expect(roleForPin(open, '')).toBe('participant');
    // No leader PIN: '#' alone never makes a leader.
    expect(roleForPin(open, '1')).toBeUndefined();
  });
});

const open: AdmissionSettings = {
  enabled: true,
  externalAccess: true,
  externalMayStart: false,
  limits: { maxRooms: 3, maxParticipantsPerRoom: 50 },
};

describe('admission to a permanent room', () => {
  it('its first caller starts nothing: checked against its PIN, an external caller too', () => {
    expect(admission(open, 'external', { kind: 'new', roomsHeld: 0, permanent: true })).toEqual({ kind: 'later' });
    expect(admission(open, 'external', { kind: 'new', roomsHeld: 0, permanent: false })).toEqual({
      kind: 'refused',
      reason: 'external-may-not-start',
    });
  });

  it('counts against the room limit like any room', () => {
    expect(admission(open, 'internal', { kind: 'new', roomsHeld: 3, permanent: true })).toEqual({
      kind: 'refused',
      reason: 'too-many-rooms',
    });
  });

  it('has a participant limit of its own', () => {
    const joining = { kind: 'joining', locked: false, occupants: 2 } as const;
    expect(admission(open, 'internal', { ...joining, maxParticipants: 2 })).toEqual({ kind: 'refused', reason: 'room-full' });
    expect(admission(open, 'internal', { ...joining, maxParticipants: undefined })).toEqual({ kind: 'go-on' });
  });
});

/** Asterisk's bridges, answering every request at once; what was played to a bridge, recorded. */
class InstantBridges implements BridgeOps {
  readonly played: string[] = [];
  async create(room: string): Promise<string> {
    return `conference-${room}`;
  }
  async destroy(): Promise<void> {}
  async addChannel(): Promise<AddOutcome> {
    return 'added';
  }
  async startMoh(): Promise<void> {}
  async stopMoh(): Promise<void> {}
  async playToBridge(_bridgeId: string, media: string): Promise<void> {
    this.played.push(media);
  }
  announce(_bridgeId: string, media: readonly string[]): BridgePlayback {
    this.played.push(media.join(','));
    return { answered: Promise.resolve(), finished: Promise.resolve() };
  }
}

const ROOMS: PermanentRoomSetting[] = [
  { number: '500', pin: '1234', leaderPin: '9876', waitForLeader: true, endWhenLeaderLeaves: true },
  { number: '501', pin: '1' },
];
const admitAll: Admit = (room) =>
  admission({ ...open, externalMayStart: true, limits: { maxRooms: 100, maxParticipantsPerRoom: 50 } }, 'internal', room);
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function registry(permanent: readonly PermanentRoomSetting[] = ROOMS, randomInt = (n: number) => n - 1): RoomRegistry {
  return new RoomRegistry(
    new EmbeddedRoomState({ set: async () => undefined, delete: () => undefined }),
    new InstantBridges(),
    randomInt,
    Date.now,
    { joinTone: undefined, leaveTone: undefined },
    new ConferenceEvents(),
    new JoinsInFlight(0, 0),
    noSpokenNames,
    permanent,
  );
}

async function joinAs(rooms: RoomRegistry, room: string, caller: string, role: 'leader' | 'participant'): Promise<void> {
  await rooms.enter(room, caller, new AbortController().signal, admitAll);
  const joined = await rooms.join(room, caller, { channelId: caller, callerId: caller, keyedAt: 0, role, muted: false }, admitAll);
  expect(joined.kind).toBe('joined');
}

describe('the room registry with permanent rooms', () => {
  it('never draws a permanent number as a random room', async () => {
    const permanent = [{ number: '999' }, { number: '998' }];
    // A draw that always picks the highest free number it is offered.
    const rooms = registry(permanent);
    for (let i = 0; i < 3; i++) {
      const drawn = await rooms.reserveRandom(3, `caller-${i}`, new AbortController().signal, admitAll);
      expect(drawn).toEqual({ kind: 'reserved', room: String(997 - i) });
    }
  });

  it('a caller of a permanent room nobody holds is checked against its PIN, never sets one', async () => {
    const rooms = registry();
    expect(await rooms.enter('501', 'a', new AbortController().signal, admitAll)).toEqual({ kind: 'later' });
    await expect(rooms.roleForPin('501', '1')).resolves.toBe('participant');
    await expect(rooms.roleForPin('501', '2')).resolves.toBeUndefined();
    expect(rooms.snapshotOfRoom('501')?.permanent).toBe(true);
  });

  it('participants wait for the leader; the leader is told they are in, and they join behind', async () => {
    const rooms = registry();
    await rooms.enter('500', 'p1', new AbortController().signal, admitAll);
    expect(rooms.waitsForLeader('500')).toBe(true);
    let released = false;
    const waiting = rooms.awaitLeader('500', new AbortController().signal).then(() => (released = true));
    await settle();
    expect(released).toBe(false);
    expect(rooms.snapshotOfRoom('500')?.waitingForLeader).toBe(1);

    await rooms.enter('500', 'lead', new AbortController().signal, admitAll);
    const led = await rooms.join(
      '500',
      'lead',
      { channelId: 'lead', callerId: 'lead', keyedAt: 0, role: 'leader', muted: false },
      admitAll,
    );
    expect(led).toEqual({ kind: 'joined', others: 1 });
    await waiting;
    expect(released).toBe(true);
    expect(rooms.waitsForLeader('500')).toBe(false);
  });

  it('a waiting participant who hangs up is no longer waited for', async () => {
    const rooms = registry();
    await rooms.enter('500', 'p1', new AbortController().signal, admitAll);
    const call = new AbortController();
    const waiting = rooms.awaitLeader('500', call.signal);
    call.abort(new Error('hung up'));
    await expect(waiting).rejects.toThrow('hung up');
    expect(rooms.snapshotOfRoom('500')?.waitingForLeader).toBe(0);
  });

  it('the last leader leaving a room that ends with them says so; another leader still in does not', async () => {
    const rooms = registry();
    await joinAs(rooms, '500', 'lead1', 'leader');
    await joinAs(rooms, '500', 'lead2', 'leader');
    await joinAs(rooms, '500', 'p1', 'participant');
    await expect(rooms.depart('500', 'lead1', 'lead1')).resolves.toBe('left');
    expect(rooms.hasLeaderIn('500')).toBe(true);
    await expect(rooms.depart('500', 'lead2', 'lead2')).resolves.toBe('last-leader-left');
    expect(rooms.hasLeaderIn('500')).toBe(false);
    // The conference waits for a leader again.
    expect(rooms.waitsForLeader('500')).toBe(true);
  });

  it('a permanent room keeps its options while in use when removed, takes new ones when changed', async () => {
    const rooms = registry();
    await joinAs(rooms, '501', 'p1', 'participant');
    rooms.updatePermanentRooms([{ number: '501', pin: '2' }]);
    await expect(rooms.roleForPin('501', '2')).resolves.toBe('participant');
    rooms.updatePermanentRooms([]);
    await expect(rooms.roleForPin('501', '2')).resolves.toBe('participant');
    await rooms.depart('501', 'p1', 'p1');
    // Empty, then spontaneous: its first caller starts it.
    expect(await rooms.enter('501', 'p2', new AbortController().signal, admitAll)).toEqual({ kind: 'first' });
  });

  it('a spontaneous room in use that becomes permanent stays spontaneous until it empties, and says so', async () => {
    const rooms = registry([]);
    await rooms.enter('502', 'a', new AbortController().signal, admitAll);
    await rooms.setPin('502', 'a', '77');
    expect(rooms.updatePermanentRooms([{ number: '502', pin: '1' }])).toEqual(['502']);
    await expect(rooms.roleForPin('502', '77')).resolves.toBe('participant');
  });
});
