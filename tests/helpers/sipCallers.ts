import { TEST_INSTANCE, asteriskEnv } from '../../harness/testEnv';
import { SippRun, SippRunOptions } from '../../bench/sip/sippRun';

/**
 * SIPp callers (bench/sip/) through the test Asterisk's demo trunk. SIPp takes ports beside the
 * test Asterisk's own, so that test runs side by side do not meet.
 */
export function sippThroughTrunk(run: Pick<SippRunOptions, 'pcap' | 'holdMs' | 'onHold' | 'callsPerSecond' | 'arrivals'>): SippRun {
  const env = asteriskEnv();
  return SippRun.start({
    asteriskSipPort: Number(env.SIP_PORT),
    sipPort: Number(TEST_INSTANCE.SIP_PORT) + 10,
    mediaPort: Number(TEST_INSTANCE.RTP_END) + 1001,
    user: 'trunk',
    password: env.SIP_PASSWORD,
    ...run,
  });
}
