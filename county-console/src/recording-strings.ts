// The recording's words on the console.
export const TR = {
  recording: '● 录像中',
  paused: '录像已暂停',
  notRecording: '未录像',
  pause: '暂停录像',
  resume: '恢复录像',
  reason: '理由（至少 5 个字，记入审计）',
  confirm: '确定',
  cancel: '取消',
  title: '接访录像',
  none: '本次接访没有录像',
  status: { recording: '录像中', paused: '已暂停', finalizing: '正在保存', complete: '已完成', interrupted: '因服务中断而结束', purged: '已按规定销毁' } as Record<string, string>,
  summary: (minutes: string, mb: string, segments: number) => `时长 ${minutes}，${mb} MB，${segments} 段（加密保存）`,
  play: '播放录像(记入审计)',
  preparing: '正在解密并合成录像……',
  verify: '校验完整性',
  verified: (n: number) => `完整性校验通过（${n} 段）`,
  broken: (seq: number, problem: string) => `第 ${seq} 段校验失败：${problem === 'hash' ? '文件被改动' : problem === 'missing' ? '文件缺失' : '链条断裂'}`,
  /** Reasons the system writes (codes or English); an officer's own reason is Chinese and shown as written. */
  reasons: {
    recorder_stalled: '录像程序无响应',
    recorder_exited: '录像程序意外退出',
    recorder_given_up: '录像程序多次重启失败',
    'server stopped while recording': '录像期间服务器停止',
  } as Record<string, string>,
  otherReason: '系统原因',
  events: {
    start: '开始录像', pause: '暂停', resume: '恢复', stop: '结束', gap_start: '录像中断', gap_end: '录像恢复', restart: '录像程序自动重启',
    track_start: '新增音视频轨', track_stop: '音视频轨结束', interrupted: '服务中断',
  } as Record<string, string>,
} as const;
