import { ClusterBed, ClusterNode, StartedCluster } from '../../harness/clusterBed';
import { TEST_INSTANCE } from '../../harness/testEnv';

export type { ClusterNode };
export type TestCluster = StartedCluster;

/**
 * The test cluster: three nodes behind Kamailio (harness/clusterBed.ts), the apps from the
 * sources. `make down-test` stops it when a run left it up.
 * Ports for the default test instance: ARI 38188, 38288, 38388; SIP 35160...; APIs 38190...; RTP
 * 23000-24499; Valkey 36380; Kamailio 35070.
 */
// Its ports follow the test Asterisk's (TEST_* variables), clear of the other test instances'.
const bed = new ClusterBed({
  instance: `${TEST_INSTANCE.ASTERISK_INSTANCE}-cluster`,
  nodes: 3,
  ports: {
    ari: Number(TEST_INSTANCE.ARI_PORT) + 20100,
    sip: Number(TEST_INSTANCE.SIP_PORT) + 20100,
    api: Number(TEST_INSTANCE.ARI_PORT) + 20102,
    rtpStart: Number(TEST_INSTANCE.RTP_START) + 12000,
    valkey: Number(TEST_INSTANCE.SIP_PORT) + 21320,
    kamailio: Number(TEST_INSTANCE.SIP_PORT) + 20010,
  },
  app: 'node -r ts-node/register/transpile-only src/main.ts',
});

/** Starts the test cluster on a copy of the shipped settings file. */
export function startTestCluster(): TestCluster {
  return bed.start();
}

export function stopTestCluster(): void {
  bed.stop();
}

/** The pid of a node's app (the supervisor's child), to kill it as a crash would. */
export function appPid(node: ClusterNode): number {
  return bed.appPid(node);
}

/** scripts/asterisk.sh for node n (0-based) of the test cluster: ['down'] stops its Asterisk as a crash would. */
export function nodeAsterisk(node: number, args: string[]): void {
  bed.asterisk(node, args);
}
