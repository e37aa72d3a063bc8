// Every word the kiosk shows or speaks, in one place, so a second language can be added later.
// Chinese text takes full-width punctuation (，。！？：；); test/unit/punctuation.test.ts checks it.
// This file has no imports: scripts/make-prompts.mjs evaluates it at build time to render the CLIPS below.

/** What each receipt status means to the villager, shown and read aloud. */
const STATUS_WORDS = {
  received: '您反映的问题县纪委监委已经收到，正在审核。',
  accepted: '县纪委监委已经受理您反映的问题。',
  referred: '您反映的问题已交由镇街纪（工）委调查办理，县纪委监委全程督办。',
  transferred: '您反映的问题已转交有管辖权的单位依职权办理。',
  handling: '您反映的问题正在调查处理中。',
  reported: '处理结果已经上报，县纪委监委正在审核。',
  returned: '县纪委监委要求重新办理，正在督促落实。',
  closed: '您反映的问题已经办结。',
} as const;
type Status = keyof typeof STATUS_WORDS;

/** The national reporting line of the discipline commissions: a way to be heard that needs no kiosk. */
const HOTLINE = '12388';

export const T = {
  appTitle: '长沙县纪委监委 视频接访',
  roomSuffix: '来访接待室',
  idleGreeting: '您好！需要反映问题，请按下面的红色按钮',
  callButton: '呼叫县纪委监委',
  confidentialityPromise: '您反映的内容严格保密，县纪委监委全程监督办理',
  starting: '正在打开摄像头和话筒……',
  waitingTitle: '正在呼叫县纪委监委，请稍候',
  waitingElapsed: (t: string) => `已等待 ${t}`,
  cancelButton: '取消呼叫',
  queueAhead: (n: number) => (n <= 0 ? '您排在第一位，工作人员空闲后马上接听' : `前面还有 ${n} 位`),
  unansweredTitle: '县纪委监委工作人员暂时都在忙',
  unansweredBody: '已经提醒县纪委监委值班负责人尽快接听。您可以继续等待，也可以请县纪委监委回电。',
  keepWaiting: '继续等待',
  requestCallback: '请县纪委监委回电',
  keptWaiting: '好的，您继续等待，县纪委监委值班负责人已经知道您在等候',
  callbackTitle: '已请县纪委监委回电',
  callbackBody: `县纪委监委会尽快联系本接待室。您也可以改天再来，或拨打举报电话 ${HOTLINE}。`,
  callbackFailed: `回电请求没有发送成功。您可以继续等待，或拨打举报电话 ${HOTLINE}。`,
  selfPreview: '您的画面',
  inCallTitle: (name: string) => `已接通：${name}`,
  inCallNotice: '您反映的问题和您的身份信息将严格保密，请放心反映。',
  inCallElapsed: (t: string) => `通话时长 ${t}`,
  endButton: '结束通话',
  endConfirmTitle: '确定要结束通话吗？',
  endConfirmYes: '确定结束',
  endConfirmNo: '继续通话',
  countyName: '县纪委监委',
  monitoringBanner: '县纪委监委正在监督本次接待',
  checkRunning: '设备自检中……',
  checkOk: (time: string) => `设备自检正常（${time}）`,
  checkProblem: (what: string) => `设备自检发现问题：${what}，已通知县纪委监委`,
  checkParts: { camera: '摄像头', microphone: '话筒', network: '网络' } as Record<'camera' | 'microphone' | 'network', string>,
  checkError: '设备自检没有完成，稍后会再试',
  /** The villager's line, in plain words: what it means for them, not what the network does. */
  linePoor: '网络信号不好，声音可能断断续续，请慢慢说',
  lineSoundOnly: '网络信号不好，对方暂时看不到您的画面，但能听到您说话',
  recordingOn: '录像中',
  waitingRecorded: '县纪委监委能看到您的画面，从呼叫开始录像。',
  recordingPaused: '录像已暂停',
  privateBanner: '单独反映中：现在只有县纪委监委能看到、听到您',
  requestPrivate: '申请单独反映',
  privateRequested: '已申请单独反映，请稍候',
  staffIntake: '镇街接待室工作人员',
  staffIntakeTitle: '接待室正在接待，本次接待全程录音录像',
  /** Who can see and hear the villager right now, from the session's participants. */
  presenceLead: '现在能看到、听到您的：',
  presenceNobody: '现在没有其他人能看到、听到您',
  presenceStaff: '本接待室工作人员',
  // An officer's display name often says the office already ("县纪委监委信访室 王干事"): not said twice.
  presenceCounty: (name: string) => (name.startsWith('县纪委监委') ? name : `县纪委监委 ${name}`),
  presenceCountyMonitor: '县纪委监委工作人员（旁听监督）',
  presenceCountyAbsent: '县纪委监委暂未加入。',
  presenceRecorded: '本次接待全程录像，县纪委监委可以调阅。',
  reconnectingCall: '网络中断，正在恢复通话，请不要离开',
  reconnectingHint: '通话会自动恢复',
  reconnectingWayOut: '如果不想再等，可以结束本次通话',
  endedLost: '与县纪委监委的连接中断，通话没能恢复。如需继续反映，请重新呼叫。',
  endedOfficerLost: '县纪委监委工作人员的网络中断，通话没能恢复。如需继续反映，请重新呼叫。',
  endedTitle: '本次视频接访已结束',
  endedThanks: '感谢您的信任。县纪委监委将督促办理您反映的问题。',
  endedUnanswered: '这次呼叫没有接通。如需反映问题，可以随时再次呼叫。',
  backHome: (s: number) => `${s} 秒后返回首页`,
  backHomeNow: '返回首页',
  connecting: '正在连接县纪委监委服务器……',
  troubleOffline: '网络连接中断，正在重新连接',
  troubleServer: '暂时无法连接县纪委监委服务器',
  troubleCamera: '摄像头或话筒无法使用，请工作人员检查设备',
  troubleCameraReported: `摄像头或话筒无法使用，已通知县纪委监委。您也可以拨打举报电话 ${HOTLINE}。`,
  troubleAuth: '本机登记凭据无效或已停用，请联系县纪委监委管理员',
  troubleCallFailed: '呼叫没有成功，请稍后再试',
  retryIn: (s: number) => `${s} 秒后自动重试`,
  retryNow: '立即重试',
  lookupButton: '查询办理进度',
  receiptTitle: '您的信访回执',
  receiptCode: '查询号',
  receiptPin: '查询密码',
  receiptKeep: '请妥善保管，凭查询号和密码可在任一接待室查询办理进度',
  receiptPrint: '打印回执',
  receiptDone: '我已记下',
  receiptSpoken: (code: string, pin: string) => `您的查询号是：${code.split('').join(' ')}。查询密码是：${pin.split('').join(' ')}。请妥善保管。`,
  lookupCodeTitle: '请输入 10 位查询号',
  lookupPinTitle: '请输入 6 位查询密码',
  lookupBusy: '正在查询……',
  lookupNotFound: '查询号或密码不正确，请核对后重新输入',
  lookupLocked: '尝试次数过多，请 15 分钟后再试',
  lookupRetryPin: '查询号没错，只重输密码',
  lookupRetryCode: '重输查询号和密码',
  lookupTypedCode: (code: string) => `您输入的查询号：${code}`,
  lookupFailed: '暂时无法查询，请稍后再试',
  lookupResultTitle: '办理进度',
  lookupFeedback: '县纪委监委反馈',
  // 密封事项: received, and handled by the next level up; nothing else is said about it.
  lookupHandledAbove: '您反映的问题已经收到，按规定由上级纪委监委办理。',
  lookupUpdated: (d: string) => `更新时间：${d}`,
  lookupOtherBody: (body: string) => `您反映的事项不属于纪检监察机关受理范围，由${body}负责办理，请您向该单位反映。`,
  lookupNoticesTitle: '县纪委监委已经告知您：',
  lookupNoticeKinds: { accept: '受理情况', result: '处理结果' } as Record<string, string>,
  lookupNoticeVias: { in_person: '当面', phone: '电话', letter: '书面', sms: '短信' } as Record<string, string>,
  lookupReviewKinds: { review: '复查意见', recheck: '复核意见' } as Record<string, string>,
  lookupReviewLine: (kind: string, day: string) => `${kind}（${day}）：`,
  lookupNoticeLine: (day: string, via: string, kind: string) => `${day}，以${via}方式告知${kind}：`,
  rateOpen: '评价办理结果',
  rateTitle: '您对办理结果满意吗？',
  rateLabels: { satisfied: '满意', basic: '基本满意', unsatisfied: '不满意' } as Record<'satisfied' | 'basic' | 'unsatisfied', string>,
  rateReasonTitle: (label: string) => `您的评价：${label}，请选择一个原因`,
  rateReasons: { unresolved: '没有解决问题', slow: '办理太慢', attitude: '态度不好', unclear: '结果没说清楚' } as Record<
    'unresolved' | 'slow' | 'attitude' | 'unclear',
    string
  >,
  rateNoReason: '不说原因，直接提交',
  rateBusy: '正在提交……',
  rateThanks: '谢谢您的评价！',
  rateFollowUp: '县纪委监委会安排专人回访复核。',
  rateAlready: '您已经评价过了，每件事项只能评价一次。谢谢您！',
  rateFailed: '评价没有提交成功，请稍后再试',
  rateGiven: (label: string) => `您的评价：${label}`,
  delete: '删除',
  clear: '清空',
  next: '下一步',
  search: '查询',
  back: '返回首页',
  statusWords: STATUS_WORDS as Record<string, string>,
  unprovisionedTitle: '本终端尚未登记',
  unprovisionedBody: '请管理员用登记链接打开本页面。',
} as const;

