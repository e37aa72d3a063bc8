// 分级负责 (issue 16): the words of the accused persons' management level, their standing and why 交办 is not offered.
import { JURISDICTION_BAR_TEXT, MANAGEMENT_LEVEL_LABELS, TOWNSHIP_STANDING_LABELS, type JurisdictionBar } from '@vj/shared';

export const TJ = {
  level: '管理层级',
  standing: '在乡镇的身份',
  levels: MANAGEMENT_LEVEL_LABELS,
  levelUnknownChoice: '未确定（交办前须确认）',
  standings: TOWNSHIP_STANDING_LABELS,
  fromRegistry: '以干部档案为准',
  intakeHint: '县管干部只能由县纪委监委办理；乡镇主要领导、乡镇纪委人员不能交办给本乡镇。',
  title: '管辖（分级负责、归口办理）',
  referBarred: '不能交办到乡镇：',
  bars: JURISDICTION_BAR_TEXT as Record<JurisdictionBar, string>,
  mayGoDown: '被反映人均为乡镇或村干部，可以交办到乡镇。',
  noAccused: '未填写被反映人。',
  edit: '确认或更正管理层级',
  save: '保存',
  cancel: '取消',
  saved: '已保存，已记入审计日志。',
} as const;
