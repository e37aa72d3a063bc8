import { CASE_ACTIONS } from '../workflow.js';

/**
 * Every action the audit log records. The server appends only these; the console shows each with a Chinese
 * label (a unit test checks that none is missing), so the list lives here where both can read it.
 */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.refresh_reuse',
  'auth.refused',
  'user.disable',
  'user.enable',
  'user.link',
  'user.unlink',
  'kiosk.revoke',
  'kiosk.provision',
  'petition.create',
  'petition.refer',
  'identity.reveal',
  'attachment.upload',
  'attachment.download',
  'attachment.discard',
  'receipt.lookup',
  'receipt.lookup_failed',
  'keys.rotate',
  'keys.split',
  'keys.recover',
  'audit.export',
  'integrity.failure',
  'integrity.sealed',
  'session.mode',
  'session.private',
  'session.staff_intake',
  ...CASE_ACTIONS.map((a) => `case.${a}` as const),
  'case.escalate',
  'case.policy',
  'registry.import',
  'recording.pause',
  'recording.resume',
  'recording.playback',
  'recording.verify',
  'recording.grant',
  'recording.purge',
  'recording.finalize',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
