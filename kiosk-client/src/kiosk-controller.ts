import { AppError, type KioskAuthResult, type ReceiptStatusView, type RoomInfo, type SessionEndReason } from '@vj/shared';
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

/**
 * The kiosk's whole behaviour as a small state machine outside React: connect with the device credential,
 * call, publish camera and microphone, show the officer once answered, and recover from every trouble with
 * an automatic retry. React only renders `state`.
 */
export class KioskController extends ExternalStore<KioskState> {
  private socket: AppSocket | undefined;
  private channel: SignalChannel | undefined;
  private keeper: TokenKeeper | undefined;
  private peer: RtcPeer | undefined;
  private sessionId: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reminder: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super({ view: { screen: 'connecting' }, receipt: undefined, room: undefined, local: undefined, remote: undefined });
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
    this.show({ screen: 'connecting' });
    let auth: KioskAuthResult;
    try {
      auth = await this.fetchToken();
    } catch (err) {
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
    socket.on('connect', () => {
      if (this.state.view.screen === 'connecting' || this.state.view.screen === 'trouble') this.goIdle();
    });
    socket.on('connect_error', (err) => {
      // A refused handshake is not retried blindly: fetch a fresh token first, which also notices revocation.
      socket.disconnect();
      if (err.message === 'UNAUTHENTICATED') this.trouble('auth', () => void this.start());
      else this.trouble('server', () => void this.start());
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      this.dropCall();
      this.trouble('offline', () => {
        if (socket.connected) this.goIdle();
        else void this.start();
      });
    });
    socket.on('session:answered', ({ sessionId, officerName }) => {
      if (sessionId !== this.sessionId) return;
      this.show({ screen: 'in_call', officerName, since: Date.now() });
      speak(T.inCallSpoken);
    });
    socket.on('session:producer', ({ sessionId, producer }) => {
      if (sessionId === this.sessionId) void this.consume(producer.producerId);
    });
    socket.on('session:producerClosed', ({ sessionId, producerId }) => {
      if (sessionId !== this.sessionId) return;
      this.peer?.dropProducer(producerId);
    });
    socket.on('session:receipt', ({ sessionId, caseCode, pin }) => {
      if (sessionId !== this.sessionId && this.state.view.screen !== 'ended') return;
      this.set({ receipt: { caseCode, pin } });
      speak(T.receiptSpoken(caseCode, pin), { repeat: 2 });
    });
    socket.on('session:ended', ({ sessionId, reason }) => {
      if (sessionId === this.sessionId) this.finish(reason);
    });
  }

  private goIdle(): void {
    this.show({ screen: 'idle' });
    speak(T.idleSpoken);
  }

  private async consume(producerId: string): Promise<void> {
    const remote = await this.peer?.consume(producerId).catch(() => undefined);
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
      local = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: { echoCancellation: true, noiseSuppression: true },
      });
    } catch {
      return this.trouble('camera', () => this.goIdle());
    }
    this.set({ local, remote: new MediaStream() });
    try {
      const { sessionId } = await this.channel.request('call:start', { requestId: crypto.randomUUID() });
      this.sessionId = sessionId;
      this.peer = new RtcPeer(this.channel, sessionId);
      await this.peer.load();
      this.show({ screen: 'waiting', since: Date.now() });
      speak(T.waitingSpoken);
      this.reminder = setInterval(() => speak(T.waitingReminder), 30_000);
      await this.peer.publish(local, { simulcast: true });
    } catch {
      if (this.sessionId) await this.channel.request('session:end', { sessionId: this.sessionId }).catch(() => {});
      this.dropCall();
      this.trouble('call_failed', () => this.goIdle());
    }
  };

  hangUp = async (): Promise<void> => {
    const id = this.sessionId;
    if (id) await this.channel?.request('session:end', { sessionId: id }).catch(() => {});
    this.finish('local');
  };

  private dropCall(): void {
    this.peer?.close();
    this.peer = undefined;
    this.sessionId = undefined;
    for (const t of this.state.local?.getTracks() ?? []) t.stop();
    this.set({ local: undefined, remote: undefined });
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
