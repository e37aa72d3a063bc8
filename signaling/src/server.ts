import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, errorFields } from '@vj/shared';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import { openDatabase, type Db } from './db/db.js';
import { migrate } from './db/migrate.js';
import { auditTablePrivileges } from './db/privileges.js';
import { KioskOfflineWatch } from './alerts/kiosk-offline-watch.js';
import { DEMO_USERS, enrolDemoSecondFactor, loadRooms, registerKioskDevice, seedDemoRegistry, seedDemoUsers, syncRooms } from './db/seed.js';
import { createApp } from './http/app.js';
import { createIo, ioDisconnector, ioNotifier, localCountyReaders, registerRealtime } from './realtime/io.js';
import { loadOrCreateDemoSecrets, type DemoSecrets } from './security/demo-secrets.js';
import { MasterKeys } from './security/crypto.js';
import { KeyRing } from './security/jwt.js';
import { AuditCheckpoints, CheckpointJob } from './audit/checkpoints.js';
import { SyslogShipper } from './audit/syslog-shipper.js';
import { IntegrityAlarm } from './security/integrity-alarm.js';
import { sealExistingIdentities } from './security/integrity-backfill.js';
import { loadSystemKeys } from './security/system-keys.js';
import { SecondFactor } from './auth/second-factor.js';
import { AuthSessions } from './auth/auth-sessions.js';
import { Attachments } from './petitions/attachments.js';
import { PetitionService } from './petitions/petition-service.js';
import { ReceiptLookup } from './petitions/receipts.js';
import { SatisfactionService } from './cases/satisfaction-service.js';
import { CaseService } from './cases/case-service.js';
import { SealedMatters } from './cases/sealed.js';
import { DeadlineJob } from './cases/deadline-job.js';
import { recomputeClocks } from './cases/clock-recompute.js';
import { RegistryImporter } from './registry/importer.js';
import { DemoCountyLoader } from './discipline/demo-county.js';
import { DisciplineQuery } from './discipline/discipline-query.js';
import { Recommendations } from './discipline/recommendations.js';
import { IntegrityArchive } from './discipline/integrity-archive.js';
import { UnitReports } from './discipline/unit-reports.js';
import { ArchiveImporter } from './discipline/archive-import.js';
import { IntegrityOpinions } from './discipline/integrity-opinions.js';
import { DisciplineVisits } from './discipline/discipline-visits.js';
import { backfillNameKeys } from './discipline/people-store.js';
import { backfillAccusedPinyin } from './petitions/accused-pinyin.js';
import { Playback } from './recording/playback.js';
import { secureDataDirLogged } from './db/data-dir-perms.js';
import { RetentionJob } from './recording/retention.js';
import { RecordingService } from './recording/recording-service.js';
import { RecorderPorts } from './recording/recorder-ports.js';
import { monotonic } from './recording/stall-watch.js';
import { SegmentStore } from './recording/segment-store.js';
import { CallService } from './sessions/call-service.js';
import { SessionStore } from './sessions/session-store.js';
import { Reconnect } from './sessions/reconnect.js';
import { withdrawAgain } from './sessions/withdraw.js';
import { evictEverywhere } from './sessions/access-end.js';
import { KioskChecks } from './sessions/kiosk-check.js';
import { LinkWatch } from './sessions/link-watch.js';
import { Supervision } from './sessions/supervision.js';
import { Timeline } from './sessions/timeline.js';
import { WallService } from './sessions/wall.js';
import { GoneSockets } from './sessions/gone-sockets.js';
import { AlertService } from './alerts/alert-service.js';
import { CountyAlerts } from './alerts/county-alerts.js';
import { OfficeHours } from './alerts/office-hours.js';
import { openTopology } from './topology.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunningServer {
  url: string;
  port: number;
  db: Db;
  ctx: AppContext;
  demo: DemoSecrets | undefined;
  rooms: { code: string; name: string }[];
  /** Stops everything; `why` (the signal, for a normal stop) goes on the timeline of every open session. */
  close(why?: string): Promise<void>;
}

export function loadMasterKeys(config: Config, demo: DemoSecrets | undefined): MasterKeys {
  if (config.masterKeys) return MasterKeys.parse(config.masterKeys, config.cryptoSuite);
  if (config.masterKeyFile) return MasterKeys.parse(fs.readFileSync(config.masterKeyFile, 'utf8'), config.cryptoSuite);
  if (demo) return MasterKeys.parse(demo.masterKeys, config.cryptoSuite);
  throw new Error('no master keys configured');
}

