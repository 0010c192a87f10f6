import { EventEmitter } from 'node:events';
import { unwatchFile, watchFile } from 'node:fs';
import { loadSettings } from './loadSettings';
import { Settings } from './schema';

export interface SettingsStoreEvents {
  changed: [next: Settings, previous: Settings];
  rejected: [errors: string[]];
}

/**
 * The settings in force. The file is polled (edits through rename or in place both show)
 * and re-read on demand (SIGHUP); a file that fails validation is refused and the settings
 * in force stay in force.
 */
export class SettingsStore extends EventEmitter<SettingsStoreEvents> {
  private watching = false;
  private settings: Settings;
  private sha256: string;

  constructor(
    readonly path: string,
    loaded: { readonly settings: Settings; readonly sha256: string },
    private readonly pollMs = 500,
  ) {
    super();
    this.settings = loaded.settings;
    this.sha256 = loaded.sha256;
  }

  get current(): Settings {
    return this.settings;
  }

  /** The SHA-256 of the file whose settings are in force: a cluster's nodes show whether they read the same. */
  get fileSha256(): string {
    return this.sha256;
  }

  watch(): void {
    if (this.watching) return;
    this.watching = true;
    watchFile(this.path, { interval: this.pollMs, persistent: false }, (now, before) => {
      if (now.mtimeMs !== before.mtimeMs || now.size !== before.size || now.ino !== before.ino) this.reload();
    });
  }

  unwatch(): void {
    if (!this.watching) return;
    this.watching = false;
    unwatchFile(this.path);
  }

  reload(): void {
    const result = loadSettings(this.path);
    if (!result.ok) {
      this.emit('rejected', result.errors);
      return;
    }
    this.sha256 = result.sha256;
    if (JSON.stringify(result.settings) === JSON.stringify(this.settings)) return;
    const previous = this.settings;
    this.settings = result.settings;
    this.emit('changed', result.settings, previous);
  }
}
