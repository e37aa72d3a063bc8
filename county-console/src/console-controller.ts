import { AppError, type LoginResult, type RoomView, type SessionEndReason, type UserView } from '@vj/shared';
import { ExternalStore, RtcPeer, TokenKeeper, apiRequest, openSocket, socketChannel, type AppSocket, type SignalChannel } from '@vj/shared/client';
import { beep } from './sound';
import { T } from './strings';

export interface ActiveCall {
  sessionId: string;
  roomCode: string;
  since: number;
  remote: MediaStream;
  local: MediaStream | undefined;
  media: 'connecting' | 'live';
}

export interface ConsoleState {
  user: UserView | undefined;
  loginError: string | undefined;
  loggingIn: boolean;
  connection: 'connecting' | 'online' | 'offline';
  rooms: RoomView[];
  active: ActiveCall | undefined;
  /** A one-line notice for the officer, e.g. why a call ended or could not be answered. */
  notice: string | undefined;
  soundOn: boolean;
  /** The call most recently answered, so intake can still be linked to it after hang-up. */
  lastSession: { id: string; roomCode: string } | undefined;
}

const SESSION_KEY = 'vj.console.login';

/** The console's behaviour outside React: login, the live room list, answering and ending calls. */
export class ConsoleController extends ExternalStore<ConsoleState> {
  private socket: AppSocket | undefined;
  private channel: SignalChannel | undefined;
  private keeper: TokenKeeper | undefined;
  private peer: RtcPeer | undefined;

  constructor() {
    super({
      user: undefined,
      loginError: undefined,
      loggingIn: false,
      connection: 'connecting',
      rooms: [],
      active: undefined,
      notice: undefined,
      soundOn: localStorage.getItem('vj.console.sound') !== 'off',
      lastSession: undefined,
    });
  }

  /** Resumes a login kept in this tab (a reload should not ask for the password again). */
  async resume(): Promise<void> {
    const saved = sessionStorage.getItem(SESSION_KEY);
    if (!saved) return;
    let login = JSON.parse(saved) as LoginResult;
    if (new Date(login.expiresAt).getTime() - Date.now() < 30_000) {
      try {
        login = await apiRequest<LoginResult>('POST', '/api/auth/refresh', { body: { refreshToken: login.refreshToken } });
      } catch {
        sessionStorage.removeItem(SESSION_KEY);
        return;
      }
    }
    this.begin(login);
  }

  login = async (username: string, password: string): Promise<void> => {
    this.set({ loggingIn: true, loginError: undefined });
    try {
      const login = await apiRequest<LoginResult>('POST', '/api/auth/login', { body: { username, password } });
      this.begin(login);
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'INTERNAL';
      this.set({ loginError: code === 'RATE_LIMITED' ? T.loginRateLimited : code === 'UNAVAILABLE' ? T.serverDown : T.loginFailed });
    } finally {
      this.set({ loggingIn: false });
    }
  };

