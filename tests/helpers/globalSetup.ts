import { asteriskScript } from '../../harness/testEnv';

/** Starts (or reuses) the test Asterisk once per run. It stays up for the next run; `make down-test` stops it. */
export default function globalSetup(): void {
  asteriskScript(['up'], { inherit: true });
}
