import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AriCredentials, parseEnvOutput } from '../src/tools/asteriskEnv';
import { ROOT } from './testEnv';

/**
 * A cluster on loopback as `make run-cluster` starts it (`scripts/cluster.sh`: Valkey, Asterisk
 * nodes each with its app under the supervisor, Kamailio in front), on ports of its own: the
 * tests' cluster and the cluster benchmark's.
 */
export interface ClusterSpec {
  /** CLUSTER_INSTANCE: its nodes are <instance>-1 ... */
  readonly instance: string;
  readonly nodes: number;
  /** The first node's ports (each next node's 100 higher, its RTP 500 higher), the store's and Kamailio's. */
  readonly ports: { ari: number; sip: number; api: number; rtpStart: number; valkey: number; kamailio: number };
  /** CLUSTER_APP: how each node's app is run. */
  readonly app: string;
}

export interface ClusterNode {
  /** Its name, in Asterisk and in the store: <instance>-1 ... */
  readonly name: string;
  readonly ari: AriCredentials;
  /** Its app's status API. */
  readonly apiUrl: string;
  /** Its Asterisk's SIP port, for a phone that calls it directly rather than through Kamailio. */
  readonly sipPort: string;
}

export interface StartedCluster {
  readonly nodes: readonly ClusterNode[];
  /** Where phones call (Kamailio), and the nodes' password for the demo phones and the trunk. */
  readonly front: { readonly port: string; readonly password: string };
  readonly token: string;
  /** The settings file every node reads. */
  readonly settingsPath: string;
}

export class ClusterBed {
  constructor(private readonly spec: ClusterSpec) {}

  /** scripts/cluster.sh for this cluster, its messages on stderr. */
  script(args: string[], env: NodeJS.ProcessEnv = {}): string {
    const { ARI_URL: _u, ARI_USER: _n, ARI_PASSWORD: _p, ...inherited } = process.env;
    const { instance, nodes, ports, app } = this.spec;
    return execFileSync(join(ROOT, 'scripts', 'cluster.sh'), args, {
      cwd: ROOT,
      env: {
        ...inherited,
        CLUSTER_INSTANCE: instance,
        NODES: String(nodes),
        CLUSTER_ARI_PORT: String(ports.ari),
        CLUSTER_SIP_PORT: String(ports.sip),
        CLUSTER_API_PORT: String(ports.api),
        CLUSTER_RTP_START: String(ports.rtpStart),
        CLUSTER_VALKEY_PORT: String(ports.valkey),
        CLUSTER_KAMAILIO_PORT: String(ports.kamailio),
        CLUSTER_APP: app,
        ...env,
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  }

  /** Starts the cluster on a copy of the shipped settings file, with `settings` over its top-level sections. */
  start(settings: Record<string, Record<string, unknown>> = {}): StartedCluster {
    const settingsPath = join(mkdtempSync(join(tmpdir(), 'conference-cluster-')), 'conference.json');
    copyFileSync(join(ROOT, 'config', 'conference.json'), settingsPath);
    if (Object.keys(settings).length > 0) {
      const shipped = JSON.parse(readFileSync(settingsPath, 'utf8')) as Record<string, Record<string, unknown>>;
      for (const [section, values] of Object.entries(settings)) shipped[section] = { ...shipped[section], ...values };
      writeFileSync(settingsPath, JSON.stringify(shipped, null, 2));
    }
    this.script(['up'], { CONFERENCE_CONFIG: settingsPath });
    const values = parseEnvOutput(this.script(['env']));
    const { instance, ports } = this.spec;
    const nodes = Array.from({ length: this.spec.nodes }, (_, n): ClusterNode => {
      const name = `${instance}-${n + 1}`;
      const password = readFileSync(join(ROOT, '.run', name, 'ari-password'), 'utf8').trim();
      return {
        name,
        ari: { url: `http://127.0.0.1:${ports.ari + 100 * n}`, username: 'conference', password },
        apiUrl: `http://127.0.0.1:${ports.api + 100 * n}`,
        sipPort: String(ports.sip + 100 * n),
      };
    });
    return {
      nodes,
      front: { port: String(ports.kamailio), password: values.SIP_PASSWORD! },
      token: values.CONFERENCE_API_TOKEN!,
      settingsPath,
    };
  }

  stop(): void {
    this.script(['down']);
  }

  /** The pid of a node's app (the supervisor's child): to kill it as a crash would, or to read its CPU. */
  appPid(node: ClusterNode): number {
    const supervisor = readFileSync(join(ROOT, '.run', this.spec.instance, `${node.name}.pid`), 'utf8').trim();
    return Number(execFileSync('pgrep', ['-P', supervisor], { encoding: 'utf8' }).trim().split('\n')[0]);
  }

  /** scripts/asterisk.sh for node n (0-based): ['down'] stops its Asterisk as a crash would, ['pid'] prints its pid. */
  asterisk(node: number, args: string[]): string {
    return this.script(['asterisk', String(node + 1), ...args]);
  }
}
