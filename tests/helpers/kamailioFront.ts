import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ROOT } from '../../harness/testEnv';
import { parseEnvOutput } from '../../src/tools/asteriskEnv';

/**
 * The cluster's SIP front for a test: Asterisk nodes of their own (scripts/asterisk.sh) behind
 * the test Kamailio (scripts/kamailio.sh), and where the calls land, seen on each node's ARI.
 */

/** One Asterisk node: its instance name and ports (none shared with the test Asterisk). */
export interface NodeSpec {
  readonly instance: string;
  readonly ariPort: number;
  readonly sipPort: number;
  readonly rtpStart: number;
  readonly rtpEnd: number;
}

export const FRONT_KAMAILIO: NodeJS.ProcessEnv = { KAMAILIO_INSTANCE: 'test', KAMAILIO_PORT: '15070' };

/** The node's SIP URI, as Kamailio's dispatcher.list holds it. */
export const nodeUri = (node: NodeSpec): string => `sip:127.0.0.1:${node.sipPort}`;

/** scripts/asterisk.sh for a node: its ports, and the trunk password all nodes share. */
function nodeEnv(node: NodeSpec, sipPassword: string): NodeJS.ProcessEnv {
  const { ARI_URL: _u, ARI_USER: _n, ARI_PASSWORD: _p, ...env } = process.env;
  return {
    ...env,
    ASTERISK_INSTANCE: node.instance,
    ARI_PORT: String(node.ariPort),
    SIP_PORT: String(node.sipPort),
    RTP_START: String(node.rtpStart),
    RTP_END: String(node.rtpEnd),
    SIP_PASSWORD: sipPassword,
  };
}

/** Runs scripts/asterisk.sh for the node, its messages on the test's stderr. */
export function asteriskNode(node: NodeSpec, sipPassword: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      join(ROOT, 'scripts', 'asterisk.sh'),
      args,
      { cwd: ROOT, env: nodeEnv(node, sipPassword), encoding: 'utf8' },
      (error: Error | null, stdout) => (error ? reject(error) : resolve(stdout)),
    );
    child.stderr?.pipe(process.stderr);
  });
}

/** The node's ARI credentials (scripts/asterisk.sh env). */
export async function nodeAri(node: NodeSpec, sipPassword: string): Promise<{ url: string; user: string; password: string }> {
  const values = parseEnvOutput(await asteriskNode(node, sipPassword, ['env']));
  return { url: values.ARI_URL!, user: values.ARI_USER!, password: values.ARI_PASSWORD! };
}

/** A trunk password for the nodes of one test run. */
export const freshSipPassword = (): string => randomBytes(12).toString('hex');

/** Runs scripts/kamailio.sh for the test instance. */
export function kamailioScript(args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync(join(ROOT, 'scripts', 'kamailio.sh'), args, {
    cwd: ROOT,
    env: { ...process.env, ...FRONT_KAMAILIO, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Starts the test Kamailio in front of these nodes, the registrar of phones with their password. */
export function startFront(nodes: readonly NodeSpec[], sipPassword: string): void {
  kamailioScript(['up'], { KAMAILIO_NODES: nodes.map(nodeUri).join(' '), SIP_PASSWORD: sipPassword });
}

export function stopFront(): void {
  kamailioScript(['down']);
}

/** `scripts/kamailio.sh nodes`: each node's URI and state (active, trying, inactive, draining). */
export function frontNodes(): Map<string, string> {
  const states = new Map<string, string>();
  for (const line of kamailioScript(['nodes']).trim().split('\n')) {
    const [uri, state] = line.split(' ');
    if (uri && state) states.set(uri, state);
  }
  return states;
}

/** Kamailio's log so far (scripts/kamailio.sh logs). */
export function frontLog(): string {
  return kamailioScript(['logs']);
}

/**
 * The calls that reach Stasis on one node: a websocket to its ARI as the app `conference`
 * (the demo dialplan answers and hands trunk calls to it), reconnected while the node is down.
 */
export class StasisWatch {
  /** Channel ids in the order their StasisStart came, and those whose StasisEnd came. */
  readonly started: string[] = [];
  readonly ended = new Set<string>();
  private socket: WebSocket | undefined;
  private stopped = false;
  private connected = false;

  constructor(private readonly ari: { url: string; user: string; password: string }) {
    this.connect();
  }

  get isConnected(): boolean {
    return this.connected;
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = this.ari.url.replace(/^http/, 'ws');
    const key = encodeURIComponent(`${this.ari.user}:${this.ari.password}`);
    const socket = new WebSocket(`${ws}/ari/events?app=conference&api_key=${key}`);
    this.socket = socket;
    socket.on('open', () => (this.connected = true));
    socket.on('message', (data: Buffer) => {
      const event = JSON.parse(data.toString('utf8')) as { type: string; channel?: { id: string } };
      if (event.type === 'StasisStart' && event.channel) this.started.push(event.channel.id);
      if (event.type === 'StasisEnd' && event.channel) this.ended.add(event.channel.id);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.connected = false;
      if (!this.stopped) setTimeout(() => this.connect(), 300);
    });
  }

  stop(): void {
    this.stopped = true;
    this.socket?.terminate();
  }
}
