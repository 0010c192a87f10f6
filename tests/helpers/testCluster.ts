import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, TEST_INSTANCE } from '../../harness/testEnv';
import { AriCredentials, parseEnvOutput } from '../../src/tools/asteriskEnv';

/**
 * The test cluster: `scripts/cluster.sh` as `make run-cluster` runs it (Valkey, three Asterisk
 * nodes each with its app under the supervisor, Kamailio in front), on ports of its own; the apps
 * from the sources. `make down-test` stops it when a run left it up.
 * Ports for the default test instance: ARI 38188, 38288, 38388; SIP 35160...; APIs 38190...; RTP
 * 23000-24499; Valkey 36380; Kamailio 35070.
 */
// Its ports follow the test Asterisk's (TEST_* variables), clear of the other test instances'.
const BASE = {
  ari: Number(TEST_INSTANCE.ARI_PORT) + 20100,
  sip: Number(TEST_INSTANCE.SIP_PORT) + 20100,
  api: Number(TEST_INSTANCE.ARI_PORT) + 20102,
};
const CLUSTER_ENV: NodeJS.ProcessEnv = {
  CLUSTER_INSTANCE: `${TEST_INSTANCE.ASTERISK_INSTANCE}-cluster`,
  NODES: '3',
  CLUSTER_ARI_PORT: String(BASE.ari),
  CLUSTER_SIP_PORT: String(BASE.sip),
  CLUSTER_API_PORT: String(BASE.api),
  CLUSTER_RTP_START: String(Number(TEST_INSTANCE.RTP_START) + 12000),
  CLUSTER_VALKEY_PORT: String(Number(TEST_INSTANCE.SIP_PORT) + 21320),
  CLUSTER_KAMAILIO_PORT: String(Number(TEST_INSTANCE.SIP_PORT) + 20010),
  CLUSTER_APP: 'node -r ts-node/register/transpile-only src/main.ts',
};

export interface ClusterNode {
  /** Its name, in Asterisk and in the store: test-cluster-1 ... */
  readonly name: string;
  readonly ari: AriCredentials;
  /** Its app's status API. */
  readonly apiUrl: string;
  /** Its Asterisk's SIP port, for a phone that calls it directly rather than through Kamailio. */
  readonly sipPort: string;
}

export interface TestCluster {
  readonly nodes: readonly ClusterNode[];
  /** Where phones call (Kamailio), and the nodes' password for the demo phones and the trunk. */
  readonly front: { readonly port: string; readonly password: string };
  readonly token: string;
  /** The settings file every node reads. */
  readonly settingsPath: string;
}

function clusterScript(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const { ARI_URL: _u, ARI_USER: _n, ARI_PASSWORD: _p, ...inherited } = process.env;
  return execFileSync(join(ROOT, 'scripts', 'cluster.sh'), args, {
    cwd: ROOT,
    env: { ...inherited, ...CLUSTER_ENV, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Starts the test cluster on a copy of the shipped settings file. */
export function startTestCluster(): TestCluster {
  const settingsPath = join(mkdtempSync(join(tmpdir(), 'conference-cluster-')), 'conference.json');
  copyFileSync(join(ROOT, 'config', 'conference.json'), settingsPath);
  clusterScript(['up'], { CONFERENCE_CONFIG: settingsPath });
  const values = parseEnvOutput(clusterScript(['env']));
  const nodes = [1, 2, 3].map((i): ClusterNode => {
    const name = `${CLUSTER_ENV.CLUSTER_INSTANCE}-${i}`;
    const password = readFileSync(join(ROOT, '.run', name, 'ari-password'), 'utf8').trim();
    return {
      name,
      ari: { url: `http://127.0.0.1:${BASE.ari + 100 * (i - 1)}`, username: 'conference', password },
      apiUrl: `http://127.0.0.1:${BASE.api + 100 * (i - 1)}`,
      sipPort: String(BASE.sip + 100 * (i - 1)),
    };
  });
  return {
    nodes,
    front: { port: CLUSTER_ENV.CLUSTER_KAMAILIO_PORT!, password: values.SIP_PASSWORD! },
    token: values.CONFERENCE_API_TOKEN!,
    settingsPath,
  };
}

export function stopTestCluster(): void {
  clusterScript(['down']);
}

/** The pid of a node's app (the supervisor's child), to kill it as a crash would. */
export function appPid(node: ClusterNode): number {
  const supervisor = readFileSync(join(ROOT, '.run', String(CLUSTER_ENV.CLUSTER_INSTANCE), `${node.name}.pid`), 'utf8').trim();
  return Number(execFileSync('pgrep', ['-P', supervisor], { encoding: 'utf8' }).trim().split('\n')[0]);
}

/** scripts/asterisk.sh for node n (0-based) of the test cluster: ['down'] stops its Asterisk as a crash would. */
export function nodeAsterisk(node: number, args: string[]): void {
  clusterScript(['asterisk', String(node + 1), ...args]);
}
