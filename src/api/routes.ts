import { parseRoomEntry } from '../domain/roomNumber';
import { RoomNumber } from '../domain/types';

/** Who may call a route: anyone, readers (the token once one is set), or admins (always the token). */
export type Access = 'open' | 'read' | 'admin';

export type Route =
  | { readonly name: 'health' }
  | { readonly name: 'metrics' }
  | { readonly name: 'rooms' }
  | { readonly name: 'room'; readonly room: RoomNumber }
  | { readonly name: 'kick'; readonly room: RoomNumber; readonly channel: string }
  | { readonly name: 'mute'; readonly room: RoomNumber; readonly channel: string; readonly muted: boolean }
  | { readonly name: 'lock'; readonly room: RoomNumber; readonly locked: boolean }
  | { readonly name: 'lecture'; readonly room: RoomNumber; readonly on: boolean }
  | { readonly name: 'end'; readonly room: RoomNumber }
  | { readonly name: 'recording'; readonly room: RoomNumber; readonly on: boolean }
  | { readonly name: 'dial'; readonly room: RoomNumber; readonly number: string }
  | { readonly name: 'lockouts' }
  | { readonly name: 'clear-lockout'; readonly callerId: string }
  | { readonly name: 'drain'; readonly draining: boolean };

export type RouteMatch =
  | { readonly kind: 'route'; readonly route: Route; readonly access: Access }
  | { readonly kind: 'error'; readonly status: 400 | 404 | 405; readonly message: string; readonly allow?: readonly string[] };

type Params = Readonly<Record<string, string>>;
interface Entry {
  readonly pattern: readonly string[];
  readonly access: Access;
  readonly methods: Readonly<Record<string, (params: Params) => Route>>;
}

const ROUTES: readonly Entry[] = [
  { pattern: ['health'], access: 'open', methods: { GET: () => ({ name: 'health' }) } },
  { pattern: ['metrics'], access: 'open', methods: { GET: () => ({ name: 'metrics' }) } },
  { pattern: ['rooms'], access: 'read', methods: { GET: () => ({ name: 'rooms' }) } },
  { pattern: ['rooms', ':room'], access: 'read', methods: { GET: (p) => ({ name: 'room', room: p.room as string }) } },
  {
    pattern: ['rooms', ':room', 'kick', ':channel'],
    access: 'admin',
    methods: { POST: (p) => ({ name: 'kick', room: p.room as string, channel: p.channel as string }) },
  },
  {
    pattern: ['rooms', ':room', 'mute', ':channel'],
    access: 'admin',
    methods: {
      POST: (p) => ({ name: 'mute', room: p.room as string, channel: p.channel as string, muted: true }),
      DELETE: (p) => ({ name: 'mute', room: p.room as string, channel: p.channel as string, muted: false }),
    },
  },
  {
    pattern: ['rooms', ':room', 'lock'],
    access: 'admin',
    methods: {
      POST: (p) => ({ name: 'lock', room: p.room as string, locked: true }),
      DELETE: (p) => ({ name: 'lock', room: p.room as string, locked: false }),
    },
  },
  {
    pattern: ['rooms', ':room', 'lecture'],
    access: 'admin',
    methods: {
      POST: (p) => ({ name: 'lecture', room: p.room as string, on: true }),
      DELETE: (p) => ({ name: 'lecture', room: p.room as string, on: false }),
    },
  },
  { pattern: ['rooms', ':room', 'end'], access: 'admin', methods: { POST: (p) => ({ name: 'end', room: p.room as string }) } },
  {
    pattern: ['rooms', ':room', 'recording'],
    access: 'admin',
    methods: {
      POST: (p) => ({ name: 'recording', room: p.room as string, on: true }),
      DELETE: (p) => ({ name: 'recording', room: p.room as string, on: false }),
    },
  },
  {
    pattern: ['rooms', ':room', 'dial', ':number'],
    access: 'admin',
    methods: { POST: (p) => ({ name: 'dial', room: p.room as string, number: p.number as string }) },
  },
  // The list shows caller numbers, as the room routes do; clearing is an admin action.
  { pattern: ['lockouts'], access: 'read', methods: { GET: () => ({ name: 'lockouts' }) } },
  {
    pattern: ['lockouts', 'callers', ':callerId'],
    access: 'admin',
    methods: { DELETE: (p) => ({ name: 'clear-lockout', callerId: p.callerId as string }) },
  },
  // This node's, as health is: each node of a cluster is drained through its own API.
  {
    pattern: ['drain'],
    access: 'admin',
    methods: { POST: () => ({ name: 'drain', draining: true }), DELETE: () => ({ name: 'drain', draining: false }) },
  },
];

/** The status API's routing, pure: method and path in, a route (or the HTTP error) out. */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const segments = splitPath(pathname);
  if (!segments) return { kind: 'error', status: 400, message: 'the path is not valid URL encoding' };
  for (const entry of ROUTES) {
    const params = matchPattern(entry.pattern, segments);
    if (!params) continue;
    const make = entry.methods[method];
    if (!make) return { kind: 'error', status: 405, message: `${method} is not allowed on ${pathname}`, allow: Object.keys(entry.methods) };
    if (params.room !== undefined && parseRoomEntry(params.room)?.kind !== 'room') {
      return { kind: 'error', status: 400, message: `"${params.room}" is not a room number: 3 or 4 digits, not 000 or 0000` };
    }
    return { kind: 'route', route: make(params), access: entry.access };
  }
  return { kind: 'error', status: 404, message: `no route ${pathname}` };
}

function splitPath(pathname: string): string[] | undefined {
  try {
    return pathname
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}

function matchPattern(pattern: readonly string[], segments: readonly string[]): Params | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i] as string;
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}
