import net from 'node:net';
import os from 'node:os';
import { errorFields, type Logger } from '@vj/shared';
import type { Db } from '../db/db.js';
import { ABOUT_SEALED, SEALED_MATTERS, redactedRowFields, type CheckedAuditRow } from './about-sealed.js';
import { auditRowFields } from './audit-log.js';

const BATCH = 500;
/** Facility 13 (log audit), severity 6 (informational). */
const PRI = 13 * 8 + 6;
/** The SD-ID's enterprise number is the one RFC 5612 reserves for documentation: replace it with your own. */
const SD_ID = 'vj@32473';

const sdValue = (v: string) => v.replace(/["\\\]]/g, (c) => `\\${c}`);

/**
 * One audit row as an RFC 5424 message in an octet-counted frame (RFC 6587): ids only, as in the table, plus
 * the row's chain link so the collector can hold what it got against the chain. A row about a sealed matter is
 * redacted as in the export (issue 16): seq, time, action and object type, no actor, object, township or details.
 * Only rows shipped after the seal can be: one shipped before it is on the collector and cannot be recalled
 * (a matter sealed at intake has no such rows; one sealed later may, with its township and category).
 */
export function syslogFrame(row: CheckedAuditRow, hostname: string, app = 'shipin-jiefang'): Buffer {
  const sd = `[${SD_ID} seq="${row.seq}" action="${sdValue(row.action)}" suite="${sdValue(row.suite)}" hash="${row.hash.toString('hex')}"]`;
  const msg = JSON.stringify(row.about_sealed ? redactedRowFields(row) : auditRowFields(row));
  const text = Buffer.from(`<${PRI}>1 ${row.at.toISOString()} ${hostname} ${app} ${process.pid} audit ${sd} ${msg}`, 'utf8');
  return Buffer.concat([Buffer.from(`${text.length} `), text]);
}

/**
 * Sends every audit row to a syslog collector, in order, from where it last got to. It runs beside the audited
 * actions, never in their way: a collector that is down costs nothing but a growing backlog, which is sent when
 * it is back. Delivery is at least once (a crash between sending and recording the cursor sends a batch again);
 * each message carries its sequence number, so the collector can drop repeats.
 */
export class SyslogShipper {
  private timer: NodeJS.Timeout | undefined;
  private socket: net.Socket | undefined;
  private running: Promise<void> | undefined;
  private down = false;
  private closed = false;
  readonly target: string;

  constructor(
    private readonly db: Db,
    url: string,
    private readonly log: Logger,
    private readonly hostname = os.hostname(),
  ) {
    this.target = url;
  }

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  /** One pass: sends what is new, up to a batch. Safe to call at any time; overlapping calls share one pass. */
  tick(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return (this.running ??= this.pass().finally(() => (this.running = undefined)));
  }

  private async pass(): Promise<void> {
    try {
      await this.db.query('INSERT INTO audit_shipping (target) VALUES ($1) ON CONFLICT (target) DO NOTHING', [this.target]);
      await this.db.tx(async (q) => {
        // Locked while the batch goes out: another node finds it taken and skips this turn.
        const cur = await q.query<{ shipped_seq: string }>('SELECT shipped_seq FROM audit_shipping WHERE target = $1 FOR UPDATE SKIP LOCKED', [this.target]);
        if (!cur.rows[0]) return;
        // Whether a row is about a sealed matter is decided as it is sent: a seal since it was written counts.
        const rows = await q.query<CheckedAuditRow>(
          `WITH ${SEALED_MATTERS} SELECT a.*, ${ABOUT_SEALED} AS about_sealed FROM audit_log a WHERE a.seq > $1 ORDER BY a.seq LIMIT $2`,
          [cur.rows[0].shipped_seq, BATCH],
        );
        if (!rows.rows.length) return;
        await this.send(Buffer.concat(rows.rows.map((r) => syslogFrame(r, this.hostname))));
        await q.query('UPDATE audit_shipping SET shipped_seq = $2 WHERE target = $1', [this.target, rows.rows.at(-1)!.seq]);
      });
      if (this.down) this.log.info('syslog collector reachable again; the audit backlog is being sent', { target: this.target });
      this.down = false;
    } catch (err) {
      this.socket?.destroy();
      this.socket = undefined;
      // Said once per outage, not once a second.
      if (!this.down) this.log.warn('syslog collector unreachable; audit rows wait and are sent when it is back', { target: this.target, ...errorFields(err) });
      this.down = true;
    }
  }

  private async connection(): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed && !this.socket.readableEnded) return this.socket;
    this.socket?.destroy();
    const [host, port] = this.target.replace(/^tcp:\/\//, '').split(':') as [string, string];
    const socket = net.connect({ host, port: Number(port) });
    socket.setKeepAlive(true, 10_000);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connect timeout')), 5000);
      socket.once('connect', () => (clearTimeout(timer), resolve()));
      socket.once('error', (err) => (clearTimeout(timer), reject(err)));
    });
    // A collector that goes away is found on the next write; until then nothing is read from it.
    socket.on('error', () => socket.destroy());
    socket.on('data', () => {});
    this.socket = socket;
    return socket;
  }

  private async send(data: Buffer): Promise<void> {
    const socket = await this.connection();
    await new Promise<void>((resolve, reject) => {
      socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
    // A peer that closed is only noticed on the next write: send nothing on a socket that has ended.
    if (socket.destroyed || socket.readableEnded) throw new Error('collector closed the connection');
  }

  /** Safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
    this.socket?.destroy();
  }
}
