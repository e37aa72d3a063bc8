import type { ErrorCode } from './errors.js';

/**
 * Every text the servers put in an error answer, in one place (issue 18). The code stays the contract: clients branch
 * on it, and a message can be reworded here without breaking anyone. Texts say what happened and what to do; what only
 * an engineer needs (a method, a node, a timeout) goes to the log, never here. ESLint refuses a literal message at an
 * AppError anywhere else, so a new error starts here.
 */

/** What a user is told for each code when the message itself is not Chinese (an old node's answer, or none at all). */
export const ERROR_TEXT: Readonly<Record<ErrorCode, string>> = Object.freeze({
  BAD_REQUEST: '填写的内容有误，请检查后再试。',
  UNAUTHENTICATED: '登录已失效，请重新登录。',
  FORBIDDEN: '您没有权限进行此操作。',
  NOT_FOUND: '没有找到，可能已被删除或您无权查看。',
  CONFLICT: '操作与当前记录冲突，请刷新后再试。',
  CALL_ALREADY_TAKEN: '该来电已由其他人员接听。',
  INVALID_STATE: '当前状态下不能进行此操作，请刷新后再试。',
  CONFLICT_OF_INTEREST: '涉及回避情形，不能进行此操作。',
  JURISDICTION: '按管理权限，该事项不能交由乡镇办理。',
  PAYLOAD_TOO_LARGE: '内容太大，请缩小后再试。',
  RATE_LIMITED: '操作太频繁，请稍后再试。',
  INTERNAL: '系统出错了，请稍后再试；如反复出现，请联系系统管理员。',
  INTEGRITY: '数据完整性校验未通过，已报告安全管理员。',
  UNAVAILABLE: '暂时连不上服务器，请稍后再试。',
  STORAGE_FULL: '服务器存储空间已满，内容没有保存，请联系系统管理员。',
  SFU_TIMEOUT: '音视频服务没有及时响应，请稍后再试。',
  NODE_TIMEOUT: '服务器没有及时响应，请稍后再试。',
  SFU_ERROR: '音视频服务出错，请稍后再试。',
});

