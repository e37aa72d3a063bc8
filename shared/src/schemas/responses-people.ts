// What the REST routes answer with (accounts, sign-in, administration, security, audit): one schema per answer, used
// by the server to check and present each answer (http/route.ts) and by the console to type what it reads.
import { z } from 'zod';
import { itemsOf } from './common.js';
import { AdminOfficialView } from './cases.js';
import { AdminKioskView, AdminUserView, AuditEntryView } from './petition.js';

/** An action that was done and has nothing to tell (disable, revoke, log out, end a session, reset a factor). */
export const AcknowledgedAnswer = z.object({});
export type AcknowledgedAnswer = z.infer<typeof AcknowledgedAnswer>;

/** The admin screen's accounts, each with the person it is linked to. */
export const AdminUsersAnswer = itemsOf(AdminUserView);
export type AdminUsersAnswer = z.infer<typeof AdminUsersAnswer>;

/** Registry entries found for the admin's link dialog. */
export const AdminOfficialsAnswer = itemsOf(AdminOfficialView);
export type AdminOfficialsAnswer = z.infer<typeof AdminOfficialsAnswer>;

/** The kiosk devices on the admin screen, in the county's room order. */
export const AdminKiosksAnswer = itemsOf(AdminKioskView);
export type AdminKiosksAnswer = z.infer<typeof AdminKiosksAnswer>;

/** What the SFU (all its nodes) holds right now: live object counts and how many workers run. */
export const SfuCountsView = z.object({
  routers: z.number().int(),
  transports: z.number().int(),
  producers: z.number().int(),
  consumers: z.number().int(),
  workers: z.number().int(),
});
export type SfuCountsView = z.infer<typeof SfuCountsView>;

/** A page of the audit log, newest first; `nextBefore` is the seq to ask the next page before, null at the end. */
export const AuditPageAnswer = z.object({ items: z.array(AuditEntryView), nextBefore: z.string().nullable() });
export type AuditPageAnswer = z.infer<typeof AuditPageAnswer>;

/** How the audit chain can break (signaling/src/audit/verify.ts). */
export const ChainProblem = z.enum(['missing row', 'edited row', 'broken link', 'anchor mismatch', 'checkpoint mismatch', 'unkeyed row']);

/** The audit chain held against its signed checkpoints: the verdict, the head (an anchor to note down) and the first break. */
export const AuditVerifyAnswer = z.object({
  ok: z.boolean(),
  rows: z.number().int(),
  head: z.object({ seq: z.string(), hash: z.string() }).nullable(),
  firstBroken: z.object({ seq: z.string(), problem: ChainProblem }).nullable(),
  checkpoint: z.object({ seq: z.string(), at: z.string() }).nullable(),
  forgedCheckpoints: z.number().int(),
});
export type AuditVerifyAnswer = z.infer<typeof AuditVerifyAnswer>;
