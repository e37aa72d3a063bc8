// The console's words for satisfaction ratings and their follow-up tasks (issue 16), in one place.
import { RATING_LABELS, RATING_REASON_LABELS } from '@vj/shared';

export const TS = {
  followUpsTitle: '回访复核任务（群众不满意）',
  followUpsHint: '群众在接待室终端评价“不满意”后生成，由主任安排回访复核，填写情况后办结。',
  followUpsEmpty: '没有待办的回访复核任务',
  followUpColumns: ['期限', '查询号', '镇街', '评价', '原因', '评价时间', '办结期限'],
  followUpClose: '办结',
  followUpNote: '回访复核情况',
  followUpNotePlaceholder: '写明回访了谁、怎样复核、结论如何（至少 5 个字）',
  followUpSave: '确认办结',
  followUpCancel: '取消',
  followUpNoReason: '未说明原因',
  followUpDone: (who: string, at: string) => `${who} 于 ${at} 办结`,
  ratings: RATING_LABELS,
  reasons: RATING_REASON_LABELS,
  ratingStatsTitle: '群众满意度评价',
  ratingStatsEmpty: '还没有群众评价',
  ratingColumns: ['镇街', '满意', '基本满意', '不满意', '评价总数', '满意率（含基本满意）'],
  ratingTotal: '合计',
  share: (v: number | null) => (v === null ? '—' : `${v}%`),
} as const;