/**
 * Every clip the kiosk can play without a browser voice. scripts/make-prompts.mjs renders each with espeak-ng
 * (Mandarin) into kiosk-client/public/prompts/; numbers and receipt digits are composed from the digit clips.
 */
export const CLIPS = {
  idle: '您好，需要反映问题，请按屏幕上的红色按钮，呼叫县纪委监委。',
  waiting: '正在为您呼叫县纪委监委，请稍候。',
  waitingReminder: '请您耐心等待，县纪委监委工作人员空闲后马上接听。',
  queueFirst: '您排在第一位，工作人员空闲后马上为您接通。',
  queueAheadPre: '前面还有',
  queueAheadPost: '位群众，请您耐心等待。',
  unanswered: '县纪委监委工作人员暂时都在忙，已经提醒值班负责人尽快接听。您可以继续等待，也可以按屏幕上的按钮，请县纪委监委回电。',
  keptWaiting: '好的，请您继续等待。',
  callback: `已请县纪委监委回电，县纪委监委会尽快联系本接待室。您也可以拨打举报电话，一二三八八。`,
  inCall: '已接通县纪委监委。您反映的问题和您的身份信息将严格保密，请放心反映。',
  staffIntake: '接待室正在接待，本次接待全程录音录像。',
  presenceLead: '现在能看到、听到您的有：',
  presenceStaff: '本接待室工作人员。',
  presenceCounty: '县纪委监委工作人员。',
  presenceCountyAbsent: '县纪委监委暂未加入。',
  monitoring: '县纪委监委正在监督本次接待。',
  private: '现在是单独反映，只有县纪委监委能看到、听到您，请放心反映。',
  privateRequested: '已为您申请单独向县纪委监委反映，请稍候。',
  privateEnded: '单独反映已结束。',
  endConfirm: '确定要结束通话吗？',
  reconnecting: '网络中断，正在恢复通话，请不要离开。',
  linePoor: '网络信号不好，声音可能断断续续，请慢慢说。',
  lineSoundOnly: '网络信号不好，对方暂时看不到您的画面，但能听到您说话，请继续说。',
  lineBack: '网络好了，对方又能看到您了。',
  ended: '本次视频接访已结束，感谢您的信任。',
  endedUnanswered: '这次呼叫没有接通。如需反映问题，可以随时再次呼叫。',
  endedLost: T.endedLost,
  endedOfficerLost: T.endedOfficerLost,
  troubleOffline: '网络连接中断，正在重新连接。',
  troubleServer: '暂时无法连接县纪委监委服务器。',
  troubleCamera: '摄像头或话筒无法使用，请工作人员检查设备。',
  troubleCameraReported: '摄像头或话筒无法使用，已通知县纪委监委。您也可以拨打举报电话，一二三八八。',
  troubleAuth: '本机登记凭据无效，请联系县纪委监委管理员。',
  troubleCallFailed: '呼叫没有成功，请稍后再试。',
  receiptCode: '您的查询号是：',
  receiptPin: '查询密码是：',
  receiptKeep: '请妥善保管。',
  lookupCode: '请在屏幕上输入十位查询号。',
  lookupPin: '请输入六位查询密码。',
  lookupNotFound: '查询号或密码不正确，请核对后重新输入。',
  lookupLocked: '尝试次数过多，请十五分钟后再试。',
  lookupFailed: '暂时无法查询，请稍后再试。',
  lookupFeedbackOnScreen: '县纪委监委的反馈写在屏幕上，请您查看，也可以请家人帮您读。',
  rateInvite: '您可以对办理结果作出评价，请按屏幕下方的绿色按钮。',
  rateChoose: '请评价办理结果。满意，请按绿色按钮；基本满意，请按黄色按钮；不满意，请按红色按钮。',
  rateReason: '请告诉我们原因，按屏幕上的一个按钮；不想说原因，请按最下面的按钮。',
  rateThanks: '谢谢您的评价！',
  rateFollowUp: '县纪委监委会安排专人回访复核。',
  rateAlready: '您已经评价过了，每件事项只能评价一次。谢谢您！',
  rateFailed: '评价没有提交成功，请稍后再试。',
  status_received: STATUS_WORDS.received,
  status_accepted: STATUS_WORDS.accepted,
  status_referred: STATUS_WORDS.referred,
  status_transferred: STATUS_WORDS.transferred,
  status_handling: STATUS_WORDS.handling,
  status_reported: STATUS_WORDS.reported,
  status_returned: STATUS_WORDS.returned,
  status_closed: STATUS_WORDS.closed,
  d0: '零',
  d1: '一',
  d2: '二',
  d3: '三',
  d4: '四',
  d5: '五',
  d6: '六',
  d7: '七',
  d8: '八',
  d9: '九',
  ten: '十',
  hundred: '百',
} as const;
export type ClipId = keyof typeof CLIPS;

