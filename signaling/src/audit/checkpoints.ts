import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { errorFields, type Logger } from '@vj/shared';
import type { Db } from '../db/db.js';
import { isSuite, mac, macEqual, type SuiteId } from '../security/crypto.js';
import type { IntegrityKeyring } from '../security/system-keys.js';
import { verifyAuditChain, type VerifyResult } from './verify.js';

export interface Checkpoint {
  seq: string;
  hash: string;
  at: string;
  suite: SuiteId;
  mac: string;
}

export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

function sign(keys: IntegrityKeyring, suite: SuiteId, c: Omit<Checkpoint, 'mac' | 'suite'>): Buffer {
  return mac(suite, keys.key('audit-checkpoint', suite), 'audit-checkpoint', c.seq, c.hash, c.at);
}

/** One line as a checkpoint, or undefined when it is not one (then it counts as forged). */
function parseLine(line: string): Checkpoint | undefined {
  let c: Checkpoint;
  try {
    c = JSON.parse(line) as Checkpoint;
  } catch {
    return undefined;
  }
  const ok =
    typeof c === 'object' &&
    c !== null &&
    typeof c.seq === 'string' &&
    /^\d+$/.test(c.seq) &&
    typeof c.hash === 'string' &&
    typeof c.at === 'string' &&
    isSuite(c.suite) &&
    typeof c.mac === 'string';
  return ok ? c : undefined;
}

/**
 * Signed checkpoints of the audit chain's head, kept outside the database: a file under DATA_DIR (one JSON
 * line each, appended) and the log. Someone who can rewrite the database but not this file cannot cut rows from
 * the end of the chain unnoticed; `audit:verify` and the console's check read them without anybody typing an
 * anchor. A line whose MAC fails is reported, not trusted.
 */
export class AuditCheckpoints {
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly keys: IntegrityKeyring,
    private readonly log: Logger,
  ) {
    this.file = path.join(dataDir, CHECKPOINT_FILE);
  }

  write(head: { seq: string; hash: string }): Checkpoint {
    const body = { seq: head.seq, hash: head.hash, at: new Date().toISOString() };
    const c: Checkpoint = { ...body, suite: this.keys.suite, mac: sign(this.keys, this.keys.suite, body).toString('hex') };
    // One write of one short line with O_APPEND: nodes sharing the directory never interleave inside a line.
    fs.appendFileSync(this.file, `${JSON.stringify(c)}\n`, { mode: 0o600 });
    this.log.info('audit checkpoint', { seq: c.seq, hash: c.hash, mac: c.mac });
    return c;
  }

  /**
   * Every line in order, each valid one (its MAC holds) handed to `onValid`; answers how many were forged. Streamed a
   * chunk at a time: the file grows by a line per checkpoint for as long as the system runs, and reading and checking
   * it all in one synchronous call would stall every request on this node meanwhile (the security page reads it).
   */
  private async scan(onValid: (c: Checkpoint) => void): Promise<number> {
    const stream = fs.createReadStream(this.file, { encoding: 'utf8', highWaterMark: 16 * 1024 });
    let forged = 0;
    try {
      for await (const line of readline.createInterface({ input: stream, crlfDelay: Infinity })) {
        if (!line.trim()) continue;
        const c = parseLine(line);
        if (c && macEqual(sign(this.keys, c.suite, c), Buffer.from(c.mac, 'hex'))) onValid(c);
        else forged++;
      }
    } catch (err) {
      // No file yet: no checkpoint has been written.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    } finally {
      stream.destroy();
    }
    return forged;
  }

  /** Every valid checkpoint, oldest first, and how many lines fail their signature. */
  async read(): Promise<{ valid: Checkpoint[]; forged: number }> {
    const valid: Checkpoint[] = [];
    const forged = await this.scan((c) => valid.push(c));
    return { valid, forged };
  }

  /** The newest valid checkpoint and how many lines fail, without holding the file's checkpoints in memory. */
  async latest(): Promise<{ last: Checkpoint | undefined; forged: number }> {
    let last: Checkpoint | undefined;
    const forged = await this.scan((c) => (last = c));
    return { last, forged };
  }

  /** The whole chain against every valid checkpoint; forged checkpoint lines make the verdict fail. */
  async verify(db: Db): Promise<VerifyResult & { forgedCheckpoints: number }> {
    const { valid, forged } = await this.read();
    const r = await verifyAuditChain(db, { checkpoints: valid });
    return { ...r, ok: r.ok && forged === 0, forgedCheckpoints: forged };
  }
}

/**
 * Every interval: verify what was appended since the last checkpoint and, if it holds, checkpoint the new head.
 * A break raises `onBroken` (alert + log) and writes no checkpoint over it.
 */
export class CheckpointJob {
  private timer: NodeJS.Timeout | undefined;
  private last: { seq: string; hash: string } | undefined;
  private running: Promise<void> | undefined;
  private reported: string | undefined;

  constructor(
    private readonly db: Db,
    private readonly checkpoints: AuditCheckpoints,
    private readonly log: Logger,
    private readonly onBroken: (r: VerifyResult) => void,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /** One pass; also called at shutdown so the final head is checkpointed. */
  tick(): Promise<void> {
    return (this.running ??= this.pass()
      .catch((err) => this.log.warn('audit checkpoint failed', errorFields(err)))
      .finally(() => (this.running = undefined)));
  }

  private async pass(): Promise<void> {
    // The first pass walks the whole chain against every checkpoint; later ones only what is new.
    const r = this.last ? await verifyAuditChain(this.db, { from: this.last }) : await this.checkpoints.verify(this.db);
    if (!r.ok) {
      // Reported once per break, not at every interval while it lasts.
      const key = `${r.firstBroken?.seq}:${r.firstBroken?.problem}`;
      if (key !== this.reported) this.onBroken(r);
      this.reported = key;
      return;
    }
    if (r.head && r.head.seq !== this.last?.seq) {
      this.checkpoints.write(r.head);
      this.last = r.head;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.tick();
  }
}
