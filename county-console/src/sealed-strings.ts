/** 密封事项 (issue 16): the words of the sealed-matter screens, in one place. */
export const TS = {
  nav: '密封事项',
  // Short enough for one line in the narrow intake column; the hint under it says who sees it.
  intakeCheckbox: '反映县纪委监委领导班子成员（密封）',
  intakeWho: '密封事项仅县纪委监委主要负责人可见；反映主要负责人本人的，由信访室主任直接报送上级。',
  intakeHint:
    '勾选后，此件登记即密封，仅县纪委监委主要负责人可见：不进入任何列表、统计和导出，镇街看不到；由主要负责人报送上级纪委监委。如反映的是主要负责人本人，主要负责人回避，改由信访室主任直接报送上级。',
  // Filed unticked, but it names a principal leader: the server sealed it (自动密封).
  autoSealed:
    '此件反映的是县纪委监委主要负责人，已按规定自动密封：不进入任何列表、统计和导出，您此后也看不到它；由主要负责人（或其回避时由信访室主任）报送上级纪委监委。',
  sealButton: '密封（反映县纪委监委领导班子成员）',
  // An officer who finds such a matter after intake asks the supervisor: sealing hides it from colleagues.
  sealAskSupervisor: '如发现此件反映县纪委监委领导班子成员，请报告主任密封。',
  sealTitle: '密封此事项',
  sealWarning:
    '密封后，此事项立即从所有列表、统计、导出和镇街页面消失，包括您自己；只有县纪委监委主要负责人可见，由其报送上级纪委监委（反映主要负责人本人的，主要负责人回避，由信访室主任直接报送）。如属误封，只能由主要负责人解除密封。',
  sealReason: '密封理由（必填）',
  sealConfirm: '确认密封',
  sealed: '已密封。此事项已移交主要负责人，您不再能看到它。',
  cancel: '取消',
  title: '密封事项',
  hint: '反映县纪委监委领导班子成员的问题线索。仅您可见，不进入任何列表、统计和导出；请按规定报送上级纪委监委。',
  empty: '没有密封事项。',
  // The supervisor's page: only matters no principal leader may read (each names every leader).
  officeAlert: '有密封事项待信访室直接报送上级',
  officeTitle: '需由信访室直接报送的密封事项',
  officeHint:
    '以下密封事项反映的是县纪委监委主要负责人本人，主要负责人须回避、不能查看。请按规定直接报送上级纪委监委；除报送外不作其他处理，也不进入任何列表、统计和导出。',
  officeEmpty: '没有需要由信访室直接报送的密封事项。',
  columns: ['受理编号', '登记时间', '密封方式', '报送情况'],
  sealedAtIntake: '登记时密封',
  sealedLater: '登记后密封',
  notSent: '待报送',
  sentTo: (to: string) => `已报送${to}`,
  detailTitle: (code: string) => `密封事项 ${code}`,
  township: '来源接待室',
  category: '问题类别',
  accused: '被反映人',
  createdAt: '登记时间',
  sealedAt: '密封时间',
  sealedReason: '密封理由',
  anonymous: '匿名',
  named: '实名（身份信息不在此显示）',
  identityKind: '举报方式',
  sendUpTitle: '报送上级纪委监委',
  sendUpTo: '报送机关',
  sendUpToDefault: '市纪委监委',
  sendUpNote: '报送说明（如机要件编号、报送方式）',
  sendUpButton: '报送上级纪委监委',
  sentUp: (at: string, to: string, by: string) => `${at} 由 ${by} 报送${to}`,
  sentUpNote: '报送说明',
  unsealTitle: '解除密封',
  unsealHint: '如经审查，此件并非反映县纪委监委领导班子成员，可解除密封：此件回到信访室，按一般事项办理，重新进入列表和统计。已报送上级的事项不能解除密封。',
  unsealReason: '解除密封的理由（必填）',
  unsealButton: '解除密封，交回信访室办理',
  unsealed: '已解除密封，此件已交回信访室办理。',
} as const;
