import { z } from 'zod';
import { CalendarExceptionView } from './responses-cases.js';

/**
 * The year's holiday arrangement, imported by an administrator: the text of the State Council General Office's notice
 * (or lines of the calendar page's form). `apply: false` only reads it and says what would change.
 */
export const CalendarImportBody = z.object({
  year: z.number().int().min(2000).max(2100),
  text: z
    .string()
    .max(20_000)
    .refine((t) => t.trim().length > 0, '请粘贴或选择节假日安排的文件'),
  apply: z.boolean().default(false),
});
export type CalendarImportBody = z.input<typeof CalendarImportBody>;

export const CalendarImportAnswer = z.object({
  year: z.number().int(),
  /** The days the file sets, holidays (working = false) and worked weekend days. */
  days: z.array(CalendarExceptionView),
  /** What could not be read, in Chinese with line numbers; nothing is applied while any stands. */
  problems: z.array(z.string()),
  /** Against the calendar now: days new to it, days whose kind or note changes, the year's days the file drops. */
  added: z.number().int(),
  changed: z.number().int(),
  removed: z.array(z.string()),
  applied: z.boolean(),
});
export type CalendarImportAnswer = z.infer<typeof CalendarImportAnswer>;
