import { restartNeeded } from '../config/restartNeeded';
import { Settings } from '../config/schema';
import { SettingsStore } from '../config/settingsStore';
import { unboundActions } from '../domain/conferenceKeys';
import { PinGuard } from '../domain/pinGuard';
import { Logger } from '../logger';
import { Sound } from './media';
import { RoomSounds } from './roomMedia';
import { RoomRegistry } from './roomRegistry';

/** Who takes a change of the settings file while the app runs. */
export interface SettingsTakers {
  readonly log: Logger;
  readonly eventsLog: { open(path: string): void };
  readonly guard: PinGuard;
  readonly rooms: RoomRegistry;
  /** Stores the server number where the dialplan reads it. */
  readonly storeNumber: () => Promise<void>;
}

/**
 * Hands every accepted change of the settings file to those it concerns; says which settings wait
 * for a restart, and which keys have none (at the start too).
 */
export function fanOutSettings(store: SettingsStore, takers: SettingsTakers): void {
  warnUnboundKeys(takers.log, store.current);
  store.on('changed', (next, previous) => {
    const { log } = takers;
    warnUnboundKeys(log, next);
    log.info('settings changed', { event: 'settings-changed' });
    const waiting = restartNeeded(next, previous).join(', ');
    if (waiting) log.warn(`takes effect at the next restart: ${waiting}`, { event: 'restart-needed', setting: waiting });
    takers.eventsLog.open(next.eventsLog.path);
    if (next.log.level !== previous.log.level) log.level = next.log.level;
    takers.guard.update(next.bruteForce);
    takers.rooms.updateSounds(roomSounds(next));
    for (const room of takers.rooms.updatePermanentRooms(next.permanentRooms)) {
      log.warn(`room ${room} is permanent now, but in use as a spontaneous room: it becomes permanent once it empties`, {
        event: 'permanent-room-in-use',
        room,
      });
    }
    if (next.number !== previous.number) void takers.storeNumber();
  });
}

function warnUnboundKeys(log: Logger, settings: Settings): void {
  const unbound = unboundActions(settings.conferenceKeys);
  if (unbound.length === 0) return;
  const actions = unbound.join(', ');
  log.warn(`conferenceKeys: ${actions} ha${unbound.length === 1 ? 's' : 've'} no key (the default is another action's): give each one`, {
    event: 'key-unbound',
    setting: 'conferenceKeys',
    actions,
  });
}

export function roomSounds(settings: Settings): RoomSounds {
  return {
    joinTone: settings.sounds.joinTone ? Sound.joinTone : undefined,
    leaveTone: settings.sounds.leaveTone ? Sound.leaveTone : undefined,
  };
}
