import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { playbackScratchPrefix } from '../../signaling/src/recording/playback-scratch.js';

/** Matroska and WebM files start with the EBML magic: a decrypted segment or an assembled video does, a sealed one does not. */
const EBML = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

function startsWithEbml(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(4);
    return fs.readSync(fd, head, 0, 4, 0) === 4 && head.equals(EBML);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function walk(dir: string, out: string[]): void {
  for (const e of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full, out);
    else if (e.isFile() && startsWithEbml(full)) out.push(full);
  }
}

/**
 * Every place a server on `dataDir` could leave recording plaintext: media files anywhere under DATA_DIR (its
 * work folders included), the playback scratch folders of that server in RAM (/dev/shm) or the temp directory,
 * and the folder older versions assembled playback in. Empty means nothing decrypted is left.
 */
export function plaintextLeftovers(dataDir: string): { mediaFiles: string[]; scratchFolders: string[]; playbackFolders: string[] } {
  const mediaFiles: string[] = [];
  walk(dataDir, mediaFiles);
  const workRoot = path.join(dataDir, 'recordings-work');
  const scratchFolders: string[] = [];
  for (const root of ['/dev/shm', os.tmpdir()]) {
    const prefix = playbackScratchPrefix(workRoot, root);
    for (const name of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      if (!name.startsWith(path.basename(prefix))) continue;
      scratchFolders.push(path.join(root, name));
      walk(path.join(root, name), mediaFiles);
    }
  }
  const legacy = path.join(workRoot, 'playback');
  const playbackFolders = fs.existsSync(legacy) ? fs.readdirSync(legacy).map((n) => path.join(legacy, n)) : [];
  return { mediaFiles, scratchFolders, playbackFolders };
}

export const NOTHING_LEFT = { mediaFiles: [], scratchFolders: [], playbackFolders: [] };
