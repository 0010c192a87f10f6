import { RoomNumber } from '../domain/types';
import { KeyedSerialQueue } from '../util/keyedSerialQueue';
import { JoinsInFlight } from './joinsInFlight';
import type { AddOutcome, BridgeOps } from './ports';
import { TonePacer } from './tonePacer';
import { Sound } from './media';

/** Where a caller's recorded name is kept until every announcement of it has played (src/app/spokenNames.ts). */
export interface NamePlays {
  playing(name: string, played: Promise<void>): void;
}

export interface RoomSounds {
  readonly joinTone: string | undefined;
  readonly leaveTone: string | undefined;
}

/** Tones start at least this far apart: a burst of joins and leaves is heard as one tone. */
const TONE_SPACING_MS = 600;

/** A room's bridge and what plays in it, as the registry's room carries them. */
export interface RoomBridge {
  readonly room: RoomNumber;
  /** `conference-<room>`, unless Asterisk still held that id when the bridge was made. */
  bridgeId: string;
  bridgeUp: boolean;
  mohOn: boolean;
  /** Join and leave tones, one bridge playback at a time. */
  readonly tones: TonePacer;
  readonly members: ReadonlyMap<string, unknown>;
  /** Joins under way (their addChannel in flight). */
  joining: number;
}

/**
 * A room's media: its bridge (made again if someone deleted it), hold music for a lone participant,
 * join and leave tones held back while a burst of joins goes through. Bridge work runs in the
 * registry's per-room queue; `isLive` says whether the room is still the registry's current one.
 */
export class RoomMedia {
  constructor(
    private readonly bridges: BridgeOps,
    private readonly queue: KeyedSerialQueue,
    private readonly now: () => number,
    private sounds: RoomSounds,
    /** Every room's joins, app-wide: tones (and the flow's announcements) wait for a burst of them. */
    private readonly joins: JoinsInFlight,
    private readonly isLive: (room: RoomBridge) => boolean,
    private readonly names: NamePlays,
  ) {}

  updateSounds(sounds: RoomSounds): void {
    this.sounds = sounds;
  }

  tonePacer(room: () => RoomBridge): TonePacer {
    return new TonePacer((media) => this.playPaced(room(), media), this.now, TONE_SPACING_MS);
  }

  /** Creates the room's bridge unless it is up, or the room was given up meanwhile. Runs in the room's queue. */
  async ensureBridge(room: RoomBridge): Promise<void> {
    if (room.bridgeUp || !this.isLive(room)) return;
    room.bridgeId = await this.bridges.create(room.room);
    room.bridgeUp = true;
  }

  /** Destroys the room's bridge if it is up. Runs in the room's queue. */
  async destroyBridge(room: RoomBridge): Promise<void> {
    room.tones.close();
    if (!room.bridgeUp) return;
    room.bridgeUp = false;
    await this.bridges.destroy(room.bridgeId);
  }

  /**
   * The bridge part of a join: the bridge made if it is not up yet, the music off, the channel in.
   * `stillWanted` says whether the caller is still on the way in (not hung up meanwhile).
   */
  async addToBridge(room: RoomBridge, channelId: string, stillWanted: () => boolean): Promise<AddOutcome> {
    // Through the queue even when the bridge is up: bridge work under way (its creation, music
    // being started) ends before the addChannel goes out. A storm's joins find the queue empty.
    const joinEnded = this.joins.begin();
    try {
      await this.queue.run(room.room, () => this.ensureBridge(room));
      // Music stops while the newcomer is being added: two requests in flight, not one after the other.
      const mohStopped = room.mohOn ? this.bridges.stopMoh(room.bridgeId) : undefined;
      room.mohOn = false;
      let added = await this.bridges.addChannel(room.bridgeId, channelId);
      if (added === 'bridge-gone' && stillWanted()) {
        // Someone deleted the room's bridge (an operator at the CLI): make it again, once.
        room.bridgeUp = false;
        await this.queue.run(room.room, () => this.ensureBridge(room));
        added = await this.bridges.addChannel(room.bridgeId, channelId);
      }
      await mohStopped;
      return added;
    } finally {
      joinEnded();
    }
  }

  /** One participant alone and nobody on the way in: music until someone arrives. Runs in the room's queue. */
  async musicIfAlone(room: RoomBridge): Promise<void> {
    if (!this.isLive(room) || room.members.size !== 1 || room.joining > 0 || room.mohOn) return;
    room.mohOn = true;
    await this.bridges.startMoh(room.bridgeId);
  }

  joinTone(room: RoomBridge): void {
    if (this.sounds.joinTone) room.tones.request(this.sounds.joinTone);
  }

  leaveTone(room: RoomBridge): void {
    if (this.sounds.leaveTone) room.tones.request(this.sounds.leaveTone);
  }

  /** "NAME has joined", in place of the join tone, for the others in the room. */
  nameJoins(room: RoomBridge, name: string): void {
    this.announceName(room, name, Sound.hasJoined);
  }

  /** "NAME has left", in place of the leave tone. */
  nameLeaves(room: RoomBridge, name: string): void {
    this.announceName(room, name, Sound.hasLeft);
  }

  private announceName(room: RoomBridge, name: string, sound: string): void {
    this.names.playing(name, room.tones.announce([`recording:${name}`, sound]));
  }

  /**
   * A tone or announcement goes out once a burst of joins has gone through (a bridge playback adds
   * a channel to the bridge, and slows the joins still pending), and only if someone is there to hear it.
   */
  private async playPaced(room: RoomBridge, media: readonly string[]): Promise<{ finished: Promise<void> } | undefined> {
    await this.joins.settled();
    if (room.members.size === 0 || !this.isLive(room)) return undefined;
    const playback = this.bridges.announce(room.bridgeId, media);
    await playback.answered;
    return playback;
  }

  /** A prompt for everyone in the bridge, if anyone is there to hear it. */
  async announce(room: RoomBridge, media: string): Promise<void> {
    if (room.members.size > 0 && this.isLive(room)) await this.bridges.playToBridge(room.bridgeId, media);
  }
}
