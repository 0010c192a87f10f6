import { mkdir, rename, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordingFolder } from '../app/roomRecordings';

/** The recordings folder on this machine's disk. */
export const recordingFolder: RecordingFolder = {
  async freeMb(folder) {
    await mkdir(folder, { recursive: true, mode: 0o750 });
    const stats = await statfs(folder);
    return Math.floor((stats.bavail * stats.bsize) / (1024 * 1024));
  },

  fileFor(folder, name) {
    return join(folder, `${name}.wav`);
  },

  async save(file, write) {
    // Written beside its place, then renamed: a reader of the folder never meets half a file.
    const partial = `${file}.part`;
    try {
      const bytes = await write(partial);
      await rename(partial, file);
      return bytes;
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  },
};
