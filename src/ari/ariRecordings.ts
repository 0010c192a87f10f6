import { RecordingControl } from '../app/ports';
import { AriError, enc, gone } from './errors';
import { RestClient } from './restClient';

/** A room's recordings over ARI: a bridge's recording while live, then Asterisk's stored file. */
export class AriRecordings implements RecordingControl {
  constructor(private readonly rest: RestClient) {}

  async recordBridge(bridgeId: string, name: string, format: string, maxSeconds: number): Promise<boolean> {
    try {
      await this.rest.post(`/bridges/${enc(bridgeId)}/record`, {
        name,
        format,
        maxDurationSeconds: maxSeconds,
        ifExists: 'fail',
        beep: false,
      });
      return true;
    } catch (error) {
      // 404: the bridge is gone; a 409 here is a name already taken, which the unique id rules out.
      if (error instanceof AriError && error.status === 404) return false;
      throw error;
    }
  }

  stopRecording(name: string): Promise<boolean> {
    return gone(this.rest.post(`/recordings/live/${enc(name)}/stop`));
  }

  isLive(name: string): Promise<boolean> {
    return gone(this.rest.get(`/recordings/live/${enc(name)}`));
  }

  async storedRecordings(): Promise<string[]> {
    const stored = await this.rest.get<Array<{ name?: unknown }>>('/recordings/stored');
    return stored.flatMap((recording) => (typeof recording.name === 'string' ? [recording.name] : []));
  }

  saveStored(name: string, to: string): Promise<number> {
    return this.rest.download(`/recordings/stored/${enc(name)}/file`, to);
  }

  deleteStored(name: string): Promise<boolean> {
    return gone(this.rest.delete(`/recordings/stored/${enc(name)}`));
  }
}
