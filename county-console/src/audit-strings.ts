// The audit log in plain Chinese: every action, object kind and detail a row can carry.
import type { AuditAction } from '@vj/shared';
import { TS } from './satisfaction-strings';
import { T } from './strings';

export const TA = {
  actions: {
    'auth.login': '登录',
    'auth.login_failed': '登录失败',
    'auth.logout': '退出登录',
    'auth.refresh_reuse': '登录凭据被重复使用（已全部注销）',
    'auth.refused': '越权访问被拒绝',
    'user.disable': '停用账号',
    'user.enable': '启用账号',
    'user.link': '关联干部档案',
    'user.unlink': '解除干部档案关联',
    'kiosk.revoke': '吊销接待室终端',
    'kiosk.provision': '重新配置接待室终端',
    'petition.create': '登记信访件',
    'petition.refer': '交办信访件',
    'petition.seal': '密封事项（仅主要负责人可见）',
    'petition.send_up': '密封事项报送上级纪委监委',
    'petition.unseal': '解除密封（主要负责人决定，回到信访室办理）',
    'identity.reveal': '查看信访人身份',
    'attachment.upload': '上传证据材料',
    'attachment.download': '下载证据材料',
    'attachment.discard': '清理未使用的证据材料',
    'receipt.lookup': '群众查询办理进度',
    'receipt.lookup_failed': '群众查询失败',
    'receipt.rate': '群众评价办理结果',
    'follow_up.close': '办结回访复核任务',
    'follow_up.escalate': '回访复核任务到期提醒',
    'keys.rotate': '轮换密钥',
    'keys.split': '拆分主密钥',
    'keys.recover': '恢复主密钥',
    'audit.export': '导出审计日志',
    'integrity.failure': '完整性校验失败',
    'auth.password_change': '修改密码',
    'auth.second_factor_failed': '动态口令验证失败',
    'auth.second_factor_enrol': '绑定动态口令',
    'auth.recovery_code_used': '使用恢复码登录',
    'auth.session_end': '结束登录会话',
    'security.second_factor_reset': '重置动态口令',
    'security.policy': '修改安全策略',
    'user.create': '创建账户',
    'integrity.sealed': '补加完整性保护',
    'session.mode': '切换监督方式',
    'session.private': '单独反映',
    'session.staff_intake': '接待室现场接待',
    'session.withdraw': '按保密与回避规定退出通话',
    'case.accept': '受理',
    'case.refer': '交办',
    'case.transfer': '转办',
    'case.record_transfer_outcome': '记录转办办理结果',
    'case.report_progress': '报告办理进展',
    'case.township_accept': '镇街接收交办',
    'case.add_step': '记录办理步骤',
    'case.report': '报送办理结果',
    'case.return': '退回重办',
    'case.approve': '审核办结',
    'case.request_extension': '申请延期',
    'case.decide_extension': '审批延期',
    'case.forward_other': '告知并转有关单位',
    'case.notify_accept': '告知受理情况',
    'case.notify_result': '反馈处理结果',
    'case.record_response': '记录检举控告人意见',
    'case.request_review': '记录复查请求',
    'case.decide_review': '作出复查意见',
    'case.request_recheck': '记录复核请求',
    'case.decide_recheck': '作出复核意见',
    'case.decide_disposition': '决定问题线索处置方式',
    'case.record_outcome': '记录问题线索处置结果',
    'case.clocks_recomputed': '按事项类别重算期限',
    'case.accused_jurisdiction': '确认被反映人管理层级',
    'case.escalate': '超期督办提醒',
    'case.policy': '修改办理时限',
    'case.calendar_import': '导入年度节假日安排',
    'registry.import': '导入干部档案',
    'registry.change_held': '档案变更待确认',
    'registry.change_applied': '确认档案变更',
    'registry.change_rejected': '驳回档案变更',
    'discipline.query': '查询受处分人员',
    'discipline.person_view': '查看人员处分记录',
    'recording.pause': '暂停录像',
    'recording.resume': '恢复录像',
    'recording.playback': '播放录像',
    'recording.verify': '校验录像完整性',
    'recording.grant': '授权查看录像',
    'recording.purge': '按期销毁录像',
    'recording.finalize': '录像保存完成',
    'recording.reseal': '录像按新密码算法重新加密',
  } satisfies Record<AuditAction, string>,
  objects: {
    attachment: '证据材料',
    auth_session: '登录会话',
    case_policy: '办理时限',
    discipline_query: '处分查询',
    official: '人员档案',
    kiosk: '接待室终端',
    petition: '信访件',
    petition_identity: '身份信息',
    recording: '录像',
    registry_import: '档案导入',
    route: '接口',
    session: '接访',
    user: '账号',
    work_calendar: '工作日历',
  } as Record<string, string>,
  /** Detail keys; a key not listed is not shown (ids and hashes mean nothing to a reader). */
  keys: {
    from: '原状态',
    to: '新状态',
    reason: '理由',
    mode: '方式',
    private: '单独反映',
    knownUser: '账号存在',
    backoffS: '限制登录（秒）',
    knownCase: '查询号存在',
    locked: '已锁定',
    category: '问题类别',
    anonymous: '匿名',
    accused: '被反映人数',
    fromSession: '来自视频接访',
    mime: '文件类型',
    sizeBytes: '大小',
    origin: '来源',
    segments: '段数',
    ok: '校验结果',
    grant: '授权',
    approved: '批准',
    days: '天数',
    coiOverride: '回避例外',
    overrideReason: '例外理由',
    conflicts: '回避情形',
    clock: '时限',
    level: '提醒级别',
    dueAt: '到期时间',
    notified: '已通知人数',
    kind: '类别',
    rows: '行数',
    imported: '导入',
    errors: '错误',
    via: '途径',
    link: '关联方式',
    officialCode: '人员编码',
    previousOfficialCode: '原人员编码',
    change: '变化',
    petitions: '信访件数',
    accept: '受理时限',
    conclude: '办结时限',
    extension: '延期',
    exceptions: '节假日调整',
    year: '年份',
    holidays: '放假天数',
    workedDays: '调休上班天数',
    added: '新增',
    changed: '修改',
    removed: '删除',
    shares: '份数',
    threshold: '门限',
    code: '错误代码',
    status: '状态',
    rating: '评价',
    reasons: '原因',
    withText: '附文字说明',
    late: '超期办结',
    positions: '被反映人序号',
    managementLevels: '管理层级',
    managementLevelsWere: '原管理层级',
    standings: '在乡镇的身份',
    standingsWere: '原在乡镇的身份',
  } as Record<string, string>,
  values: {
    true: '是',
    false: '否',
    intake: '登记时上传',
    handling: '办理中上传',
    admin: '管理页面',
    cli: '命令行',
    registry_import: '档案导入',
    official: '按档案',
    name: '仅姓名',
    none: '解除',
    name_from_registry: '档案补全姓名',
    matched_by_name: '按姓名匹配',
    accused_in_township: '被反映人在该镇街',
    handler_accused: '承办人被反映',
    handler_elsewhere: '承办人另有任职',
    monitor: '监督',
    join: '加入',
    take_over: '接管',
    calendar: '自然日',
    working: '工作日',
    complete: '已完成',
    interrupted: '中断',
    reprovisioned: '已重新配置',
    FORBIDDEN: '无权限',
    NOT_FOUND: '不存在',
    UNAUTHENTICATED: '未登录',
    BAD_REQUEST: '请求有误',
    CONFLICT: '冲突',
    CONFLICT_OF_INTEREST: '须回避',
    JURISDICTION: '不属乡镇管辖',
    county_managed: '县管干部',
    township_cadre: '乡镇干部',
    village_cadre: '村干部',
    unknown: '未确定',
    principal_leader: '乡镇主要领导',
    commission: '乡镇纪委',
    no_standing: '其他人员',
    INVALID_STATE: '状态不允许',
    RATE_LIMITED: '过于频繁',
    ...T.status,
    accept: '受理',
    conclude: '办结',
    extension: '延期',
    due_soon: '即将到期',
    overdue: '已超期',
    ...TS.ratings,
    ...TS.reasons,
  } as Record<string, string>,
} as const;

