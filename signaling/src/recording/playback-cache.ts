/** An assembled recording, decrypted, held only in memory. */
export interface Assembled {
  data: Buffer;
  contentType: string;
}

interface Entry {
  value: Assembled;
  recordingId: string;
  countyOnly: boolean;
  timer: NodeJS.Timeout;
}

/**
 * The few most recently played recordings, so a player's byte-range requests (one per seek) do not assemble
 * the file again each time. Bounded in entries and bytes, least recently used out first; an entry leaves when
 * its grant expires. Holding it here grants nothing: every request re-checks the grant before it is read.
 */
export class AssembledCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get(playbackId: string): Assembled | undefined {
    const e = this.entries.get(playbackId);
    if (!e) return undefined;
    // Map order is insertion order: re-inserting marks it most recently used.
    this.entries.delete(playbackId);
    this.entries.set(playbackId, e);
    return e.value;
  }

  /** Keeps it until `expiresAt`; false (and not kept) when it alone exceeds the byte budget. */
  put(playbackId: string, meta: { recordingId: string; countyOnly: boolean; expiresAt: Date }, value: Assembled): boolean {
    this.delete(playbackId);
    const ms = meta.expiresAt.getTime() - Date.now();
    if (value.data.length > this.maxBytes || ms <= 0) return false;
    while (this.entries.size >= this.maxEntries || this.bytes + value.data.length > this.maxBytes) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
    const timer = setTimeout(() => this.delete(playbackId), ms);
    timer.unref();
    this.entries.set(playbackId, { value, recordingId: meta.recordingId, countyOnly: meta.countyOnly, timer });
    this.bytes += value.data.length;
    return true;
  }

  delete(playbackId: string): void {
    const e = this.entries.get(playbackId);
    if (!e) return;
    clearTimeout(e.timer);
    this.entries.delete(playbackId);
    this.bytes -= e.value.data.length;
  }

  /** Drops the township copies of a recording (its grant was withdrawn). */
  dropTownship(recordingId: string): void {
    for (const [id, e] of [...this.entries]) if (e.recordingId === recordingId && !e.countyOnly) this.delete(id);
  }

  clear(): void {
    for (const id of [...this.entries.keys()]) this.delete(id);
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }
}
