/**
 * Callers' names being recorded on their channels, each waited for until Asterisk reports its
 * end (RecordingFinished or RecordingFailed, routed here by the name's form).
 */
export class NameRecordings {
  private readonly waiting = new Map<string, (recorded: boolean) => void>();

  /** Settles with true once the recording under `name` has finished, false if it failed. */
  expect(name: string): Promise<boolean> {
    return new Promise((resolve) => this.waiting.set(name, resolve));
  }

  /** The call ended, or the recording never started: nobody waits for it any more. */
  forget(name: string): void {
    this.waiting.delete(name);
  }

  onRecordingEnded(name: string, failed: boolean): void {
    const waiter = this.waiting.get(name);
    this.waiting.delete(name);
    waiter?.(!failed);
  }
}
