import { RoomNumber } from './types';

/** What Asterisk writes a recording as: 8 kHz or 16 kHz 16-bit WAV, both with format_wav alone. */
export type RecordingFormat = 'wav' | 'wav16';

/** A recording's name in Asterisk and its file's in the folder: room, start (UTC) and a unique id. */
export function recordingName(room: RoomNumber, startedAt: number, id: string): string {
  const stamp = new Date(startedAt)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `conference-${room}-${stamp}-${id}`;
}

const NAME = /^conference-(\d{3,4})-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[0-9a-f]{8}$/;

/** The room and start of one of our recordings; undefined for a name the app did not make. */
export function parseRecordingName(name: string): { room: RoomNumber; startedAt: number } | undefined {
  const match = NAME.exec(name);
  if (!match) return undefined;
  const [, room, year, month, day, hour, minute, second] = match as unknown as string[];
  const startedAt = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
  return { room: room as string, startedAt };
}

const BYTES_PER_SECOND: Readonly<Record<RecordingFormat, number>> = { wav: 16000, wav16: 32000 };
const WAV_HEADER_BYTES = 44;

/** How long a recording file of this size plays, in whole seconds. */
export function recordingSeconds(format: RecordingFormat, bytes: number): number {
  return Math.round(Math.max(0, bytes - WAV_HEADER_BYTES) / BYTES_PER_SECOND[format]);
}
