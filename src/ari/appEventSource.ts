import { EventEmitter } from 'node:events';
import { AppEvent, AppEventType, APP_EVENT_TYPES } from '../app/appEvents';
import { Logger } from '../logger';
import { AriEvent, EventStream } from './eventStream';

/** What became of one event off the socket. */
export type ParsedEvent =
  | { readonly kind: 'event'; readonly event: AppEvent }
  /** A type the app does not act on (sent before the filter was set, or by an Asterisk that ignores it). */
  | { readonly kind: 'other' }
  /** A type the app acts on without a field it relies on: `missing` names the field. */
  | { readonly kind: 'malformed'; readonly type: AppEventType; readonly missing: string };

const appEventTypes: ReadonlySet<string> = new Set(APP_EVENT_TYPES);

/** Turns an ARI event as it comes off the socket into the app's event, checking the fields the app relies on. */
export function parseAriEvent(raw: AriEvent): ParsedEvent {
  if (!appEventTypes.has(raw.type)) return { kind: 'other' };
  const type = raw.type as AppEventType;
  const malformed = (missing: string): ParsedEvent => ({ kind: 'malformed', type, missing });
  if (type === 'PlaybackStarted' || type === 'PlaybackFinished') {
    const playback = fieldsOf(raw.playback);
    if (typeof playback?.id !== 'string') return malformed('playback.id');
    if (typeof playback.target_uri !== 'string') return malformed('playback.target_uri');
    return { kind: 'event', event: { type, playback: { id: playback.id, target: playback.target_uri } } };
  }
  if (type === 'RecordingFinished' || type === 'RecordingFailed') {
    const name = fieldsOf(raw.recording)?.name;
    if (typeof name !== 'string') return malformed('recording.name');
    return { kind: 'event', event: { type, recording: { name } } };
  }
  const channel = fieldsOf(raw.channel);
  if (typeof channel?.id !== 'string') return malformed('channel.id');
  const id = channel.id;
  switch (type) {
    case 'StasisStart': {
      // A channel without caller id has an empty number, as Asterisk reports it.
      const number = fieldsOf(channel.caller)?.number ?? '';
      if (typeof number !== 'string') return malformed('channel.caller.number');
      const args = raw.args ?? [];
      if (!Array.isArray(args) || !args.every((arg) => typeof arg === 'string')) return malformed('args');
      return { kind: 'event', event: { type, channel: { id, callerNumber: number, answered: channel.state === 'Up' }, args } };
    }
    case 'ChannelDtmfReceived':
      if (typeof raw.digit !== 'string') return malformed('digit');
      return { kind: 'event', event: { type, channel: { id }, digit: raw.digit } };
    case 'StasisEnd':
    case 'ChannelLeftBridge':
    case 'ChannelHold':
    case 'ChannelUnhold':
    case 'ChannelTalkingStarted':
    case 'ChannelTalkingFinished':
      return { kind: 'event', event: { type, channel: { id } } };
    case 'ChannelHangupRequest':
    case 'ChannelDestroyed':
      return { kind: 'event', event: { type, channel: { id }, cause: typeof raw.cause === 'number' ? raw.cause : 0 } };
  }
}

function fieldsOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

/**
 * The ARI connection as the app sees it: its events typed (one that lacks a field the app relies
 * on is dropped and logged, never half-handled), and the connection's ups and downs in the log.
 */
export class AriAppEvents extends EventEmitter<{ event: [AppEvent]; connected: [] }> {
  constructor(stream: EventStream, target: { readonly url: string; readonly app: string }, log: Logger) {
    super();
    stream.on('event', (raw) => {
      const parsed = parseAriEvent(raw);
      if (parsed.kind === 'event') this.emit('event', parsed.event);
      // Only the type and the field: a key's digit may be part of a PIN.
      else if (parsed.kind === 'malformed') {
        const { type, missing } = parsed;
        log.warn('ARI event without a field the app relies on: dropped', { event: 'ari-event-dropped', type, missing });
      }
    });
    stream.on('connected', () => {
      log.info('ARI connected', { event: 'ari-connected', url: target.url, app: target.app });
      this.emit('connected');
    });
    stream.on('disconnected', (reason, retryInMs) => log.warn('ARI disconnected', { event: 'ari-disconnected', reason, retryInMs }));
    stream.on('unreachable', ({ text, cause }, retryInMs) => log.error(text, { event: 'ari-unreachable', cause, retryInMs }));
  }
}
