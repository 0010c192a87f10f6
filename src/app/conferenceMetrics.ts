import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LOOP_MONITOR_MS } from '../runtimeStats';
import { ConferenceEvent, ConferenceEvents } from './conferenceEvents';
import { LiveCounts } from './roomTable';
import { WriteHealth } from './writeHealth';

/** The files the app writes, as the metrics read them when Prometheus scrapes. */
export interface WrittenFiles {
  readonly eventsLog: { readonly heldLines: number; readonly lostLines: number };
  readonly writes: readonly WriteHealth[];
}

/**
 * Prometheus metrics. Counters move in memory as events are published (no I/O on a call's
 * path); the gauges, and the counts of the files' writes, are read only when Prometheus scrapes.
 */
export class ConferenceMetrics {
  readonly registry = new Registry();
  private readonly calls = new Counter({
    name: 'conference_calls_total',
    help: 'Calls that reached the app, by caller kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly joins = new Counter({
    name: 'conference_joins_total',
    help: 'Callers who joined a conference.',
    registers: [this.registry],
  });
  private readonly relays = new Counter({
    name: 'conference_calls_passed_on_total',
    help: 'Callers who landed on this node for a room another node mixes, passed on to that node.',
    registers: [this.registry],
  });
  private readonly wrongPins = new Counter({ name: 'conference_wrong_pins_total', help: 'Wrong PINs keyed.', registers: [this.registry] });
  private readonly lockouts = new Counter({
    name: 'conference_pin_lockouts_total',
    help: 'Caller numbers locked out after too many wrong PINs.',
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: 'conference_refusals_total',
    help: 'Callers refused, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly ended = new Counter({
    name: 'conference_rooms_ended_total',
    help:
      'Conferences ended for everyone in them, by reason: leader-left (its last leader left, endWhenLeaderLeaves), ' +
      'ended-by-leader (the end key), ended-by-admin (POST /rooms/:room/end).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly recordingsSaved = new Counter({
    name: 'conference_recordings_saved_total',
    help:
      'Recordings saved into recording.folder, by why they ended: stopped, room-ended, max-duration, failed, disk-low, ' +
      'recovered (ended while the app was away).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly dialOuts = new Counter({
    name: 'conference_dial_outs_total',
    help:
      'Calls out of a room (dial-out), by outcome: joined, declined (answered, then not 1), refused (busy, rejected), ' +
      'no-answer, failed, not-allowed (dialOut.allowedNumbers), too-many (dialOut.maxPerRoom).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly joinLatency = new Histogram({
    name: 'conference_join_latency_seconds',
    help: 'From the last key of the PIN to being in the conference bridge.',
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(
    events: ConferenceEvents,
    live: () => LiveCounts & { readonly recordings: number },
    files: WrittenFiles,
    ariConnected: () => boolean,
    /** In a cluster, this node's name: every series is labelled with it, so one Prometheus tells the nodes apart. */
    node?: string,
  ) {
    if (node !== undefined) this.registry.setDefaultLabels({ node });
    const registers = [this.registry];
    new Gauge({
      name: 'conference_ari_connected',
      help: "Whether the app's ARI event stream is connected to Asterisk (1) or not (0): without it no call reaches the app.",
      registers,
      collect() {
        this.set(ariConnected() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'conference_rooms_active',
      help: 'Conferences with at least one participant.',
      registers,
      collect() {
        this.set(live().rooms);
      },
    });
    new Gauge({
      name: 'conference_permanent_rooms_active',
      help: 'Permanent rooms (permanentRooms) with at least one participant; counted in conference_rooms_active too.',
      registers,
      collect() {
        this.set(live().permanentRooms);
      },
    });
    new Gauge({
      name: 'conference_participants_active',
      help: 'Participants in all conferences, leaders included.',
      registers,
      collect() {
        this.set(live().participants);
      },
    });
    new Gauge({
      name: 'conference_leaders_active',
      help: 'Participants who joined with a leader PIN.',
      registers,
      collect() {
        this.set(live().leaders);
      },
    });
    new Gauge({
      name: 'conference_hands_raised',
      help: 'Participants with a hand raised, waiting for a leader to let them speak.',
      registers,
      collect() {
        this.set(live().handsRaised);
      },
    });
    new Gauge({
      name: 'conference_recordings_active',
      help: 'Rooms being recorded now.',
      registers,
      collect() {
        this.set(live().recordings);
      },
    });
    new Gauge({
      name: 'conference_participants_on_hold',
      help: 'Participants whose phone has put the call on hold: muted towards the room until they are back.',
      registers,
      collect() {
        this.set(live().onHold);
      },
    });
    new Gauge({
      name: 'conference_participants_talking',
      help: 'Participants Asterisk hears talking now (TALK_DETECT, talkDetection in the settings).',
      registers,
      collect() {
        this.set(live().talking);
      },
    });
    new Gauge({
      name: 'conference_lecture_rooms_active',
      help: 'Conferences in lecture mode: a leader muted every participant.',
      registers,
      collect() {
        this.set(live().lectureRooms);
      },
    });
    new Gauge({
      name: 'conference_events_log_held_lines',
      help: 'Events log lines waiting in memory for the file to be writable.',
      registers,
      collect() {
        this.set(files.eventsLog.heldLines);
      },
    });
    // Counted by their owners; a counter's value is set here by starting it again from zero.
    new Counter({
      name: 'conference_events_log_lost_total',
      help: 'Events log lines never written: past the lines held, or held at a stop.',
      registers,
      collect() {
        this.reset();
        this.inc(files.eventsLog.lostLines);
      },
    });
    new Counter({
      name: 'conference_write_failures_total',
      help: 'Failed writes of a file the app keeps (or of the server number in AstDB), each retry counted, by the setting that names it.',
      labelNames: ['setting'] as const,
      registers,
      collect() {
        this.reset();
        for (const health of files.writes) this.inc({ setting: health.setting }, health.failures);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'conference_process_', eventLoopMonitoringPrecision: LOOP_MONITOR_MS });
    events.on('event', (event) => this.count(event));
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  private count(event: ConferenceEvent): void {
    switch (event.type) {
      case 'call':
        this.calls.inc({ kind: event.callerKind });
        return;
      case 'joined':
        this.joins.inc();
        this.joinLatency.observe(Math.max(0, event.at - event.keyedAt) / 1000);
        return;
      case 'wrong-pin':
        this.wrongPins.inc();
        if (event.lockedOut) this.lockouts.inc();
        return;
      case 'refused':
        this.refusals.inc({ reason: event.reason });
        return;
      case 'passed-on':
        this.relays.inc();
        return;
      case 'room-ended':
        this.ended.inc({ reason: event.reason });
        return;
      case 'recording-stopped':
        this.recordingsSaved.inc({ reason: event.reason });
        return;
      case 'dial-out':
        this.dialOuts.inc({ outcome: event.outcome });
        return;
      default:
        return;
    }
  }
}