const ASCII_ONLY = /^[\x20-\x7e]*$/;

function value(key: string, v: string | number | boolean | null): string {
  if (v === null) return '—';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (key === 'sizeBytes' && typeof v === 'number') return v >= 1e6 ? `${(v / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(v / 1024))} KB`;
  if (key === 'dueAt' && typeof v === 'string') return new Date(v).toLocaleString('zh-CN');
  if (typeof v === 'number') return String(v);
  // Several codes in one value ("accused_in_township,handler_accused").
  if (v.includes(',') && v.split(',').every((p) => p in TA.values))
    return v
      .split(',')
      .map((p) => TA.values[p])
      .join('、');
  // A deadline policy row: "15w" is 15 working days, "30c" 30 calendar days.
  const days = /^(\d+)([wc])$/.exec(v);
  if (days) return `${days[1]} 个${days[2] === 'w' ? '工作日' : '自然日'}`;
  return TA.values[v] ?? v;
}

/**
 * One row's details as "原状态：已收到；新状态：已交办". Keys without a Chinese name (step ids, hashes, ids) are
 * left out; a value that is a code is named, a person's own words (a reason) are shown as written.
 */
export function auditDetailsText(details: Record<string, string | number | boolean | null>): string {
  return Object.entries(details)
    .filter(([k]) => k in TA.keys)
    .map(([k, v]) => {
      const shown = value(k, v);
      // An English code nobody named yet is better left out than shown half-translated.
      if (k !== 'officialCode' && k !== 'previousOfficialCode' && typeof v === 'string' && shown === v && ASCII_ONLY.test(v) && !/^[\d\s.:/-]*$/.test(v))
        return null;
      return `${TA.keys[k]}：${shown}`;
    })
    .filter((s): s is string => s !== null)
    .join('；');
}

export function auditActionLabel(action: string): string {
  return (TA.actions as Record<string, string>)[action] ?? action;
}