  private begin(login: LoginResult): void {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(login));
    this.set({ user: login.user });
    let refreshToken = login.refreshToken;
    this.keeper = new TokenKeeper(
      async () => {
        // Refresh tokens rotate: each works once, and the newest is kept for a reload of this tab.
        const fresh = await apiRequest<LoginResult>('POST', '/api/auth/refresh', { body: { refreshToken } });
        refreshToken = fresh.refreshToken;
        sessionStorage.setItem(SESSION_KEY, JSON.stringify(fresh));
        return fresh;
      },
      (t) => void this.channel?.request('auth:refresh', { token: t.accessToken }).catch(() => {}),
    );
    void this.keeper.start(login);
    // Only the county office takes calls and watches rooms; other roles work through REST alone.
    if (login.user.role === 'county_officer' || login.user.role === 'county_supervisor') this.connect();
  }

  token = (): string | undefined => this.keeper?.token;

  logout = (): void => {
    void this.hangUp();
    const token = this.keeper?.token;
    if (token) void apiRequest('POST', '/api/auth/logout', { token }).catch(() => {});
    this.keeper?.stop();
    this.socket?.disconnect();
    sessionStorage.removeItem(SESSION_KEY);
    this.set({ user: undefined, rooms: [], connection: 'connecting' });
  };

  private connect(): void {
    const socket = openSocket(() => this.keeper?.token);
    this.socket = socket;
    this.channel = socketChannel(socket);
    socket.on('connect', () => {
      this.set({ connection: 'online' });
      void this.channel!.request('rooms:list', {}).then(({ rooms }) => this.set({ rooms }));
    });
    socket.on('connect_error', (err) => {
      if (err.message === 'UNAUTHENTICATED') return this.logout();
      this.set({ connection: 'offline' });
    });
    socket.on('disconnect', () => {
      this.set({ connection: 'offline' });
      this.dropCall();
    });
    socket.on('rooms:state', (room) => {
      const prev = this.state.rooms.find((r) => r.code === room.code);
      if (room.state === 'calling' && prev?.state !== 'calling' && this.state.soundOn) beep();
      this.set({ rooms: this.state.rooms.map((r) => (r.code === room.code ? room : r)) });
    });
    socket.on('session:producer', ({ sessionId, producer }) => {
      if (sessionId === this.state.active?.sessionId) void this.consume(producer.producerId);
    });
    socket.on('session:producerClosed', ({ sessionId, producerId }) => {
      if (sessionId === this.state.active?.sessionId) this.peer?.dropProducer(producerId);
    });
    socket.on('session:ended', ({ sessionId, reason }) => {
      if (sessionId === this.state.active?.sessionId) this.endLocally(reason);
    });
  }

  /** Read through a method: the call can change across awaits, which property narrowing would hide. */
  private activeCall(): ActiveCall | undefined {
    return this.state.active;
  }

  private async consume(producerId: string): Promise<void> {
    const active = this.state.active;
    const remote = await this.peer?.consume(producerId).catch(() => undefined);
    if (!remote || !active || this.state.active?.sessionId !== active.sessionId) return;
    active.remote.addTrack(remote.track);
    this.set({ active: { ...active, media: 'live' } });
  }

  /** Answers a waiting call; the server guarantees only one officer wins a race. */
  answer = async (sessionId: string): Promise<void> => {
    if (!this.channel || this.state.active) return;
    this.set({ notice: undefined });
    let answered;
    try {
      answered = await this.channel.request('call:answer', { sessionId });
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'other';
      const text = T.answerFailed;
      this.set({ notice: code in text ? text[code as keyof typeof text] : text.other });
      return;
    }
    const active: ActiveCall = { sessionId, roomCode: answered.roomCode, since: Date.now(), remote: new MediaStream(), local: undefined, media: 'connecting' };
    this.set({ active, lastSession: { id: sessionId, roomCode: answered.roomCode } });
    this.peer = new RtcPeer(this.channel, sessionId);
    try {
      await this.peer.load();
      await Promise.all(answered.producers.map((p) => this.consume(p.producerId)));
      const local = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: true }).catch(() => undefined);
      if (!local) return this.set({ notice: T.cameraFailed });
      const current = this.activeCall();
      if (current?.sessionId !== sessionId) return local.getTracks().forEach((t) => t.stop());
      this.set({ active: { ...current, local } });
      await this.peer.publish(local);
    } catch {
      this.set({ notice: T.answerFailed.other });
    }
  };

  /** Answers the call that has waited longest (keyboard shortcut). */
  answerOldest = (): void => {
    const waiting = this.state.rooms.filter((r) => r.state === 'calling' && r.sessionId).sort((a, b) => (a.since ?? '').localeCompare(b.since ?? ''));
    if (waiting[0]?.sessionId) void this.answer(waiting[0].sessionId);
  };

  hangUp = async (): Promise<void> => {
    const id = this.state.active?.sessionId;
    if (!id) return;
    await this.channel?.request('session:end', { sessionId: id }).catch(() => {});
    this.endLocally('officer_hangup');
  };

  private endLocally(reason: SessionEndReason): void {
    this.dropCall();
    this.set({ notice: T.ended[reason] });
  }

  private dropCall(): void {
    this.peer?.close();
    this.peer = undefined;
    for (const t of this.state.active?.local?.getTracks() ?? []) t.stop();
    if (this.state.active) this.set({ active: undefined });
  }

  toggleSound = (): void => {
    const soundOn = !this.state.soundOn;
    localStorage.setItem('vj.console.sound', soundOn ? 'on' : 'off');
    this.set({ soundOn });
  };
}
