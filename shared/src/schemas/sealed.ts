import { z } from 'zod';
import { Id } from './common.js';
import { AccusedView, PETITION_STATUSES } from './petition.js';
import { MatterClass } from './matter.js';

/**
 * 密封事项 (issue 16): a matter about the county commission's own leadership. Only the principal leader
 * (county_leader) reads it; it enters no list, statistic or export, and the leader sends it up to the next level.
 */
const Text = (min: number, max: number, message: string) => z.string({ error: message }).trim().min(min, message).max(max, `内容过长（最多 ${max} 字）`);

/** An officer seals a matter already on file (e.g. one a kiosk call started): it leaves every other screen at once. */
export const SealBody = z.object({ reason: Text(2, 500, '请写明密封理由（至少 2 个字）') });
export type SealBody = z.input<typeof SealBody>;
export const SealAnswer = z.object({ id: Id, sealed: z.literal(true) });
export type SealAnswer = z.infer<typeof SealAnswer>;

/**
 * 解除密封: the principal leader finds a matter is not about the commission's leadership and returns it to the county
 * office, with the reason. A matter already sent up stays sealed.
 */
export const UnsealBody = z.object({ reason: Text(2, 500, '请写明解除密封的理由（至少 2 个字）') });
export type UnsealBody = z.input<typeof UnsealBody>;
export const UnsealAnswer = z.object({ id: Id, sealed: z.literal(false) });
export type UnsealAnswer = z.infer<typeof UnsealAnswer>;

/** 报送上级纪委监委: to whom, and a note of how (e.g. 机要件 number). */
export const SendUpBody = z.object({
  to: Text(2, 100, '请写明报送的上级纪委监委（至少 2 个字）'),
  note: Text(0, 2000, '报送说明格式不正确').default(''),
});
export type SendUpBody = z.input<typeof SendUpBody>;

export const SealedMatterView = z.object({
  id: Id,
  caseCode: z.string(),
  townshipCode: z.string(),
  /** The leader's console has no room list (no wall): the name comes with the matter. */
  townshipName: z.string(),
  category: z.string(),
  narrative: z.string(),
  anonymous: z.boolean(),
  matterClass: MatterClass,
  status: z.enum(PETITION_STATUSES),
  createdAt: z.string(),
  sealedAt: z.string(),
  /** Sealed at intake (true), or later by an officer with the reason given. */
  sealedAtIntake: z.boolean(),
  sealedReason: z.string().nullable(),
  accused: z.array(AccusedView),
  sentUp: z.object({ at: z.string(), to: z.string(), note: z.string(), byName: z.string() }).nullable(),
});
export type SealedMatterView = z.infer<typeof SealedMatterView>;

/**
 * Who reads the list: the principal leader ('leader'), or the county office's supervisor ('office'), who sees only
 * the sealed matters no principal leader may read (those naming every leader) and can only send them up.
 */
export const SealedReader = z.enum(['leader', 'office']);
export type SealedReader = z.infer<typeof SealedReader>;
export const SealedListAnswer = z.object({ reader: SealedReader, items: z.array(SealedMatterView) });
export type SealedListAnswer = z.infer<typeof SealedListAnswer>;
