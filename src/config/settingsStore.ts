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

  constructor(
    readonly path: string,
    private settings: Settings,
    private readonly pollMs = 500,
  ) {
    super();
  }

  get current(): Settings {
    return this.settings;
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
    if (JSON.stringify(result.settings) === JSON.stringify(this.settings)) return;
    const previous = this.settings;
    this.settings = result.settings;
    this.emit('changed', result.settings, previous);
  }
}