/** Starts the single-process system: HTTP + socket.io signaling with the SFU in the same process. */
export async function startServer(config: Config, logSink?: (line: string) => void): Promise<RunningServer> {
  const log = createLogger('signaling', config.logLevel, logSink);
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // Private before anything is read or written (DATA_DIR 0700, files 0600); again once PGlite has opened (below).
  secureDataDirLogged(config.dataDir, log, 'start');
  const roomsFile = loadRooms(config.roomsFile);
  const codes = roomsFile.rooms.map((r) => r.code);

  const demo = config.demo ? loadOrCreateDemoSecrets(config.dataDir, codes) : undefined;
  const keys = config.jwtSecrets ? KeyRing.parse(config.jwtSecrets) : new KeyRing([demo!.jwt]);
  const masterKeys = loadMasterKeys(config, demo);

  const db = await openDatabase(config, log.child('db'));
  const cleanups: (() => Promise<unknown>)[] = [() => db.close()];
  try {
    await migrate(db, log.child('migrate'));
    if (db.kind === 'postgres') {
      const priv = await auditTablePrivileges(db);
      if (priv.canRewrite && !config.demo && !config.allowPrivilegedDb) {
        throw new Error(
          `production refuses to run as database role "${priv.role}": it can rewrite or switch off the audit table. Migrate with the owner role (npm run db:migrate) and connect the server as a role with SELECT and INSERT only on audit_log (README: Deploying). VJ_ALLOW_PRIVILEGED_DB=1 overrides, at the cost of the audit guarantee.`,
        );
      }
      if (priv.canRewrite) log.warn('the database role can rewrite the audit table; production needs a restricted role', { role: priv.role });
    }
    // PGlite's initdb chmods its files 0666 and rewrites a few 0644 at open, whatever the umask.
    secureDataDirLogged(config.dataDir, log, 'database-open');
    // Keys before anything audited: a wrong master key or an altered key table stops the start here.
    const loadedKeys = await loadSystemKeys(db, masterKeys, log.child('keys'));
    db.integrity = loadedKeys.keys;
    if (loadedKeys.created) await sealExistingIdentities(db, log.child('keys'));
    // Petitions from before matter classes get the clocks of their class, audited (migration 0020).
    await recomputeClocks(db, log.child('cases'));
    await syncRooms(db, roomsFile.rooms);
    const secondFactor = new SecondFactor(db, masterKeys, () => loadedKeys.keys, config.totpIssuer);
    if (demo) {
      await seedDemoUsers(db, DEMO_USERS, config.cryptoSuite);
      await seedDemoRegistry(db);
      // The demo accounts whose role needs a second factor get the printed demo secret (banner.ts).
      if (config.secondFactor) await enrolDemoSecondFactor(db, secondFactor, demo.totp);
      for (const [room, credential] of Object.entries(demo.kiosks)) if (codes.includes(room)) await registerKioskDevice(db, room, credential, 'demo');
    }
    const store = new SessionStore(db);

    const topology = await openTopology(config, log);
    cleanups.unshift(() => topology.close());
    const { sfu, presence, rateLimiter, cluster } = topology;

    const server = config.tls
      ? https.createServer({ cert: fs.readFileSync(config.tls.certFile), key: fs.readFileSync(config.tls.keyFile) })
      : http.createServer();
    const auth = new AuthSessions(db, config.secondFactor);
    const io = createIo(server, keys, auth, log.child('realtime'));
    topology.attachSockets(io);

    const notifier = ioNotifier(io);
    // Each node sends the alert bar to its own county consoles, each without the matters that name its user (回避).
    const alerts = new AlertService(new OfficeHours(config.officeHours.hours, config.officeHours.days), () => void countyAlerts.publish());
    const countyAlerts = new CountyAlerts(
      db,
      () => alerts.list(),
      () => localCountyReaders(io),
      log.child('alerts'),
    );
    // Every change to the alert bar goes to the other nodes, so any node can list and acknowledge any alert
    // (the local bus hears only itself, and drops its own changes as every node does).
    const { bus } = cluster;
    alerts.replicate = (change) => void bus.broadcast({ type: 'alert', from: bus.nodeId, change }).catch(() => log.warn('alert change not shared'));
    bus.onMessage((msg) => {
      if (msg.type !== 'alert' || msg.from === bus.nodeId) return;
      alerts.apply(msg.change);
      void countyAlerts.publish();
    });
    // Sockets that closed: the wall and the live sessions read one record (gone-sockets.ts).
    const goneSockets = new GoneSockets();
    const wall = new WallService(sfu, notifier, log.child('wall'), topology.wallSite, goneSockets);
    wall.startSweep();
    cleanups.unshift(async () => wall.close());
    const calls = new CallService(
      store,
      new Timeline(db),
      presence,
      sfu,
      notifier,
      alerts,
      wall,
      log.child('calls'),
      roomsFile.rooms,
      { escalateAfterMs: config.escalateAfterMs },
      cluster,
    );
    const supervision = new Supervision(calls);
    new LinkWatch(calls, new Timeline(db), sfu, log.child('link'));
    const roomCodes = roomsFile.rooms.map((r) => r.code);
    const kioskChecks = new KioskChecks(db, sfu, presence, alerts, (room) => calls.broadcastRoom(room), log.child('check'));
    // With the check off, an old result would sit on the wall for ever: none is shown.
    if (config.kioskSelfCheck) await kioskChecks.load(roomCodes);
    cleanups.unshift(() => kioskChecks.closeAll());
    // Each node asks only the kiosks connected to it, so a kiosk is asked once however many nodes there are.
    if (config.kioskSelfCheck)
      kioskChecks.startDueSweep(roomCodes, (socketId) => io.of('/').sockets.has(socketId) && notifier.toSocket(socketId, 'kiosk:checkDue', {}));
    const reconnect = new Reconnect(
      calls,
      config.reconnectGraceMs,
      (sessionId, answeredBy) => withdrawAgain({ calls, db, log }, sessionId, answeredBy),
      goneSockets,
    );
    cluster.ownership.onOrphans((ids) => {
      reconnect.restore(ids).catch((err) => log.error('could not take over sessions of a dead node', errorFields(err)));
    });
    const router = topology.router(calls, reconnect);
    const stopWatching = await topology.watchRedis(async () => {
      await cluster.ownership.reassert();
      for (const socketId of io.of('/').sockets.keys()) await cluster.ownership.socketOpened(socketId);
      await calls.reassert();
      if (config.kioskSelfCheck) await kioskChecks.load(roomCodes);
    }, log.child('redis'));
    cleanups.unshift(stopWatching);
    const picked = await reconnect.restore();
    // Rooms whose kiosk should be online and is not, including one that never came back after a restart.
    const offlineWatch = new KioskOfflineWatch(
      db,
      presence,
      alerts,
      roomsFile.rooms.map((r) => r.code),
      config.kioskOfflineGraceMs,
      log.child('alerts'),
    );
    offlineWatch.start(Math.min(15_000, Math.max(1000, config.kioskOfflineGraceMs / 4)));
    cleanups.unshift(async () => offlineWatch.close());
    if (picked) log.info('picked up sessions left open by the previous run', { count: picked });
    const integrityAlarm = new IntegrityAlarm(db, log.child('integrity'), (key, room) => alerts.raise('integrity_failed', room, key));
    const checkpoints = new AuditCheckpoints(config.dataDir, loadedKeys.keys, log.child('audit'));
    const checkpointJob = new CheckpointJob(
      db,
      checkpoints,
      log.child('audit'),
      (r) => void integrityAlarm.report({ what: 'audit_log', objectId: r.firstBroken?.seq ?? '0' }),
    );
    checkpointJob.start(config.auditCheckpointMs);
    void checkpointJob.tick();
    cleanups.unshift(() => checkpointJob.close());
    if (config.auditSyslog) {
      const shipper = new SyslogShipper(db, config.auditSyslog, log.child('audit'));
      shipper.start();
      void shipper.tick();
      cleanups.unshift(() => shipper.close());
    }
    const petitions = new PetitionService(db, masterKeys, { alarm: integrityAlarm });
    const segments = new SegmentStore(db, masterKeys, path.join(config.dataDir, 'recordings'));
    const recordingWork = topology.recordingWork;
    await topology.recoverRecordings(db, segments, log.child('recording'));
    const recorder = new RecordingService(
      db,
      sfu,
      segments,
      alerts,
      log.child('recording'),
      recordingWork,
      (sessionId, state) => calls.recordingChanged(sessionId, state),
      monotonic,
      new RecorderPorts(config.recorderPorts),
    );
    if (config.recording) calls.recorder = recorder;
    const retention = new RetentionJob(db, segments, log.child('retention'));
    retention.start(config.deadlineSweepMs);
    cleanups.unshift(async () => retention.close());
    const discipline = new DisciplineQuery(db);
    await backfillNameKeys(db);
    await backfillAccusedPinyin(db);
    const demoCounty = new DemoCountyLoader(db, log.child('demo-county'));
    demoCounty.start(config.demoCounty, roomsFile.rooms);
    cleanups.unshift(() => demoCounty.stop());
    const archive = new IntegrityArchive(db);
    const registry = new RegistryImporter(
      db,
      new Map(
        roomsFile.rooms.flatMap(
          (r) =>
            [
              [r.code, r.code],
              [r.name, r.code],
            ] as const,
        ),
      ),
      log.child('registry'),
    );
    await registry.recover(topology.kind !== 'cluster');
    if (topology.kind === 'cluster') {
      const sweep = setInterval(() => void registry.recover(false).catch((err) => log.warn('stale imports not swept', errorFields(err))), 60_000);
      sweep.unref();
      cleanups.unshift(async () => clearInterval(sweep));
    }
    const deadlines = new DeadlineJob(db, log.child('deadlines'), undefined, (overdue) =>
      alerts.sync(
        'case_overdue',
        overdue.map((c) => ({ key: `case_overdue:${c.id}`, roomCode: c.townshipCode, caseCode: c.caseCode })),
      ),
    );
    deadlines.shareRefresh = () =>
      void bus
        .broadcast({ type: 'overdueChanged', from: bus.nodeId })
        .catch((err) => log.warn('overdue refresh not shared; their next sweep will', errorFields(err)));
    bus.onMessage(
      (msg) =>
        msg.type === 'overdueChanged' &&
        msg.from !== bus.nodeId &&
        void deadlines.publishOverdue().catch((err) => log.warn('overdue alerts not refreshed on request; the next sweep will', errorFields(err))),
    );
    deadlines.start(config.deadlineSweepMs);
    cleanups.unshift(() => deadlines.close());
    // Step evidence no step claimed within a day is swept on the deadline sweep's period.
    const attachments = new Attachments(db, petitions.vault, log.child('attachments'));
    attachments.startSweep(config.deadlineSweepMs);
    cleanups.unshift(() => attachments.close());
    const receipts = new ReceiptLookup(db, rateLimiter);
    const ctx: AppContext = {
      config,
      log,
      db,
      keys,
      sfu,
      presence,
      rateLimiter,
      calls,
      countyAlerts,
      supervision,
      reconnect,
      router,
      kioskChecks,
      auth,
      secondFactor,
      petitions,
      attachments,
      receipts,
      satisfaction: new SatisfactionService(db, receipts),
      integrityAlarm,
      checkpoints,
      cases: new CaseService(db, undefined, attachments.fileNames),
      sealed: new SealedMatters(db, roomsFile.rooms),
      deadlines,
      recorder,
      segments,
      playback: new Playback(db, segments, recordingWork, log.child('playback')),
      registry,
      discipline,
      recommendations: new Recommendations(db),
      archive,
      archiveImports: new ArchiveImporter(db, archive, registry, log.child('archive-import')),
      unitReports: new UnitReports(db),
      opinions: new IntegrityOpinions(db),
      visits: new DisciplineVisits(db),
      rooms: roomsFile.rooms,
      disconnect: ioDisconnector(io, (who) => evictEverywhere(ctx, who), log.child('access')),
      version: '0.1.0',
    };
    server.on('request', createApp(ctx, config.staticDir ?? REPO_ROOT));
    // Registered after the sockets' cleanup, so it runs before it: recordings close while the SFU still runs.
    cleanups.unshift(() => recorder.close());
    registerRealtime(io, ctx);
    let stopReason = 'shutdown';
    cleanups.unshift(async () => {
      // Open sessions stay open for the next start (reconnect.ts picks them up); they are marked, not ended.
      await reconnect.serverStopping(stopReason);
      // io.close() drops the connections without socket.io's "server disconnect" message: to the clients this is
      // a network drop, so they keep reconnecting and resume their calls once a new process listens.
      // (disconnectSockets(true) would tell them not to come back, and a call would hang on their screens.)
      // http.Server.close() waits for keep-alive connections, and one busy at that moment goes on being served
      // (steady submits held a SIGTERM for the full 15 s): each is closed as soon as it is idle.
      const closeIdle = setInterval(() => server.closeIdleConnections(), 50);
      await new Promise<void>((resolve) => void io.close(() => resolve()));
      clearInterval(closeIdle);
    });

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const port = (server.address() as { port: number }).port;
    const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
    const url = config.publicUrl ?? `${config.tls ? 'https' : 'http'}://${host}:${port}`;
    log.info('listening', { port, database: db.kind, presence: presence.kind, topology: topology.kind, sfuWorkers: sfu.workerCount });

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      db,
      ctx,
      demo,
      rooms: roomsFile.rooms,
      close: (why) =>
        (closing ??= (async () => {
          if (why) stopReason = why;
          for (const c of cleanups) await c().catch((err) => log.warn('shutdown step failed', { errorName: (err as Error).name }));
        })()),
    };
  } catch (err) {
    // eslint-disable-next-line no-restricted-syntax -- a start that failed: undo what was started, then report the start's own error, not a cleanup's
    for (const c of cleanups) await c().catch(() => {});
    throw err;
  }
}
