import {
  AppError,
  errorFields,
  type DtlsParameters,
  type KioskCheckReport,
  type KioskCheckView,
  type Logger,
  type MediaKind,
  type RtpCapabilities,
  type RtpParameters,
  type SfuApi,
  type TransportOptions,
  ERROR_MESSAGES,
} from '@vj/shared';
import type { AlertService } from '../alerts/alert-service.js';
import type { Db } from '../db/db.js';
import type { Presence } from '../presence/presence.js';
import { newId } from '../security/crypto.js';

/** A check not finished in this time is abandoned and its router closed (a kiosk that crashed mid-check). */
export const CHECK_TIMEOUT_MS = 30_000;
/** A failed check is asked for again after this long; a passed one the next day. */
export const RECHECK_FAILED_MS = 10 * 60_000;
/** Over these a call still connects but will hurt: the round trip makes people talk over each other. */
const SLOW_RTT_MS = 300;
const SLOW_CONNECT_MS = 5000;

interface OpenCheck {
  room: string;
  deviceId: string;
  socketId: string;
  transportId: string;
  producers: Map<MediaKind, string>;
  timer: NodeJS.Timeout;
}

/**
 * Judges a kiosk's own report against what the SFU received. The kiosk can tell whether its camera gave frames
 * and its microphone heard anything; only the SFU can tell whether they arrived. Nothing received at all is a
 * network failure (the camera's and microphone's own verdicts stand); video missing while sound arrived is the
 * camera's; sound missing while video arrived is the microphone's.
 */
export function judge(report: KioskCheckReport, received: Record<MediaKind, number>, produced: number): Omit<KioskCheckView, 'at'> {
  const nothing = received.audio === 0 && received.video === 0;
  // With neither camera nor microphone open there was nothing to send: the network went untested.
  const network =
    produced === 0 ? 'untested' : nothing ? 'failed' : (report.rttMs ?? 0) > SLOW_RTT_MS || (report.connectMs ?? 0) > SLOW_CONNECT_MS ? 'slow' : 'ok';
  const camera = report.camera === 'ok' && (nothing || received.video > 0) ? 'ok' : 'failed';
  const microphone = report.microphone !== 'failed' && !nothing && received.audio === 0 ? 'failed' : report.microphone;
  // 'untested' only happens with both devices failed, so it never makes a check pass.
  // A pass needs both devices' media to have arrived, whatever the kiosk claims.
  const ok = camera === 'ok' && microphone === 'ok' && (network === 'ok' || network === 'slow') && received.audio > 0 && received.video > 0;
  return { ok, camera, microphone, network, rttMs: report.rttMs === null ? null : Math.round(report.rttMs) };
}

/**
 * The kiosk's check of itself before the day's first call: a router and a send transport of its own, to which
 * the kiosk publishes its camera and microphone for a few seconds. The result is kept (one row per check), shown
 * on the room's wall tile, and a failure raises the room's device-fault alert so the county knows before a
 * villager arrives. One check per room at a time; the socket that started it is the only one that may use it.
 */
export class KioskChecks {
  private readonly open = new Map<string, OpenCheck>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly sfu: SfuApi,
    private readonly presence: Presence,
    private readonly alerts: AlertService,
    private readonly roomChanged: (room: string) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /**
   * Whether the room's kiosk should check itself now: no check yet today (the server's day: set TZ), or its last
   * one failed more than RECHECK_FAILED_MS ago.
   */
  async due(room: string, now = new Date()): Promise<boolean> {
    const last = (await this.presence.get([room]))[0]?.check;
    if (!last) return true;
    const at = new Date(last.at);
    if (at.toDateString() !== now.toDateString()) return true;
    return !last.ok && now.getTime() - at.getTime() >= RECHECK_FAILED_MS;
  }

  /** Every `intervalMs`, asks each online kiosk whose check is due (a kiosk left running for days, a failed one). */
  startDueSweep(rooms: string[], ask: (socketId: string) => void, intervalMs = RECHECK_FAILED_MS / 2): void {
    this.sweep = setInterval(() => {
      void (async () => {
        for (const room of rooms) {
          const kiosk = await this.presence.kiosk(room);
          if (kiosk && (await this.due(room))) ask(kiosk.socketId);
        }
      })().catch((err) => this.log.warn('device check sweep failed', errorFields(err)));
    }, intervalMs);
    this.sweep.unref();
  }

  /** Puts each room's last check back on the wall after a start (or after Redis came back empty). */
  async load(rooms: string[]): Promise<void> {
    const r = await this.db.query<{
      room_code: string;
      checked_at: Date;
      ok: boolean;
      camera: string;
      microphone: string;
      network: string;
      rtt_ms: number | null;
    }>(
      `SELECT DISTINCT ON (room_code) room_code, checked_at, ok, camera, microphone, network, rtt_ms
         FROM kiosk_checks WHERE room_code = ANY($1) ORDER BY room_code, checked_at DESC`,
      [rooms],
    );
    for (const row of r.rows) {
      await this.presence.setCheck(row.room_code, {
        at: row.checked_at.toISOString(),
        ok: row.ok,
        camera: row.camera as KioskCheckView['camera'],
        microphone: row.microphone as KioskCheckView['microphone'],
        network: row.network as KioskCheckView['network'],
        rttMs: row.rtt_ms,
      });
    }
  }

