import { AppError, type JoinResult, type KioskAuthResult, type ReceiptStatusView, type RoomInfo, type SessionEndReason, type SessionStateView } from '@vj/shared';
import { ExternalStore, RtcPeer, TokenKeeper, apiRequest, openSocket, socketChannel, speak, type AppSocket, type SignalChannel } from '@vj/shared/client';
import { readCredential } from './credential';
import { T } from './strings';

export type Problem = 'offline' | 'server' | 'camera' | 'auth' | 'call_failed';

export type KioskView =
  | { screen: 'unprovisioned' }
  | { screen: 'connecting' }
  | { screen: 'trouble'; problem: Problem; retryAt: number }
  | { screen: 'idle' }
  | { screen: 'starting' }
  | { screen: 'waiting'; since: number }
  | { screen: 'in_call'; officerName: string; since: number }
  | { screen: 'ended'; reason: SessionEndReason | 'local'; backAt: number }
  | { screen: 'lookup' };

export interface KioskState {
  view: KioskView;
  /** The villager's receipt, shown over whatever screen is up until they confirm it. */
  receipt: { caseCode: string; pin: string } | undefined;
  room: RoomInfo | undefined;
  local: MediaStream | undefined;
  remote: MediaStream | undefined;
  /** The live session as the server sees it: monitoring, private, who leads. */
  session: SessionStateView | undefined;
  queuePosition: number | undefined;
  /** Set while the network is down during a call: the call is kept and resumes when it comes back. */
  reconnecting: boolean;
  privateRequested: boolean;
}

const RETRY_MS: Record<Problem, number> = { offline: 5_000, server: 10_000, camera: 15_000, auth: 30_000, call_failed: 8_000 };
const PROBLEM_TEXT: Record<Problem, string> = {
  offline: T.troubleOffline,
  server: T.troubleServer,
  camera: T.troubleCamera,
  auth: T.troubleAuth,
  call_failed: T.troubleCallFailed,
};
export const problemText = (p: Problem) => PROBLEM_TEXT[p];

/** Longer drops than this rebuild the media transports instead of restarting ICE on them. */
const REBUILD_AFTER_MS = 20_000;

/**
 * The kiosk's behaviour as a small state machine outside React: connect with the device credential, call,
 * publish camera and microphone, show the officer, keep the call through network drops, recover from every
 * trouble with an automatic retry. React only renders `state`.
 */