export interface Prompt {
  text: string;
  clips: readonly ClipId[];
}

const clip = (...ids: ClipId[]): Prompt => ({ text: ids.map((id) => CLIPS[id]).join(''), clips: ids });
const digit = (d: string): ClipId => `d${d}` as ClipId;

/** A count read the Chinese way (十五, 二十三, 一百零五) from the digit, 十 and 百 clips. */
export function numberClips(n: number): ClipId[] {
  if (!Number.isInteger(n) || n < 0 || n > 999)
    return String(Math.max(0, Math.trunc(n)))
      .split('')
      .map(digit);
  if (n < 10) return [digit(String(n))];
  if (n < 20) return ['ten', ...(n % 10 ? [digit(String(n % 10))] : [])];
  if (n < 100) return [digit(String(Math.floor(n / 10))), 'ten', ...(n % 10 ? [digit(String(n % 10))] : [])];
  const rest = n % 100;
  const tail: ClipId[] = rest === 0 ? [] : rest < 10 ? ['d0', digit(String(rest))] : rest < 20 ? ['d1', ...numberClips(rest)] : numberClips(rest);
  return [digit(String(Math.floor(n / 100))), 'hundred', ...tail];
}

/** Every spoken prompt: its sentence for a browser voice, and the clips that say it without one. */
export const SAY = {
  idle: clip('idle'),
  waiting: clip('waiting'),
  waitingReminder: clip('waitingReminder'),
  queue: (position: number): Prompt =>
    position <= 1
      ? clip('queueFirst')
      : { text: `前面还有${position - 1}位群众，请您耐心等待。`, clips: ['queueAheadPre', ...numberClips(position - 1), 'queueAheadPost'] },
  unanswered: clip('unanswered'),
  keptWaiting: clip('keptWaiting'),
  callback: clip('callback'),
  inCall: clip('inCall'),
  staffIntake: clip('staffIntake'),
  presence: (staff: boolean, county: boolean, countyExpected: boolean): Prompt =>
    clip(
      'presenceLead',
      ...(staff ? (['presenceStaff'] as const) : []),
      ...(county ? (['presenceCounty'] as const) : []),
      ...(!county && countyExpected ? (['presenceCountyAbsent'] as const) : []),
    ),
  monitoring: clip('monitoring'),
  private: clip('private'),
  privateRequested: clip('privateRequested'),
  privateEnded: clip('privateEnded'),
  endConfirm: clip('endConfirm'),
  reconnecting: clip('reconnecting'),
  linePoor: clip('linePoor'),
  lineSoundOnly: clip('lineSoundOnly'),
  lineBack: clip('lineBack'),
  ended: clip('ended'),
  endedUnanswered: clip('endedUnanswered'),
  endedLost: clip('endedLost'),
  endedOfficerLost: clip('endedOfficerLost'),
  trouble: {
    offline: clip('troubleOffline'),
    server: clip('troubleServer'),
    camera: clip('troubleCamera'),
    cameraReported: clip('troubleCameraReported'),
    auth: clip('troubleAuth'),
    call_failed: clip('troubleCallFailed'),
  },
  receipt: (code: string, pin: string): Prompt => ({
    text: T.receiptSpoken(code, pin),
    clips: ['receiptCode', ...code.split('').map(digit), 'receiptPin', ...pin.split('').map(digit), 'receiptKeep'],
  }),
  lookupCode: clip('lookupCode'),
  lookupPin: clip('lookupPin'),
  lookupNotFound: clip('lookupNotFound'),
  lookupLocked: clip('lookupLocked'),
  lookupFailed: clip('lookupFailed'),
  rateInvite: clip('rateInvite'),
  rateChoose: clip('rateChoose'),
  rateReason: clip('rateReason'),
  rateThanks: (followUp: boolean): Prompt => clip('rateThanks', ...(followUp ? (['rateFollowUp'] as const) : [])),
  rateAlready: clip('rateAlready'),
  rateFailed: clip('rateFailed'),
  /** Two prompts said as one, so the second does not cut off the first. */
  both: (a: Prompt, b: Prompt): Prompt => ({ text: `${a.text}${b.text}`, clips: [...a.clips, ...b.clips] }),
  /** 密封事项: a browser voice reads the sentence; without one, the "received" clip and a pointer to the screen. */
  lookupHandledAbove: { text: T.lookupHandledAbove, clips: ['status_received', 'lookupFeedbackOnScreen'] } as Prompt,
  /** The county's feedback is free text: a browser voice reads it; the clips can only point to the screen. */
  /** `onScreen`: there is more on the screen than is said (the notices), so the villager is pointed to it. */
  lookupResult: (status: string, feedback: string | undefined, more = '', onScreen = false): Prompt => {
    const words = STATUS_WORDS[status as Status] ?? '';
    const statusClip = `status_${status}` as ClipId;
    return {
      text: `${words}${feedback ? `${T.lookupFeedback}：${feedback}` : ''}${more}${onScreen && !feedback && !more ? CLIPS.lookupFeedbackOnScreen : ''}`,
      clips: [...(statusClip in CLIPS ? [statusClip] : []), ...(feedback || more || onScreen ? (['lookupFeedbackOnScreen'] as const) : [])],
    };
  },
};

/** Why a call ended, when it was not the people in it (the connection, the server, the officer's network): the note the end screen shows and says. */
export function endedNoteOf(reason: string): 'endedLost' | 'endedOfficerLost' | undefined {
  if (reason === 'lost' || reason === 'kiosk_disconnected' || reason === 'server_restart' || reason === 'server_shutdown') return 'endedLost';
  if (reason === 'officer_disconnected') return 'endedOfficerLost';
  return undefined;
}