export const ERROR_MESSAGES = deepFreeze({
  // Said by any route or event: a request the server cannot read, or a role the route does not admit.
  common: {
    internal: ERROR_TEXT.INTERNAL,
    notFound: ERROR_TEXT.NOT_FOUND,
    roleForbidden: '您的账号没有权限进行此操作。',
    unknownRequest: '无法识别这项请求，请刷新页面；如仍不行，请联系系统管理员更新程序。',
    /** A zod failure with no Chinese message of its own. The field paths go beside it in the answer's fields, for the
     *  screen to mark; they are names in code, not words for the user. */
    invalidInput: (where: string) => `${where}不符合要求，请检查后再试。`,
    unstorableText: '内容中含有无法保存的字符（如空字符或残缺的字符），请删除后再试。',
  },
  // The HTTP layer, before any route runs.
  http: {
    noRoute: '没有这项服务，请刷新页面；如仍不行，请联系系统管理员更新程序。',
    badJson: '提交的内容无法识别，请刷新页面后重新提交。',
    bodyTooLarge: '提交的内容太大，请删减后再提交。',
    badEncoding: '提交的内容编码无法识别，请刷新页面后重新提交。',
    tooManyTries: '尝试次数过多，请稍后再试',
    tooManyQueries: '查询过于频繁，请稍后再试',
  },
  // Login, tokens, passwords and the second factor.
  auth: {
    expired: '登录已失效，请重新登录。',
    wrongPassword: '用户名或密码错误',
    loginExpired: '登录已失效，请重新输入用户名和密码',
    totpRejected: '动态口令不正确或已使用过，请等手机上出现新口令后再试',
    recoveryRejected: '恢复码不正确或已使用过',
    currentPasswordWrong: '当前密码不正确',
    newPasswordWeak: (problems: readonly string[]) => `新密码不符合要求：${problems.join('；')}`,
    kioskCredentialBad: '本机登记凭据无效或已停用',
    kioskNotEnrolled: '这台终端尚未登记，请联系系统管理员登记后再使用。',
    tokenMismatch: '登录信息与当前连接不一致，请重新登录。',
    setupFirst: '请先在工作台修改密码、绑定动态口令，再进行接访。',
    changePasswordFirst: '请先修改密码',
    enrolFirst: '请先绑定动态口令',
    totpCodeWrong: '动态口令不正确：请核对手机时间是否准确，并输入应用里当前显示的 6 位数字',
    loginSessionGone: '该登录会话不存在或已结束',
    totpAlreadyBound: '已绑定动态口令；如需更换，请联系安全管理员重置',
    totpStartFirst: '请先开始绑定动态口令',
    totpBound: '已绑定动态口令',
  },
  // Accounts, kiosk devices and second-factor resets by the administrators.
  admin: {
    selfDisable: '不能停用或启用自己的账号，请由另一位系统管理员办理',
    separatedAdmin: '安全管理员和审计管理员的账号不能由系统管理员在网页上停用或启用（三员分立）。如确需办理，请由运维人员在服务器上办理，并写明理由',
    userNotFound: '用户不存在',
    kioskNotFound: '没有这台接待室终端',
    selfTotpReset: '不能重置自己的动态口令，请由另一位安全管理员办理',
    totpNotBound: '该用户尚未绑定动态口令，无需重置',
  },
  // Petitions at intake, their attachments and receipts.
  petitions: {
    notFound: '没有找到这件信访件，可能已被删除或您无权查看。',
    unknownReference: '所选的乡镇、接访会话或干部档案已不存在，请刷新后重新选择。',
    codeBusy: '暂时无法生成信访件编号，请稍后再提交。',
    registryBusy: '干部名册正在更新，暂时无法登记，请稍后再提交。',
    idReused: '这件信访件已经用不同的内容提交过，请刷新页面，核对已保存的内容。',
    sessionNotFound: '没有这个接访会话',
    notInSession: '您没有参加该接访会话，不能把信访件关联到该会话，回执也不会发到该接待室的终端',
    sessionOtherTownship: '信访件所属乡镇与该接访会话的接待室不一致，不能关联',
    receiptWrong: '查询号或密码不正确，请核对后重新输入',
    receiptLocked: '尝试次数过多，请 15 分钟后再试，或到其他接待室查询',
  },
  attachments: {
    notFound: '没有找到这份材料，可能未使用的材料已被自动清理。',
    idReused: '这份材料与先前上传的文件不一致，请重新选择文件上传。',
    tooManyAtIntake: (n: number) => `每件信访件随件提交的材料最多 ${n} 个`,
    tooManyPending: (n: number) => `您在本案中已上传 ${n} 个尚未附到办理记录的材料：请先提交办理记录；未使用的材料 24 小时后自动清理`,
    tooManyOwn: (n: number) => `您在本案中上传的材料已达上限（${n} 个）`,
    notListed: '附件不存在、已被使用或不是您上传的',
    empty: '文件是空的，请重新选择文件。',
    tooLarge: (mb: number) => `文件超过 ${mb} MB，请压缩或拆分后再上传。`,
    typeNotAllowed: (types: readonly string[]) => `不支持这种文件格式，请转换为 ${types.join('、')} 后再上传。`,
    typeMismatch: '文件内容与它的格式不符，可能已损坏，请重新导出后再上传。',
  },
  // Handling a case: steps, dispositions, deadlines, hand-offs and jurisdiction.
  cases: {
    notFound: '没有找到这件信访件，可能已被删除或您无权查看。',
    /** 回避: the matter names the reader. */
    recused: '此件反映的是您本人，您须回避：不能查看、办理或调阅；请由其他同事处理。',
    /** JURISDICTION: why a matter may not go down to a township (by the bar, schemas/jurisdiction.ts). */
    jurisdictionBars: {
      county_managed: '被反映人是县管干部，只能由县纪委监委办理，不能交办到乡镇。',
      township_leadership: '被反映人是该乡镇的主要领导或乡镇纪委人员，不能交办给该乡镇办理。',
      level_unknown: '被反映人的管理层级未确定，请先确认管理层级后再交办。',
    },
    roleMayNotAct: '您的角色不能对此案件执行该操作',
    notNow: '案件当前状态下不能执行该操作',
    dispositionOnlyAccusations: '只有检举控告才有问题线索处置',
    outsideRemit: '该事项不属于纪检监察机关受理范围，只能告知并转有关单位',
    onlyOtherClass: '该操作只适用于“其他”类事项',
    anonymousNoNotice: '匿名检举控告没有告知和反馈的要求',
    stepIdReused: '这条办理记录已用于另一项操作，请刷新页面后重新填写。',
    assignedToOther: '该案件已指定给其他承办人',
    noOtherBodyForTownship: '转办到乡镇纪委时不填写其他单位',
    otherBodyRequired: '请写明接收转办的单位（例如：县委组织部）',
    noHandlerForOtherBody: '转办到其他单位时不指定乡镇承办人',
    progressOnlyJiaoban: '只有交办事项需要报告进展',
    jiaobanDueInPast: '交办的办结期限须晚于今天',
    jiaobanDueTooFar: '交办的办结期限不能超过一年',
    acceptNoticeGiven: '已告知过受理情况',
    resultNoticeGiven: '已反馈过处理结果',
    resultNoticeFirst: '尚未反馈处理结果，不能记录意见',
    responseRecorded: '已记录过检举控告人的意见',
    reviewRequested: '已申请过复查',
    noPendingReview: '没有待作出意见的复查',
    reviewDecisionFirst: '复查意见作出后才能申请复核',
    recheckRequested: '已申请过复核',
    noPendingRecheck: '没有待作出意见的复核',
    dispositionMade: (label: string) => `已作出处置决定（${label}），不能重新决定`,
    /** A township on a lead the county disposed of before it was 交办 (the township assists; what was decided stays the county's). */
    dispositionByCounty: '此线索的处置由县纪委监委决定，本乡镇纪委协助办理，不另作处置决定，也不记录处置结果。',
    dispositionRequired: '请选择处置方式：谈话函询、初步核实、暂存待查或予以了结',
    reasonTooShort: '请写明处置理由（至少 5 个字）',
    reviewOnRequired: '暂存待查须确定再次研判的日期',
    reviewOnTooEarly: '再次研判的日期须晚于今天',
    reviewOnOnlyShelved: '只有暂存待查才填写再次研判的日期',
    dispositionFirst: '尚未作出处置决定，不能记录处置结果',
    noOutcomeFor: (label: string) => `${label}无需另行记录处置结果`,
    outcomeOtherDisposition: (label: string) => `本线索的处置方式是${label}，请按此记录结果`,
    outcomeRecorded: '已记录过处置结果',
    talkLetterAssessment: '请选择对函询回复的评估：说明清楚或说明不清楚',
    verificationConclusion: '请选择初核结论：属实、部分属实、不属实或无法查实',
    talkLetterSummary: '请填写函询回复的主要内容（至少 5 个字）',
    verificationSummary: '请填写初核情况摘要（至少 5 个字）',
    extensionPending: '已有延期申请待审批',
    extensionsUsed: (max: number) => `延期次数已用完（最多 ${max} 次）`,
    extensionTooLong: (days: number) => `延期不能超过 ${days} 天`,
    noPendingExtension: '没有待审批的延期申请',
    noSuchClockRule: (matterClass: string, clock: string) => `没有这条期限规则：${matterClass}的${clock}期限`,
    calendarNotImported: (problems: readonly string[]) =>
      `节假日安排没有导入：${problems.slice(0, 3).join('')}${problems.length > 3 ? `等 ${problems.length} 处问题。` : ''}`,
    handlerNotInTownship: '承办人必须是该乡镇纪委的在岗人员',
    handlerIsAccused: '承办人是被反映人，须回避。',
    accusedInTownship: (word: string) => `被反映人属于该乡镇，${word}须回避；如确需${word}，请由主任填写理由后越过。`,
    overrideOnlySupervisor: '只有主任可以越过回避规则',
    petitionNotFound: '信访件不存在',
    levelLocked: '案件已交办或办结，不能再更改被反映人的管理层级。',
    noSuchAccused: (n: number) => `没有第 ${n} 位被反映人。`,
    levelFromRegistry: (n: number, level: string) => `第 ${n} 位被反映人已关联干部档案，管理层级以档案为准（${level}）。`,
    townshipRoleFromRegistry: (n: number) => `第 ${n} 位被反映人已关联干部档案，其在乡镇的身份以档案为准。`,
  },
  // Sealed matters (a principal leader is named).
  sealed: {
    notFound: '没有这个事项',
    unlinkedReader: '您的账号尚未关联干部名册中的本人，系统无法避免让您看到反映您本人的事项，因此暂不能查看密封事项。请系统管理员先完成关联。',
    alreadySentUp: '该事项已报送上级纪委监委，不能重复报送',
    unsealOnlyLeader: '只有县纪委监委主要负责人可以解除密封',
    sentUpNoUnseal: '该事项已报送上级纪委监委，不能解除密封',
  },
  // The petitioner's satisfaction and the supervisor's follow-up tasks.
  satisfaction: {
    sealedElsewhere: '您反映的事项按规定由上级纪委监委办理，这里不能评价。',
    transferred: '您反映的事项已转交其他单位办理，请向该单位评价。',
    notYet: '事项办结并反馈处理结果后，才能评价。',
    alreadyRated: '您已经评价过了，每件事项只能评价一次。谢谢您！',
    closeOnlySupervisor: '只有主任可以办结回访复核任务。',
    taskNotFound: '没有这个回访复核任务。',
    taskClosed: '该回访复核任务已经办结。',
  },
  // Calls from a reception room and the live session that follows.
  calls: {
    notFound: '没有找到这次来电，可能已经结束。',
    ended: '这次来电已经结束。',
    roomBusy: '该接待室已有来电或接访在进行中，请等其结束后再试。',
    taken: ERROR_TEXT.CALL_ALREADY_TAKEN,
    unknownRoom: '没有这个接待室，请刷新后重新选择。',
    endedWhileAnswering: '接听时来电已经结束。',
    callbackOnlyWaiting: '只有正在等待接听的来电才能申请回电。',
    tooFrequent: '呼叫过于频繁，请稍后再试。',
  },
  sessions: {
    notFound: '这次接访已经结束或不存在，请刷新后再试。',
    roleMayNotJoin: '您的账号不能加入接访。',
    staffNoPublish: '乡镇接待人员在接访中不发送音视频。',
    monitorSilent: '旁听时不能发言；如需发言，请先切换为加入或接管。',
    streamGone: '这路音视频已经结束，请刷新后再试。',
    privatePart: '县纪委监委正在单独谈话，这段时间乡镇人员不能收看。',
    wallWatchOnly: '监看墙只能收看，不能发言。',
    answerInstead: '这次来电还在等待接听，请直接接听。',
    countyModesOnly: '只有县纪委监委人员可以切换旁听、加入或接管。',
    joinToPrivate: '请先加入接访，再开始单独谈话。',
    kioskEnds: '接待室终端请直接结束接访。',
    noTownship: '您的账号没有关联乡镇，请联系系统管理员。',
    kioskOffline: '该接待室的终端不在线，请确认终端已开机联网后再试。',
    alertGone: '这条提醒已不存在，可能已由他人处理。',
  },
  // The reception-room kiosk's self-check.
  kioskCheck: {
    disabled: '本系统未开启终端自检。',
    callInProgress: '接待进行中，稍后再自检。',
    tooFrequent: '设备自检过于频繁，请稍后再试。',
    closed: '设备自检已经结束，请重新开始自检。',
    notFound: '没有正在进行的设备自检，请重新开始自检。',
    trackTwice: '这项设备已经在自检中，无需重复开始。',
  },
  // Recordings and their playback.
  recording: {
    notFound: '录像不存在',
    mixFailed: '录像合成失败，请稍后重试。',
    integrity: '录像数据完整性校验失败，已拒绝播放。',
    playbackGone: '这次回放已经结束或过期，请重新打开录像。',
    nothingToPlay: '这段录像没有可以播放的内容。',
    notFinished: '录像尚未结束，结束后才能播放。',
    pauseOnlySupervisor: '只有信访室负责人可以暂停录像',
    notRecording: '这次接访当前没有在录像。',
  },
  // The cadre registry: imports, held changes and links to user accounts.
  registry: {
    missingColumns: (columns: readonly string[]) => `表头缺少列：${columns.join('、')}。`,
    unknownEncoding: '无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV 文件。',
    unclosedQuote: (line: number) => `CSV 格式有误：第 ${line} 行的引号没有闭合。`,
    noRows: '文件没有数据行（CSV 或 Excel 的第一个工作表）',
    workbookTooLarge: '这个 Excel 文件解压后过大，请分成几个文件导入，或另存为 CSV。',
    tooManyRows: (max: number) => `文件超过 ${max} 行，请分成几个文件导入。`,
    badWorkbook: '无法读取这个 Excel 文件：请确认是 xlsx 格式（较早的 xls 格式请另存为 xlsx 或 CSV 后再导入）。',
    importNotFound: '没有这次导入记录，请刷新后再试。',
    changeNotFound: '没有这条待确认的档案变更。',
    changeDecided: '这条档案变更已经处理过，或已被后来的导入取代。',
    changeOtherAdmin: '档案变更须由导入人以外的另一名管理员确认。',
    changeAboutYou: '这条档案变更涉及您本人，须由其他管理员确认。',
    userNotFound: '没有这个用户',
    noSuchOfficialCode: '干部档案中没有这个人员编码',
    nameRequired: '请填写姓名',
    /** Per-row notes of an import, shown in its error list beside the row's line number. */
    rows: {
      held: '该人员已关联县级账号：姓名、单位、职务、乡镇或管理层级的变更已列入待确认，须由另一名管理员确认后生效。',
      unitKept: '单位名称未改：该单位有人员关联县级账号，名称变更须随该人员的档案变更由另一名管理员确认。',
      interrupted: '导入被服务重启中断，请重新导入。',
      missingCode: '缺少人员编码',
      missingName: '缺少姓名',
      fieldTooLong: (max: number) => `字段超过 ${max} 字`,
      unknownTownship: '乡镇不在本县名单中',
      unknownDistrict: '片区应为第一片区至第四片区之一，或留空',
      unitNameWithoutCode: '有单位名称但缺少单位编码',
      badLevel: '管理层级应为县管干部、乡镇干部、村干部或留空',
      badIdCard: '身份证号校验不通过',
      badKeyOfficial: '关键少数应填“是”或“否”，或留空',
      duplicateCode: '人员编码在本批中重复',
      missingRecordId: '缺少记录编号',
      unknownOfficial: '人员编码不在清廉档案中，请先导入人员',
      badDate: '处分日期应写作“年-月-日”，如 2024-03-15。',
      missingKind: '缺少处分种类',
      missingReason: '缺少事由',
      fieldsTooLong: '字段过长',
      badProbation: '察看期应为一年、二年或留空',
      probationOnlyForProbation: '只有留党察看填写察看期',
      duplicateRecordId: '记录编号在本批中重复',
    },
  },
  // Discipline records and people search.
  discipline: {
    idCardLength: '身份证号应为 18 位（最后一位可以是 X）',
    idCardChecksum: '身份证号校验不通过，请核对',
    nameHanOnly: '姓名只能是汉字，或用拼音、拼音首字母查询',
    personNotFound: '没有找到这个人员',
    noDistrict: '该账号未分配片区',
  },
  // 清廉档案 (issue 17).
  archive: {
    notKeyOfficial: '此人不是关键少数，档案由导入和处分、信访等事项自动更新，无需按月录入。',
    futureMonth: '不能录入尚未到来的月份',
    tooOld: '只能录入或修改最近 12 个月的档案',
    signed: '该月档案已由组长签字确认，不能再修改。',
    monthMissing: '该月档案尚未录入，不能签字确认。',
    alreadySigned: '该月档案已经签字确认。',
    warningNotFound: '没有找到这条预警',
    warningClosed: '这条预警已经办结或已撤销。',
    signOwnEntry: '录入人不能签字确认本人录入的月度情况，请由其他组长签字。',
    ownProfile: '本人的清廉档案须回避，不能查看或办理。',
    unitNotFound: '没有找到这个单位',
    ownUnit: '本人所在单位的政治生态报告须回避，请由其他同志查看。',
    noCjkFont: '服务器未安装中文字体，暂时无法生成 PDF。请联系系统管理员安装文泉驿微米黑字体后重试，或先用“打印”保存。',
  },
  // 清廉档案's monthly update by file: per-row notes beside the row's line number.
  archiveImport: {
    badMonth: '月份应写作“年-月”，如 2026-03',
    badAssessment: '廉政鉴定应为良好、一般或较差',
    duplicate: '同一人员同一月份在本文件中重复',
    badRow: '该行内容有误',
    badCount: '问题数应为不小于 0 的整数，或留空',
    stopped: (rowsBefore: number, imported: number) =>
      `导入在第 ${rowsBefore + 1} 条数据处中止：之前已导入 ${imported} 行，之后的未导入。请稍后重新导入（已导入的月份会按新内容更新）。`,
    notInDistrict: '人员编码不在本片区的清廉档案中',
  },
  // 回访教育 (issue 17).
  visits: {
    recordNotFound: '没有找到这条处分记录',
    notInEffect: '该处分不在影响期内（或没有影响期），无需安排回访教育。',
    plannedInPast: '回访日期不能早于今天',
    plannedAfterEffect: (end: string) => `回访日期应在影响期内（至 ${end}）`,
    sameIdOther: '该回访编号已用于另一次回访',
    notFound: '没有找到这次回访',
    done: '这次回访已经记录，不能重复记录。',
    doneInFuture: '回访日期不能晚于今天',
    doneBeforeDecision: '回访日期不能早于处分决定日期',
  },
  // 廉政意见回复 (issue 17).
  opinions: {
    notFound: '没有找到这份征求意见函',
    unknownPeople: (codes: string[]) => `以下人员编码不在档案中：${codes.slice(0, 10).join('、')}${codes.length > 10 ? ` 等 ${codes.length} 个` : ''}`,
    duplicateCodes: '人员编码有重复，请核对',
    receivedInFuture: '收文日期不能晚于今天',
    sameIdOther: '该请求编号已用于另一份征求意见函',
    signed: '该回复已签发，不能再修改。',
    notCandidate: '该人员不在这份征求意见函中',
    ownCandidate: '拟任人选中有本人，须回避，不能办理这份征求意见函。',
  },
  // 建议书 → 整改 → 回头看 (issue 17).
  recommendations: {
    notFound: '没有找到这份建议书',
    unitNotFound: '没有这个单位，请从列表中选择受文单位',
    recordNotFound: (id: string) => `没有编号为 ${id} 的处分记录`,
    duplicateDocNumber: '这个文号已经登记过，请核对',
    issuedInFuture: '发出日期不能晚于今天',
    notAwaitingReport: '这份建议书当前不在等待整改报告，不能登记整改报告。',
    notReportReceived: '这份建议书没有待评估的整改报告，不能通过或退回。',
    notReviewPending: '这份建议书当前不在回头看阶段，不能登记回头看结果。',
    closed: '这份建议书已经销号，不能再办理。',
    reportBeforeIssue: '整改报告收到日期不能早于建议书发出日期',
    reportInFuture: '整改报告收到日期不能晚于今天',
    reviewNotLater: '回头看日期应晚于今天',
    deadlineNotLater: '新的整改期限应晚于今天',
  },
  audit: {
    exportTooMany: (max: number) => `该时间段的审计记录超过 ${max} 条，请缩短时间段分次导出`,
  },
  // The database, the disk and the other nodes: nothing the user did wrong, so they are told to wait or whom to call.
  storage: {
    dbUnavailable: '数据库暂时不可用，请稍后重试。',
    dbRecovering: '数据库正在恢复，请稍后重试。',
    dbSlow: '数据库没有及时响应，请稍后重试。',
    busy: '系统繁忙，请稍后重试。',
    full: '服务器存储空间已满，本次操作没有保存。请联系管理员清理磁盘后重试。',
    integrity: '数据完整性校验失败，已拒绝并告警，请联系安全管理员',
    /** Health's reasons, on the status page and in the health answer. */
    belowReserve: (dir: string, freeMb: number, reserveMb: number) =>
      `数据目录（${dir}）存储空间不足：剩余 ${freeMb} MB，低于保留的 ${reserveMb} MB，写入已暂停。`,
    databaseDiskFull: '数据库磁盘已满：最近一次写入因空间不足失败。',
    dataDirDiskFull: (dir: string) => `数据目录（${dir}）磁盘已满：最近一次写入因空间不足失败。`,
  },
  cluster: {
    singleNode: '系统配置有误，请联系系统管理员。',
    shuttingDown: '服务器正在重启，请稍后再试。',
    nodeGone: '负责这次接访的服务器暂时连不上，请稍后再试。',
    busDown: '服务器之间暂时连不上，请稍后再试；如反复出现，请联系系统管理员。',
    noAnswer: ERROR_TEXT.NODE_TIMEOUT,
  },
  // The media servers.
  sfu: {
    noAnswer: ERROR_TEXT.SFU_TIMEOUT,
    error: ERROR_TEXT.SFU_ERROR,
    shuttingDown: '音视频服务正在重启，请稍后再试。',
    noMedia: '这次接访的音视频已经结束，请刷新后再试。',
    mediaClosed: '这次接访的音视频已经关闭，请刷新后再试。',
    connectionGone: '音视频连接已经断开，请刷新后再试。',
    wrongTransport: '音视频连接的类型不对，请刷新页面后重试。',
    cannotDecode: '您的设备无法播放这路音视频，请换用推荐的浏览器后再试。',
    pipeGone: '音视频服务之间的连接已经断开，请稍后再试。',
    noNode: '音视频服务没有启动，请联系系统管理员。',
    busy: '音视频服务繁忙，请稍后再试。',
  },
});

type Catalog = typeof ERROR_MESSAGES;
/** Every entry of the catalog, with its place ("cases.notFound"), for the test that reads them all. */
export type ErrorMessageEntry = { key: string; text: string | ((...args: never[]) => string) };
export function errorMessageEntries(catalog: Catalog = ERROR_MESSAGES): ErrorMessageEntry[] {
  // Areas hold texts, and a few hold a group of texts of their own (the jurisdiction bars, an import's row notes).
  const walk = (prefix: string, o: object): ErrorMessageEntry[] =>
    Object.entries(o).flatMap(([name, v]: [string, unknown]) =>
      typeof v === 'string' || typeof v === 'function'
        ? [{ key: `${prefix}${name}`, text: v as ErrorMessageEntry['text'] }]
        : walk(`${prefix}${name}.`, v as object),
    );
  return walk('', catalog);
}

/** Frozen all the way down: no text can be changed at run time. */
function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v as object);
  return Object.freeze(o);
}
