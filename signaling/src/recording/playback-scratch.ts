import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from '../security/crypto.js';

const SHM = '/dev/shm';

/**
 * Where decrypted segments are put while ffmpeg joins them: RAM (/dev/shm) when the host has it, so plaintext
 * never reaches a disk and a power cut leaves none; otherwise the temp directory, in private folders.
 */
export function scratchRoot(): { root: string; ram: boolean } {
  try {
    const st = fs.statSync(SHM);
    fs.accessSync(SHM, fs.constants.W_OK | fs.constants.X_OK);
    if (st.isDirectory()) return { root: SHM, ram: true };
  } catch {
    /* no RAM-backed directory here */
  }
  return { root: os.tmpdir(), ram: false };
}

/**
 * The name every scratch folder of this server starts with, "<root>/vj-pb-<hash of its work folder>-". Servers
 * sharing the host (cluster nodes, tests) each sweep only their own; the hash names no case or recording.
 */
export function playbackScratchPrefix(workRoot: string, root = scratchRoot().root): string {
  const tag = sha256(path.resolve(workRoot)).toString('hex').slice(0, 16);
  return path.join(root, `vj-pb-${tag}-`);
}

/** A fresh folder only this user can enter (mkdtemp makes it 0700). */
export function makeScratch(prefix: string): string {
  const dir = fs.mkdtempSync(prefix);
  fs.chmodSync(dir, 0o700);
  return dir;
}

/** Removes every scratch folder with this prefix: what a killed server left. Returns how many. */
export function sweepScratch(prefix: string): number {
  const parent = path.dirname(prefix);
  const base = path.basename(prefix);
  let removed = 0;
  for (const name of fs.existsSync(parent) ? fs.readdirSync(parent) : []) {
    if (!name.startsWith(base)) continue;
    fs.rmSync(path.join(parent, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