  /** The kiosk's socket went away (a drop, a revoked credential): its check ends with it. */
  async socketClosed(socketId: string): Promise<void> {
    for (const [id, c] of [...this.open]) if (c.socketId === socketId) await this.close(id);
  }

  async start(room: string, deviceId: string, socketId: string): Promise<{ checkId: string; rtpCapabilities: RtpCapabilities; transport: TransportOptions }> {
    for (const [id, c] of [...this.open]) if (c.room === room) await this.close(id);
    const checkId = newId();
    // Claimed before the first await, so two starts at once cannot both get past the clean-up above unseen.
    const timer = setTimeout(() => void this.close(checkId), CHECK_TIMEOUT_MS);
    timer.unref();
    const entry: OpenCheck = { room, deviceId, socketId, transportId: '', producers: new Map(), timer };
    this.open.set(checkId, entry);
    try {
      const { rtpCapabilities } = await this.sfu.request('createRouter', { sessionId: checkId });
      const transport = await this.sfu.request('createWebRtcTransport', { sessionId: checkId, peerId: checkId, direction: 'send' });
      entry.transportId = transport.id;
      // Closed meanwhile (the socket dropped, a newer start): its router goes too.
      if (this.open.get(checkId) !== entry) throw new AppError('INVALID_STATE', ERROR_MESSAGES.kioskCheck.closed);
      return { checkId, rtpCapabilities, transport };
    } catch (err) {
      // Still ours: close it all. Closed meanwhile: only the router made after that close is left.
      if (this.open.get(checkId) === entry) await this.close(checkId);
      else await this.dropRouter(checkId);
      throw err;
    }
  }

  private mine(checkId: string, socketId: string): OpenCheck {
    const c = this.open.get(checkId);
    if (!c || c.socketId !== socketId || !c.transportId) throw new AppError('NOT_FOUND', ERROR_MESSAGES.kioskCheck.notFound);
    return c;
  }

  async connect(checkId: string, socketId: string, dtlsParameters: DtlsParameters): Promise<void> {
    const c = this.mine(checkId, socketId);
    await this.sfu.request('connectTransport', { sessionId: checkId, peerId: checkId, transportId: c.transportId, dtlsParameters });
  }

  async produce(checkId: string, socketId: string, kind: MediaKind, rtpParameters: RtpParameters): Promise<string> {
    const c = this.mine(checkId, socketId);
    if (c.producers.has(kind)) throw new AppError('INVALID_STATE', ERROR_MESSAGES.kioskCheck.trackTwice);
    const source = kind === 'video' ? 'camera' : 'microphone';
    const { producerId } = await this.sfu.request('produce', { sessionId: checkId, peerId: checkId, transportId: c.transportId, kind, rtpParameters, source });
    c.producers.set(kind, producerId);
    return producerId;
  }

  async finish(checkId: string, socketId: string, report: KioskCheckReport): Promise<KioskCheckView> {
    const c = this.mine(checkId, socketId);
    // Taken out first: a second finish for the same check finds nothing and writes nothing.
    this.open.delete(checkId);
    const received: Record<MediaKind, number> = { audio: 0, video: 0 };
    try {
      for (const [kind, producerId] of c.producers) {
        received[kind] = (await this.sfu.request('producerStats', { sessionId: checkId, peerId: checkId, producerId })).packetCount;
      }
    } finally {
      clearTimeout(c.timer);
      await this.dropRouter(checkId);
    }
    const verdict = judge(report, received, c.producers.size);
    const row = await this.db.query<{ checked_at: Date }>(
      `INSERT INTO kiosk_checks (room_code, device_id, ok, camera, microphone, network, rtt_ms, connect_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING checked_at`,
      [
        c.room,
        c.deviceId,
        verdict.ok,
        verdict.camera,
        verdict.microphone,
        verdict.network,
        verdict.rttMs,
        report.connectMs === null ? null : Math.round(report.connectMs),
      ],
    );
    const check: KioskCheckView = { at: row.rows[0]!.checked_at.toISOString(), ...verdict };
    await this.presence.setCheck(c.room, check);
    if (!verdict.ok) this.alerts.raise('kiosk_check_failed', c.room, `kiosk_check_failed:${c.room}`);
    else this.alerts.resolve(`kiosk_check_failed:${c.room}`);
    this.log.info('kiosk checked itself', {
      room: c.room,
      ok: verdict.ok,
      camera: verdict.camera,
      microphone: verdict.microphone,
      network: verdict.network,
      rttMs: verdict.rttMs,
      audioPackets: received.audio,
      videoPackets: received.video,
    });
    await this.roomChanged(c.room);
    return check;
  }

  /** Safe to call twice. */
  async close(checkId: string): Promise<void> {
    const c = this.open.get(checkId);
    if (!c) return;
    this.open.delete(checkId);
    clearTimeout(c.timer);
    await this.dropRouter(checkId);
  }

  private async dropRouter(checkId: string): Promise<void> {
    await this.sfu
      .request('closeRouter', { sessionId: checkId, reason: 'session_ended' })
      .catch((err) => this.log.warn('device check router not closed', { checkId, ...errorFields(err) }));
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweep);
    for (const id of [...this.open.keys()]) await this.close(id);
  }
}
