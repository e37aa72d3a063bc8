import type { Logger, SfuApi } from '@vj/shared';
import type { AuthSessions } from './auth/auth-sessions.js';
import type { SecondFactor } from './auth/second-factor.js';
import type { CountyAlerts } from './alerts/county-alerts.js';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import type { RateLimiter } from './http/rate-limit.js';
import type { Presence } from './presence/presence.js';
import type { KeyRing } from './security/jwt.js';
import type { CaseService } from './cases/case-service.js';
import type { DeadlineJob } from './cases/deadline-job.js';
import type { SealedMatters } from './cases/sealed.js';
import type { Attachments } from './petitions/attachments.js';
import type { PetitionService } from './petitions/petition-service.js';
import type { ReceiptLookup } from './petitions/receipts.js';
import type { SatisfactionService } from './cases/satisfaction-service.js';
import type { RegistryImporter } from './registry/importer.js';
import type { DisciplineQuery } from './discipline/discipline-query.js';
import type { Recommendations } from './discipline/recommendations.js';
import type { IntegrityArchive } from './discipline/integrity-archive.js';
import type { UnitReports } from './discipline/unit-reports.js';
import type { ArchiveImporter } from './discipline/archive-import.js';
import type { IntegrityOpinions } from './discipline/integrity-opinions.js';
import type { DisciplineVisits } from './discipline/discipline-visits.js';
import type { Playback } from './recording/playback.js';
import type { RecordingService } from './recording/recording-service.js';
import type { SegmentStore } from './recording/segment-store.js';
import type { CallService } from './sessions/call-service.js';
import type { KioskChecks } from './sessions/kiosk-check.js';
import type { Reconnect } from './sessions/reconnect.js';
import type { SessionRouter } from './sessions/session-router.js';
import type { Supervision } from './sessions/supervision.js';
import type { AuditCheckpoints } from './audit/checkpoints.js';
import type { IntegrityAlarm } from './security/integrity-alarm.js';

/**
 * Ends access at once (logout, disable, revoke), on every node: closes the live sockets and takes the principal
 * out of its live sessions, its media closed on the SFU (realtime/io.ts, sessions/evict.ts).
 */
export interface Disconnector {
  session(sid: string): void;
  user(userId: string): void;
  device(deviceId: string): void;
}

/** What route and event handlers may use; built once at start-up. */
export interface AppContext {
  config: Config;
  log: Logger;
  db: Db;
  keys: KeyRing;
  sfu: SfuApi & { readonly workerCount: number };
  presence: Presence;
  rateLimiter: RateLimiter;
  calls: CallService;
  /** The county consoles' alert bar on this node, each without the matters that name its user. */
  countyAlerts: CountyAlerts;
  supervision: Supervision;
  reconnect: Reconnect;
  /** Where work on a live session runs: here, or on its owner node (chosen with the topology). */
  router: SessionRouter;
  kioskChecks: KioskChecks;
  auth: AuthSessions;
  secondFactor: SecondFactor;
  petitions: PetitionService;
  attachments: Attachments;
  receipts: ReceiptLookup;
  satisfaction: SatisfactionService;
  cases: CaseService;
  /** 密封事项: the only reader of sealed rows (the principal leader's page), and sealing after intake. */
  sealed: SealedMatters;
  deadlines: DeadlineJob;
  registry: RegistryImporter;
  /** 受处分人员信息查询 (issue 17). */
  discipline: DisciplineQuery;
  /** 建议书 → 整改 → 回头看 and its 督办 board (issue 17). */
  recommendations: Recommendations;
  archive: IntegrityArchive;
  unitReports: UnitReports;
  archiveImports: ArchiveImporter;
  opinions: IntegrityOpinions;
  visits: DisciplineVisits;
  recorder: RecordingService;
  segments: SegmentStore;
  playback: Playback;
  /** Makes a failed integrity check loud: log, alert, audit. */
  integrityAlarm: IntegrityAlarm;
  /** Signed heads of the audit chain kept outside the database. */
  checkpoints: AuditCheckpoints;
  /** The county's township rooms, in display order. */
  rooms: readonly { code: string; name: string }[];
  disconnect: Disconnector;
  version: string;
}
