import { BASIC_KEY_MAP } from '../domain/conferenceKeys';
import { boolean, integer, keyMap, numberPatterns, permanentRoomList, text } from './formats';
import { CheckedSchema, SettingLeaf, SettingsOf } from './settingTypes';

/**
 * The administrator's settings: one JSON file, this schema, the one place a setting is described.
 * Every key has a doc line (the README's table is generated from them) and a strict format: a typo
 * or a wrong type is refused with a message that names the setting, and the format gives the
 * setting's TypeScript type (Settings, below). `restart: true` marks a setting read only at start.
 */

/** The server number opens every dialled form (88, 88NNN, 88NNNN); it must be digits only. */
const serverNumber = text(/^[0-9]{1,6}$/, '1 to 6 digits');

/** Checks every default against its format and gives the schema back as it is. */
function checked<S extends CheckedSchema<S>>(schema: S): S {
  return schema;
}

export const schemaDefinition = checked({
  enabled: {
    doc: 'Off: every new caller hears "service not available" and is hung up; conferences in progress go on.',
    format: boolean,
    default: true,
  },
  number: {
    doc:
      'The server number callers dial (then a room, or the room right after it: 88, 88123, 881234). Changes apply live to both ' +
      'contexts; on an Asterisk you already run, its dialplan follows a new number once add-to-asterisk.sh --number has rendered ' +
      'it (docs/INSTALL-ASTERISK.md). No extension may begin with it: with 20, extension 201 would be room entry.',
    format: serverNumber,
    default: '88',
  },
  externalAccess: {
    doc: 'Off: callers from outside (context from-external) are refused.',
    format: boolean,
    default: true,
  },
  externalMayStart: {
    doc: 'Off: callers from outside may only join a room that exists; a new or random room is refused.',
    format: boolean,
    default: true,
  },
  ari: {
    url: {
      doc: 'Asterisk ARI base URL.',
      format: text(/^https?:\/\/[^\s/]+$/, 'an http(s) URL without a path'),
      default: 'http://127.0.0.1:8088',
      env: 'ARI_URL',
      restart: true,
    },
    username: { doc: 'ARI user.', format: text(/^\S+$/, 'a user name'), default: 'conference', env: 'ARI_USER', restart: true },
    password: {
      doc: 'ARI password; prefer the ARI_PASSWORD environment variable. Never logged.',
      format: String,
      default: '',
      env: 'ARI_PASSWORD',
      sensitive: true,
      restart: true,
    },
    app: {
      doc: 'Stasis application name the dialplan sends calls to.',
      format: text(/^[A-Za-z0-9_-]+$/, 'letters, digits, - or _'),
      default: 'conference',
      env: 'ARI_APP',
      restart: true,
    },
    maxConnections: {
      doc: 'Most HTTP connections the app opens to ARI at once (Asterisk refuses sessions past its sessionlimit).',
      format: integer(1, 500),
      default: 32,
      restart: true,
    },
    requestTimeoutMs: {
      doc: 'How long an ARI request may take before it counts as failed.',
      format: integer(100, 60000),
      default: 10000,
      restart: true,
    },
  },
  entry: {
    firstDigitTimeoutSeconds: { doc: 'Seconds a caller has to key the first digit after a prompt.', format: integer(1, 60), default: 10 },
    interDigitTimeoutSeconds: { doc: 'Seconds allowed between two digits.', format: integer(1, 60), default: 5 },
    maxAttempts: { doc: 'Failed room or PIN entries before the caller hears goodbye and is hung up.', format: integer(1, 10), default: 3 },
    pinMaxLength: { doc: 'Longest PIN, in digits.', format: integer(1, 16), default: 8 },
  },
  bruteForce: {
    windowSeconds: {
      doc: 'Wrong PINs are counted over this many seconds, per caller number and per room.',
      format: integer(1, 86400),
      default: 600,
    },
    slowAfter: {
      doc: 'Wrong PINs one caller number may key in the window with no wait; once it has keyed more, each of its tries waits (delayMs).',
      format: integer(0, 1000),
      default: 3,
    },
    delayMs: {
      doc:
        'First wait before a slowed-down PIN try, doubled with each further wrong PIN; ' +
        "the longer of the caller number's and the room's wait applies.",
      format: integer(0, 60000),
      default: 1000,
    },
    maxDelayMs: { doc: 'Longest wait before a PIN try.', format: integer(0, 60000), default: 8000 },
    lockAfter: {
      doc:
        'Wrong PINs from one caller number in the window that lock that number out ("PIN entry locked"). ' +
        'A withheld number is never locked; its wrong PINs count for the room.',
      format: integer(1, 1000),
      default: 10,
    },
    lockoutSeconds: {
      doc: 'How long a locked caller number is refused; then its count starts again.',
      format: integer(1, 86400),
      default: 900,
    },
    roomSlowAfter: {
      doc:
        'Wrong PINs one room may take in the window, from any callers, with no wait; once it has taken more, every try at it ' +
        'waits (delayMs). A room is never locked: its rightful callers get in after the wait.',
      format: integer(0, 1000),
      default: 3,
    },
  },
  sounds: {
    language: {
      doc:
        'Language the prompts play in, as Asterisk names its sound sets (en, fr, de...); that set must be installed in Asterisk. ' +
        "The project's own prompts ship in English.",
      format: text(/^[a-z]{2}(_[A-Z]{2})?$/, 'a language code such as en or en_GB'),
      default: 'en',
    },
    joinTone: { doc: 'Play a tone to the others when someone joins.', format: boolean, default: true },
    leaveTone: { doc: 'Play a tone to the others when someone leaves.', format: boolean, default: true },
    musicOnHoldClass: {
      doc: 'Music-on-hold class (musiconhold.conf) for a caller alone or waiting.',
      format: text(/^[A-Za-z0-9_-]+$/, 'a music-on-hold class name'),
      default: 'default',
    },
  },
  conferenceKeys: {
    doc:
      'Keys in a conference (one DTMF key each, all different but toggleHand and dialOut): toggleMute, participantCount, ' +
      'roomNumber, help, leave for everyone; toggleHand (4) for participants of a room with a leader; toggleLock (5), ' +
      'toggleLecture (6), unmuteNextHand (7), removeLast (8), endConference (9), toggleRecording (0), dialOut (4) for leaders. ' +
      'One of those left out takes its default key if no other action has it, else it has no key (logged as key-unbound).',
    format: keyMap,
    default: BASIC_KEY_MAP,
  },
  limits: {
    maxParticipantsPerRoom: {
      doc: 'Most participants in one room; the next caller hears "this conference is full".',
      format: integer(2, 1000),
      default: 50,
    },
    maxRooms: {
      doc: 'Most rooms at once (on each node of a cluster); a caller who would start one more hears that no more can be started.',
      format: integer(1, 10000),
      default: 500,
    },
  },
  recording: {
    folder: {
      doc: 'Where finished recordings are saved, one WAV file each (conference-<room>-<start, UTC>-<id>.wav); made when missing.',
      format: text(/^\S+$/, 'a folder path'),
      default: 'recordings',
      env: 'CONFERENCE_RECORDINGS',
    },
    minFreeMb: {
      doc:
        'Free space (MB) the folder must keep: below it no recording starts (the leader and the API are told why), ' +
        'and those under way stop.',
      format: integer(0, 10_000_000),
      default: 1000,
    },
    maxMinutes: {
      doc: 'Longest recording, in minutes: Asterisk ends it there and it is saved.',
      format: integer(1, 24 * 60),
      default: 240,
    },
    format: {
      doc: 'wav (8 kHz) or wav16 (16 kHz, for rooms with G.722 phones); both 16-bit WAV that Asterisk writes with format_wav.',
      format: ['wav', 'wav16'] as const,
      default: 'wav',
    },
  },
  talkDetection: {
    enabled: {
      doc: "Follow who is talking (GET /rooms, conference_participants_talking) with Asterisk's TALK_DETECT on each participant.",
      format: boolean,
      default: true,
    },
    silenceMs: {
      doc: 'Milliseconds of quiet after which a participant is no longer talking; above the pauses of natural speech.',
      format: integer(200, 10000),
      default: 1200,
    },
    threshold: {
      doc: "Loudness (average sample magnitude) above which a participant's audio counts as talking; Asterisk's default is 256.",
      format: integer(1, 32768),
      default: 256,
    },
  },
  spokenNames: {
    enabled: {
      doc:
        "Every caller records their name before joining (a permanent room's spokenNames option decides for that room): the others " +
        'hear "NAME has joined" and "NAME has left" instead of the join and leave tones. Each name is deleted when its call ends.',
      format: boolean,
      default: false,
    },
    maxSeconds: {
      doc: "Longest name, in seconds; the caller's # ends it sooner.",
      format: integer(1, 10),
      default: 2,
    },
  },
  dialOut: {
    allowedNumbers: {
      doc:
        'The numbers a leader (their dialOut key) or the admin (POST /rooms/:room/dial) may call into a room, as dialplan ' +
        'patterns: ["_2XX", "_9NXXXXXX", "5551234"]. Empty: no number, dial-out is off.',
      format: numberPatterns,
      default: [],
    },
    context: {
      doc: 'The dialplan context the calls go through (Local/<number>@<context>): where the number is dialled, as a phone would.',
      format: text(/^[A-Za-z0-9_-]{1,79}$/, 'a dialplan context name'),
      default: 'from-internal',
    },
    answerSeconds: {
      doc: 'How long a call rings before it counts as not answered.',
      format: integer(5, 120),
      default: 30,
    },
    maxPerRoom: {
      doc: 'Most calls out of one room ringing or waiting for their answer at once; one more is refused.',
      format: integer(1, 50),
      default: 3,
    },
  },
  permanentRooms: {
    doc:
      'Rooms that are always there, each with its number and PIN: [{ "number": "500", "pin": "1234", "leaderPin": "9876", ' +
      '"waitForLeader": true, "endWhenLeaderLeaves": true, "startMuted": false, "maxParticipants": 30, "record": false, ' +
      '"spokenNames": true }]; only number is required; record: recorded from its first join to its end (recording.*); ' +
      'spokenNames: as spokenNames.enabled, for this room. A permanent number is never ' +
      "drawn as a random room and never started with a PIN of its caller's choosing. A room in use when removed (or changed " +
      'from spontaneous) keeps what it was until it empties. Never logged.',
    format: permanentRoomList,
    default: [],
    sensitive: true,
  },
  stateFile: {
    doc: "Where the app keeps what must outlive a restart (each live room's PIN, salted and hashed).",
    format: text(/^\S+$/, 'a file path'),
    default: 'state/rooms.json',
    env: 'CONFERENCE_STATE',
    restart: true,
  },
  store: {
    url: {
      doc:
        'The Valkey (or Redis) server that the app instances of a cluster share rooms, PINs, locks and brute-force counts through: ' +
        'redis://host:port, or rediss:// for TLS. Empty: one app alone, its rooms in memory and their PINs in stateFile.',
      format: text(/^(|rediss?:\/\/[^\s/]+(\/[0-9]{1,2})?)$/, 'empty, or redis://host:port (rediss:// for TLS), optionally /db'),
      default: '',
      env: 'CONFERENCE_STORE_URL',
      restart: true,
    },
    password: {
      doc: 'Password for store.url (Valkey/Redis AUTH); prefer the CONFERENCE_STORE_PASSWORD environment variable. Never logged.',
      format: String,
      default: '',
      env: 'CONFERENCE_STORE_PASSWORD',
      sensitive: true,
      restart: true,
    },
    node: {
      doc: "This app instance's name in the cluster, unique per node; its rooms are recorded under it. Empty: the host name.",
      format: text(/^[A-Za-z0-9._-]{0,64}$/, 'up to 64 letters, digits, ., - or _'),
      default: '',
      env: 'CONFERENCE_NODE',
      restart: true,
    },
    sipAddress: {
      doc:
        "Where the other nodes reach this node's Asterisk over SIP (host:port of its cluster endpoint), to pass on a caller " +
        "who landed there for a room this node mixes. Empty: callers of this node's rooms who land on another node are refused.",
      format: text(/^(|[A-Za-z0-9.-]+:[0-9]{1,5})$/, 'empty, or host:port'),
      default: '',
      env: 'CONFERENCE_SIP_ADDRESS',
      restart: true,
    },
    busyParticipants: {
      doc:
        'A node mixing this many participants is busy (each room started in the last 30 s adds 4, for its callers to come): a room ' +
        'whose first caller lands on it starts on the least loaded node instead, the caller passed on there. ' +
        "About 80 % of a node's capacity (docs/PERFORMANCE.md). 0: rooms start where their first caller lands.",
      format: integer(0, 100000),
      default: 200,
    },
    leaseSeconds: {
      doc:
        "How long a node's rooms stay held after it stops renewing them (it renews every third of this): " +
        "a dead node's rooms free up then.",
      format: integer(3, 300),
      default: 15,
      restart: true,
    },
  },
  api: {
    enabled: {
      doc: 'Serve the status API (health, rooms, admin actions, Prometheus metrics) over HTTP.',
      format: boolean,
      default: true,
      restart: true,
    },
    host: {
      doc: 'Address the status API listens on; loopback by default, since it shows caller numbers.',
      format: text(/^\S+$/, 'a host name or address'),
      default: '127.0.0.1',
      restart: true,
    },
    port: {
      doc: 'Port of the status API; 0 picks a free one.',
      format: integer(0, 65535),
      default: 8090,
      env: 'CONFERENCE_API_PORT',
      restart: true,
    },
    token: {
      doc:
        'Bearer token for admin actions, and for the room routes once set; prefer the CONFERENCE_API_TOKEN environment variable. ' +
        'Empty: admin actions answer 403. Never logged.',
      format: text(/^(|\S{16,})$/, 'empty, or at least 16 characters without spaces'),
      default: '',
      env: 'CONFERENCE_API_TOKEN',
      sensitive: true,
    },
  },
  eventsLog: {
    path: {
      doc:
        'File that gets one JSON line per conference event (room created, joined, left, refused, destroyed, admin actions), ' +
        'appended; for billing or audit. Empty: off. Opened anew at SIGHUP or SIGUSR1 (logrotate).',
      format: text(/^\S*$/, 'a file path, or empty for off'),
      default: '',
    },
  },
  log: {
    level: { doc: 'Log level.', format: ['error', 'warn', 'info', 'debug'] as const, default: 'info', env: 'LOG_LEVEL' },
  },
});

/** One immutable settings object per (re)load, handed to the core; its type is read from the schema. */
export type Settings = SettingsOf<typeof schemaDefinition>;

/** Every setting of the schema with its dotted name (`ari.password`). */
export function* schemaLeaves(node: object = schemaDefinition, prefix = ''): Generator<[string, SettingLeaf]> {
  for (const [key, value] of Object.entries(node)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'object' && value !== null && 'default' in value) yield [name, value as SettingLeaf];
    else yield* schemaLeaves(value as object, name);
  }
}