export class KioskController extends ExternalStore<KioskState> {
  private socket: AppSocket | undefined;
  private channel: SignalChannel | undefined;
  private keeper: TokenKeeper | undefined;
  private peer: RtcPeer | undefined;
  /** Producers announced while the media is being rebuilt: consumed once the new peer is ready. */
  private readonly waiting = new Set<string>();
  private sessionId: string | undefined;
  private droppedAt: number | undefined;
  /** Queue positions can arrive before call:start has answered with our session id. */
  private readonly positions = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reminder: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super({
      view: { screen: 'connecting' },
      receipt: undefined,
      room: undefined,
      local: undefined,
      remote: undefined,
      session: undefined,
      queuePosition: undefined,
      reconnecting: false,
      privateRequested: false,
    });
  }

  private show(view: KioskView): void {
    clearTimeout(this.timer);
    clearInterval(this.reminder);
    this.set({ view });
  }

  private trouble(problem: Problem, retry: () => void): void {
    this.show({ screen: 'trouble', problem, retryAt: Date.now() + RETRY_MS[problem] });
    speak(PROBLEM_TEXT[problem]);
    this.timer = setTimeout(retry, RETRY_MS[problem]);
  }

  private async fetchToken(): Promise<KioskAuthResult> {
    const credential = readCredential();
    if (!credential) throw new AppError('UNAUTHENTICATED', 'no credential');
    return apiRequest<KioskAuthResult>('POST', '/api/auth/kiosk', { body: { credential } });
  }

  /** Connects (or reconnects) to the server; the idle screen appears once the socket is up. */
  start = async (): Promise<void> => {
    if (!readCredential()) return this.show({ screen: 'unprovisioned' });
    if (!this.sessionId) this.show({ screen: 'connecting' });
    let auth: KioskAuthResult;
    try {
      auth = await this.fetchToken();
    } catch (err) {
      if (this.sessionId) return void (this.timer = setTimeout(() => void this.start(), 2000));
      const problem = err instanceof AppError && err.code === 'UNAUTHENTICATED' ? 'auth' : 'server';
      return this.trouble(problem, () => void this.start());
    }
    this.set({ room: auth.room });
    this.keeper?.stop();
    this.keeper = new TokenKeeper(
      () => this.fetchToken(),
      (t) => void this.channel?.request('auth:refresh', { token: t.accessToken }).catch(() => {}),
    );
    await this.keeper.start(auth);
    this.connectSocket();
  };

  private connectSocket(): void {
    this.socket?.disconnect();
    const socket = openSocket(() => this.keeper?.token);
    this.socket = socket;
    this.channel = socketChannel(socket);
    socket.on('connect', () => void this.onConnected());
    socket.on('connect_error', (err) => {
      if (err.message !== 'UNAUTHENTICATED') return; // socket.io retries by itself; a refused token does not heal
      socket.disconnect();
      if (this.sessionId) void this.start(); // a token that expired offline: fetch a fresh one, keep the call
      else this.trouble('auth', () => void this.start());
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      if (this.sessionId) {
        this.droppedAt ??= Date.now();
        this.set({ reconnecting: true });
        speak(T.reconnectingCall);
        return;
      }
      this.trouble('offline', () => (socket.connected ? this.goIdle() : void this.start()));
    });
    socket.on('session:answered', ({ sessionId, officerName }) => {
      if (sessionId !== this.sessionId) return;
      this.show({ screen: 'in_call', officerName, since: Date.now() });
      speak(T.inCallSpoken);
    });
    socket.on('session:state', (session) => {
      if (session.sessionId !== this.sessionId) return;
      const before = this.state.session;
      this.set({ session });
      if (session.monitoring && !before?.monitoring) speak(T.monitoringSpoken);
      if (session.private && !before?.private) speak(T.privateSpoken);
    });
    socket.on('queue:position', ({ sessionId, position }) => {
      this.positions.set(sessionId, position);
      if (sessionId === this.sessionId) this.set({ queuePosition: position });
    });
    socket.on('session:producer', ({ sessionId, producer }) => {
      if (sessionId === this.sessionId) void this.consume(producer.producerId);
    });
    socket.on('session:mediaReset', ({ sessionId }) => {
      // The server lost this call's media and made it anew: same call, new transports and tracks.
      if (sessionId !== this.sessionId) return;
      this.droppedAt = undefined;
      void this.resume(sessionId);
    });
    socket.on('session:producerClosed', ({ sessionId, producerId }) => {
      if (sessionId !== this.sessionId) return;
      this.waiting.delete(producerId);
      this.peer?.dropProducer(producerId);
    });
    socket.on('session:receipt', ({ sessionId, caseCode, pin }) => {
      if (sessionId !== this.sessionId && this.state.view.screen !== 'ended') return;
      this.set({ receipt: { caseCode, pin } });
      speak(T.receiptSpoken(caseCode, pin), { repeat: 2 });
    });
    socket.on('session:publish', ({ sessionId }) => void this.joinStaffIntake(sessionId));
    socket.on('session:ended', ({ sessionId, reason }) => {
      if (sessionId === this.sessionId) this.finish(reason);
    });
  }

  /** After (re)connecting: resume a call in progress, or pick up one the server still holds (a reload). */
  private async onConnected(): Promise<void> {
    if (this.sessionId) return this.resume(this.sessionId);
    const { sessions } = await this.channel!.request('session:mine', {}).catch(() => ({ sessions: [] }));
    if (sessions[0]) return this.resume(sessions[0].sessionId);
    if (this.state.view.screen === 'connecting' || this.state.view.screen === 'trouble') this.goIdle();
  }

  private async resume(sessionId: string): Promise<void> {
    let joined: JoinResult;
    try {
      joined = await this.channel!.request('session:rejoin', { sessionId });
    } catch {
      this.sessionId = sessionId;
      return this.finish('kiosk_disconnected');
    }
    const away = this.droppedAt ? Date.now() - this.droppedAt : Infinity;
    this.droppedAt = undefined;
    this.sessionId = sessionId;
    this.set({ reconnecting: false, session: joined.session });
    try {
      if (this.peer && this.peer.healthy && away < REBUILD_AFTER_MS) {
        await this.peer.restartIce();
      } else {
        await this.rebuild(joined);
      }
      if (joined.session.state === 'active' && this.state.view.screen !== 'in_call') this.show({ screen: 'in_call', officerName: this.officerName(joined.session), since: Date.now() });
      if (joined.session.state === 'calling' && this.state.view.screen !== 'waiting') this.show({ screen: 'waiting', since: Date.now() });
    } catch {
      await this.channel!.request('session:end', { sessionId }).catch(() => {});
      this.dropCall();
      this.trouble('call_failed', () => this.goIdle());
    }
  }

  private officerName(s: SessionStateView): string {
    return s.participants.find((p) => p.role !== 'kiosk' && p.mode !== 'monitor')?.name ?? T.countyName;
  }

  /** New transports and tracks: after a long drop, a failed transport, or a page reload. */
  private async rebuild(joined: JoinResult): Promise<void> {
    this.peer?.close();
    this.peer = undefined;
    this.waiting.clear();
    await this.channel!.request('rtc:reset', { sessionId: this.sessionId! });
    // Closing the old producers stopped their tracks: reuse the camera only while it is still live.
    const live = this.state.local?.getTracks().every((t) => t.readyState === 'live');
    const local = live && this.state.local ? this.state.local : await this.openCamera();
    this.set({ local, remote: new MediaStream() });
    this.peer = new RtcPeer(this.channel!, this.sessionId!);
    await this.peer.load();
    await this.peer.publish(local, { simulcast: true });
    for (const id of new Set([...joined.producers.map((p) => p.producerId), ...this.waiting])) await this.consume(id);
    this.waiting.clear();
  }

  private openCamera(): Promise<MediaStream> {
    return navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: { echoCancellation: true, noiseSuppression: true } });
  }

  private goIdle(): void {
    this.show({ screen: 'idle' });
    speak(T.idleSpoken);
  }

  private async consume(producerId: string): Promise<void> {
    if (!this.peer) return void this.waiting.add(producerId);
    const remote = await this.peer.consume(producerId).catch(() => undefined);
    if (!remote || !this.state.remote) return;
    this.state.remote.addTrack(remote.track);
    this.set({ remote: this.state.remote });
  }

  /** The big red button. */
  call = async (): Promise<void> => {
    if (this.state.view.screen !== 'idle' || !this.channel) return;
    this.show({ screen: 'starting' });
    let local: MediaStream;
    try {
      local = await this.openCamera();
    } catch {
      return this.trouble('camera', () => this.goIdle());
    }
    this.set({ local, remote: new MediaStream(), queuePosition: undefined, privateRequested: false });
    try {
      const { sessionId } = await this.channel.request('call:start', { requestId: crypto.randomUUID() });
      this.sessionId = sessionId;
      this.set({ queuePosition: this.positions.get(sessionId) });
      this.peer = new RtcPeer(this.channel, sessionId);
      await this.peer.load();
      this.show({ screen: 'waiting', since: Date.now() });
      speak(T.waitingSpoken);
      this.reminder = setInterval(() => speak(this.state.queuePosition ? T.queueSpoken(this.state.queuePosition) : T.waitingReminder), 30_000);
      await this.peer.publish(local, { simulcast: true });
    } catch {
      if (this.sessionId) await this.channel.request('session:end', { sessionId: this.sessionId }).catch(() => {});
      this.dropCall();
      this.trouble('call_failed', () => this.goIdle());
    }
  };

  /** Reception staff started an intake in this room: the kiosk's camera and microphone record it. */
  private async joinStaffIntake(sessionId: string): Promise<void> {
    if (this.sessionId) return;
    this.sessionId = sessionId;
    this.set({ remote: new MediaStream(), privateRequested: false });
    await this.resume(sessionId);
    this.show({ screen: 'in_call', officerName: T.staffIntake, since: Date.now() });
    speak(T.staffIntakeSpoken);
  }

  requestPrivate = async (): Promise<void> => {
    if (!this.sessionId || this.state.privateRequested) return;
    await this.channel?.request('session:requestPrivate', { sessionId: this.sessionId }).catch(() => {});
    this.set({ privateRequested: true });
    speak(T.privateRequestedSpoken);
  };

  hangUp = async (): Promise<void> => {
    const id = this.sessionId;
    if (id) await this.channel?.request('session:end', { sessionId: id }).catch(() => {});
    this.finish('local');
  };

  private dropCall(): void {
    this.peer?.close();
    this.peer = undefined;
    this.waiting.clear();
    this.sessionId = undefined;
    this.droppedAt = undefined;
    for (const t of this.state.local?.getTracks() ?? []) t.stop();
    this.set({ local: undefined, remote: undefined, session: undefined, queuePosition: undefined, reconnecting: false, privateRequested: false });
  }

  private finish(reason: SessionEndReason | 'local'): void {
    if (!this.sessionId && this.state.view.screen === 'ended') return;
    this.dropCall();
    const backAt = Date.now() + 10_000;
    this.show({ screen: 'ended', reason, backAt });
    speak(T.endedSpoken);
    this.timer = setTimeout(() => this.goIdle(), 10_000);
  }

  backHome = (): void => this.goIdle();

  dismissReceipt = (): void => this.set({ receipt: undefined });

  openLookup = (): void => {
    if (this.state.view.screen !== 'idle') return;
    this.show({ screen: 'lookup' });
    speak(T.lookupCodeSpoken);
    // A villager who walks away leaves no half-typed code on the screen for the next one.
    this.timer = setTimeout(() => this.goIdle(), 120_000);
  };

  lookup = async (caseCode: string, pin: string): Promise<ReceiptStatusView> => {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.goIdle(), 120_000);
    return apiRequest<ReceiptStatusView>('POST', '/api/receipts/lookup', { body: { caseCode, pin }, token: this.keeper?.token });
  };

  retryNow = (): void => {
    clearTimeout(this.timer);
    if (this.socket?.connected) this.goIdle();
    else void this.start();
  };
}
