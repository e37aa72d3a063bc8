import type { CaseRoute, CountyPetitionView, MatterClass, PetitionStatus, TownshipCaseView } from '@vj/shared';
import type { Queryable } from '../db/db.js';
import { accusedJurisdiction, referralBars, type AccusedJurisdictionRow } from '../cases/jurisdiction.js';
import { townshipDueState } from '../cases/workflow-view.js';
import { progressShownDue } from '../cases/matter-clocks.js';

export interface PetitionRow {
  id: string;
  case_code: string;
  session_id: string | null;
  township_code: string;
  category: string;
  narrative: string;
  anonymous: boolean;
  matter_class: MatterClass;
  route: CaseRoute | null;
  other_body: string | null;
  status: PetitionStatus;
  feedback: string | null;
  created_at: Date;
  updated_at: Date;
  due_state: 'ok' | 'due_soon' | 'overdue';
  conclude_due_at: Date | null;
  /** 交办: when the next progress report is due (migration 0024). */
  progress_due_at: Date | null;
  /** 密封事项: read only by the principal leader (see cases/sealed.ts). */
  sealed: boolean;
}

/** Level and standing as the jurisdiction rule reads them, so what the screen shows is what the rule decides on. */
async function accused(q: Queryable, petitionId: string) {
  return accusedViews(await accusedJurisdiction(q, petitionId));
}

function accusedViews(rows: AccusedJurisdictionRow[]) {
  return rows.map((a) => ({
    name: a.name,
    unit: a.unit,
    position: a.position,
    townshipCode: a.township_code,
    officialCode: a.official_code,
    managementLevel: a.management_level,
    standing: a.standing,
  }));
}

/**
 * The county's view without a reveal. Identity columns are never selected here: the only way to them is the
 * audited reveal. Each presenter lists its fields explicitly, so a new column cannot leak by accident.
 */
export async function countyView(q: Queryable, p: PetitionRow): Promise<CountyPetitionView> {
  const att = await q.query<{ id: string; mime: string; size_bytes: number; uploaded_at: Date }>(
    'SELECT id, mime, size_bytes, uploaded_at FROM petition_attachments WHERE petition_id = $1 ORDER BY uploaded_at, id',
    [p.id],
  );
  const accusedRows = await accusedJurisdiction(q, p.id);
  return {
    id: p.id,
    caseCode: p.case_code,
    sessionId: p.session_id,
    townshipCode: p.township_code,
    category: p.category,
    narrative: p.narrative,
    anonymous: p.anonymous,
    matterClass: p.matter_class,
    route: p.route,
    otherBody: p.other_body,
    status: p.status,
    feedback: p.feedback,
    createdAt: p.created_at.toISOString(),
    dueState: p.due_state,
    accused: accusedViews(accusedRows),
    referralBars: referralBars(accusedRows, p.township_code),
    attachments: att.rows.map((a) => ({ id: a.id, mime: a.mime, sizeBytes: a.size_bytes, uploadedAt: a.uploaded_at.toISOString(), filename: null })),
  };
}

/**
 * A township handler's view of a referred case. No identity, no receipt code, no session or visit time, no
 * anonymity flag: anything that could point at who came to the reception room stays with the county.
 */
export async function townshipView(q: Queryable, p: PetitionRow): Promise<TownshipCaseView> {
  return {
    id: p.id,
    townshipCode: p.township_code,
    category: p.category,
    narrative: p.narrative,
    status: p.status,
    accused: await accused(q, p.id),
    dueState: townshipDueState(p),
    concludeDueAt: p.conclude_due_at?.toISOString() ?? null,
    route: p.route,
    progressDueAt: progressShownDue(p.progress_due_at, p.conclude_due_at)?.toISOString() ?? null,
  };
}
