import {
  AppError,
  needsSecondFactor,
  type AlertView,
  type LoginAnswer,
  type SecondFactorChallenge,
  type CountyMode,
  type JoinAnswer,
  type LoginResult,
  type RoomView,
  type SessionEndReason,
  type SessionStateView,
  type UserView,
} from '@vj/shared';
import {
  Departures,
  DropWatch,
  ExternalStore,
  TokenKeeper,
  apiRequest,
  openSocket,
  rejoinSession,
  socketChannel,
  worthRetrying,
  type AppSocket,
  type SignalChannel,
} from '@vj/client';
import { joinSessionMedia, type JoinedSession } from './joined-session';
import { userMessage } from './api';
import { beep } from './sound';
import { T } from './strings';
import { WallView } from './wall-view';
import { IdleWatch } from './idle-watch';

export interface ActiveCall {
  sessionId: string;
  roomCode: string;
  since: number;
  media: JoinedSession;
  /** Our own mode (county), or null for reception staff. */
  mode: CountyMode | null;
  session: SessionStateView | undefined;
  connected: boolean;
}

/** A login saved by an older version carries no timeout of its own. */
const DEFAULT_IDLE_TIMEOUT_S = 900;

export interface ConsoleState {
  user: UserView | undefined;
  loginError: string | undefined;
  loggingIn: boolean;
  /** A right password whose second factor is still owed: the short-lived challenge the code goes with. */
  challenge: SecondFactorChallenge | undefined;
  /** Seconds until the idle logout, while the warning shows. */
  idleWarning: number | undefined;
  connection: 'connecting' | 'online' | 'offline';
  rooms: RoomView[];
  alerts: AlertView[];
  /** Room code → live wall stream (small layer; the opened room's at full size). */
  wall: Map<string, MediaStream>;
  opened: string | undefined;
  active: ActiveCall | undefined;
  privateRequests: string[];
  /** A one-line notice for the officer, e.g. why a call ended or could not be answered. */
  notice: string | undefined;
  soundOn: boolean;
  /** The call most recently answered, so intake can still be linked to it after hang-up. */
  lastSession: { id: string; roomCode: string } | undefined;
}

const SESSION_KEY = 'vj.console.login';
/** The server's grace period until a session answer tells us its own. */
const DEFAULT_GRACE_MS = 60_000;
const isCountyRole = (r: string | undefined) => r === 'county_officer' || r === 'county_supervisor';

/** The console's behaviour outside React: login, the live wall and queue, taking part in sessions, and staying in them across drops. */
export class ConsoleController extends ExternalStore<ConsoleState> {
  private socket: AppSocket | undefined;
  private channel: SignalChannel | undefined;
  private keeper: TokenKeeper | undefined;
  private idle: IdleWatch | undefined;
  private wallView: WallView | undefined;
  private graceMs = DEFAULT_GRACE_MS;
  /** A drop during a session: how long we were away, and giving it up when the server stays away too long. */
  private readonly drop = new DropWatch(() => this.giveUp());
  /** Sessions left while the server was out of reach: the server hears of them first thing when it is back. */
  private readonly departures = new Departures();
  /**
   * Producers announced for a session before we knew we were in it (a push can overtake the answer to our
   * own call:answer); consumed as soon as we enter it.
   */
  private readonly early = new Map<string, string[]>();

  constructor() {
    super({
      user: undefined,
      loginError: undefined,
      loggingIn: false,
      challenge: undefined,
      idleWarning: undefined,
      connection: 'connecting',
      rooms: [],
      alerts: [],
      wall: new Map(),
      opened: undefined,
      active: undefined,
      privateRequests: [],
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
      const answer = await apiRequest<LoginAnswer>('POST', '/api/auth/login', { body: { username, password } });
      if (needsSecondFactor(answer)) this.set({ challenge: answer });
      else this.begin(answer);
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'INTERNAL';
      this.set({ loginError: code === 'RATE_LIMITED' ? T.loginRateLimited : code === 'UNAVAILABLE' ? T.serverDown : T.loginFailed });
    } finally {
      this.set({ loggingIn: false });
    }
  };

  /** The second step of a login: a TOTP code or a recovery code. Throws a Chinese message to show. */
  secondFactor = async (proof: { code: string } | { recoveryCode: string }): Promise<void> => {
    const challenge = this.state.challenge;
    if (!challenge) return;
    try {
      const login = await apiRequest<LoginResult>('POST', '/api/auth/login/second-factor', { body: { challenge: challenge.challenge, ...proof } });
      this.set({ challenge: undefined });
      this.begin(login);
    } catch (err) {
      const chinese = err instanceof AppError && /[\u4e00-\u9fff]/.test(err.message);
      // A challenge past its five minutes (or signed before a restart with new keys) starts the login again.
      if (err instanceof AppError && err.code === 'UNAUTHENTICATED' && !chinese) {
        this.set({ challenge: undefined, loginError: T.secondFactor.expired });
        return;
      }
      if (err instanceof AppError && err.code === 'RATE_LIMITED') throw new Error(T.loginRateLimited);
      throw new Error(chinese ? (err as AppError).message : err instanceof AppError && err.code === 'BAD_REQUEST' ? T.secondFactor.failed : T.serverDown);
    }
  };

  cancelSecondFactor = (): void => this.set({ challenge: undefined });

  /** Enrolment finished: the account may work now (and connect, if its role works live). */
  secondFactorEnrolled = (): void => {
    const user = this.state.user;
    if (!user?.mustEnrolSecondFactor) return;
    const next = { ...user, mustEnrolSecondFactor: undefined };
    const saved = sessionStorage.getItem(SESSION_KEY);
    if (saved) sessionStorage.setItem(SESSION_KEY, JSON.stringify({ ...(JSON.parse(saved) as LoginResult), user: next }));
    this.set({ user: next });
    if (!this.socket && (isCountyRole(user.role) || user.role === 'township_staff')) this.connect();
  };

  private begin(login: LoginResult): void {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(login));
    this.set({ user: login.user });
    this.idle?.stop();
    this.idle = new IdleWatch(
      login.idleTimeoutS ?? DEFAULT_IDLE_TIMEOUT_S,
      () => Boolean(this.state.active),
      (left) => this.set({ idleWarning: left }),
      () => {
        this.logout();
        this.set({ loginError: T.idleLoggedOut });
      },
    );
    this.idle.start();
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
    // The county and reception staff work live; commissions and administrators work through REST alone. An
    // account that owes a password or a second factor connects once it has them.
    if (!login.user.mustChangePassword && !login.user.mustEnrolSecondFactor && (isCountyRole(login.user.role) || login.user.role === 'township_staff'))
      this.connect();
  }

  token = (): string | undefined => this.keeper?.token;

  /** A new password (forced at the first login, or chosen from the top bar); every other login of the user ends. */
  changePassword = async (current: string, next: string): Promise<void> => {
    const token = this.keeper?.token;
    let fresh: LoginResult;
    try {
      fresh = await apiRequest<LoginResult>('POST', '/api/auth/password', { token, body: { current, next } });
    } catch (err) {
      // The server's reasons are in Chinese; anything else is a connection problem.
      throw new Error(userMessage(err));
    }
    const wasForced = Boolean(this.state.user?.mustChangePassword);
    this.keeper?.stop();
    this.socket?.disconnect();
    this.socket = undefined;
    this.begin(fresh);
    if (!wasForced) this.set({ notice: T.passwordChange.done });
  };

  /** "继续工作" on the idle warning. */
  stillHere = (): void => this.idle?.stillHere();

  logout = (): void => {
    this.idle?.stop();
    this.idle = undefined;
    void this.hangUp();
    const token = this.keeper?.token;
    if (token) void apiRequest('POST', '/api/auth/logout', { token }).catch(() => {});
    this.keeper?.stop();
    this.wallView?.close();
    this.socket?.disconnect();
    this.drop.stop();
    sessionStorage.removeItem(SESSION_KEY);
    // Nothing of this user's work is left for whoever logs in next on this screen (a notice, the last session).
    this.set({
      user: undefined,
      challenge: undefined,
      rooms: [],
      connection: 'connecting',
      wall: new Map(),
      alerts: [],
      notice: undefined,
      lastSession: undefined,
      privateRequests: [],
      opened: undefined,
      idleWarning: undefined,
    });
  };

  private connect(): void {
    const socket = openSocket(() => this.keeper?.token);
    this.socket = socket;
    const channel = socketChannel(socket);
    this.channel = channel;
    const county = isCountyRole(this.state.user?.role);
    socket.on('connect', () => void this.onConnected(county));
    socket.on('connect_error', (err) => {
      if (err.message === 'UNAUTHENTICATED') {
        // The login session was ended elsewhere (the user from another browser, a password change, an administrator).
        this.logout();
        return this.set({ loginError: T.sessionEnded });
      }
      this.set({ connection: 'offline' });
    });
    socket.on('disconnect', (reason) => {
      this.set({ connection: 'offline' });
      // The server closed this socket on purpose (its token ran out, or the login session was ended): socket.io
      // does not come back by itself then. Trying again either continues with the fresh token or, for an ended
      // session, is refused and logs this console out.
      if (reason === 'io server disconnect') socket.connect();
      const a = this.state.active;
      // Our own disconnect (logout) is no outage: no give-up timer to end the next user's call a minute later.
      if (!a || reason === 'io client disconnect') return;
      this.drop.dropped(this.graceMs);
      this.set({ active: { ...a, connected: false } });
    });
    socket.on('rooms:state', (room) => {
      const prev = this.state.rooms.find((r) => r.code === room.code);
      if (county && room.state === 'calling' && prev?.state !== 'calling' && this.state.soundOn) beep();
      const rooms = prev ? this.state.rooms.map((r) => (r.code === room.code ? room : r)) : [...this.state.rooms, room];
      this.set({ rooms, active: this.roomClock(rooms) });
      if (!county) void this.staffFollow(room);
    });
    socket.on('alerts', ({ alerts }) => {
      if (this.state.soundOn && alerts.some((a) => !this.state.alerts.find((b) => b.id === a.id))) beep();
      this.set({ alerts });
    });
    socket.on('wall:tile', (tile) => void this.wallView?.add(tile));
    socket.on('wall:tileClosed', ({ producerId }) => this.wallView?.remove(producerId));
    socket.on('session:producer', ({ sessionId, producer }) => {
      if (sessionId === this.state.active?.sessionId) return void this.state.active.media.consume(producer.producerId);
      this.early.set(sessionId, [...(this.early.get(sessionId) ?? []), producer.producerId].slice(-8));
    });
    socket.on('session:mediaReset', ({ sessionId }) => {
      if (sessionId === this.state.active?.sessionId) void this.remedia();
    });
    socket.on('session:producerClosed', ({ sessionId, producerId }) => {
      if (sessionId === this.state.active?.sessionId) this.state.active.media.drop(producerId);
    });
    socket.on('session:state', (session) => {
      const a = this.state.active;
      if (session.sessionId !== a?.sessionId) return;
      if (session.private && !a.session?.private && a.mode === null) a.media.dropAllRemote();
      this.set({ active: { ...a, session } });
    });
    socket.on('session:privateRequested', ({ sessionId, roomCode }) => {
      if (this.state.soundOn) beep();
      this.set({ privateRequests: [...new Set([...this.state.privateRequests, sessionId])], notice: T.privateRequestedBy(this.roomName(roomCode)) });
    });
    socket.on('session:ended', ({ sessionId, reason }) => {
      if (sessionId === this.state.active?.sessionId) this.endLocally(reason);
    });
    // Taken out of this call under the confidentiality and recusal rules: it goes on without us.
    socket.on('session:withdrawn', ({ sessionId }) => {
      if (sessionId === this.state.active?.sessionId) this.endLocally(null, T.withdrawn);
    });
  }

  private roomName(code: string): string {
    return this.state.rooms.find((r) => r.code === code)?.name ?? code;
  }

  /** After (re)connecting: the wall, and any session we were in (a drop, or a reload of this page). */
  private async onConnected(county: boolean): Promise<void> {
    const channel = this.channel!;
    this.set({ connection: 'online' });
    const away = this.drop.reached();
    // Sessions left during the outage are closed on the server before anything is resumed.
    await this.departures.flush(channel);
    // The room list first (one quick answer, and it holds when the call began, so a reloaded page's call clock
    // is right from its first second), then the session (a villager is waiting on it), then the wall.
    if (county)
      await channel.request('rooms:list', {}).then(
        ({ rooms }) => this.set({ rooms, active: this.roomClock(rooms) }),
        () => undefined,
      );
    await this.rejoinSession(channel, away);
    if (county) {
      this.wallView ??= new WallView(channel, () => this.set({ wall: new Map(this.wallView!.streams) }));
      await this.wallView.join().catch(() => undefined);
    }
  }

  /** Back in the session we were in (a drop), or one the server still holds for us (a reload of this page). */
  private async rejoinSession(channel: SignalChannel, away: number): Promise<void> {
    const a = this.state.active;
    const target =
      a?.sessionId ??
      (await channel.request('session:mine', {}).catch(() => ({ sessions: [] }))).sessions.find((s) => !this.departures.has(s.sessionId))?.sessionId;
    if (!target) return;
    // Still that call on this screen (after a drop), or no call yet (after a reload: an officer who answered another
    // meanwhile keeps it), on the connection this began on (a reconnect starts its own rejoin): else it stops.
    const ours = () => (a ? this.state.active?.sessionId === a.sessionId : this.state.active === undefined);
    const socketId = this.socket?.id;
    const wanted = () => this.socket?.connected === true && this.socket.id === socketId && ours();
    let joined: JoinAnswer | undefined;
    try {
      joined = await rejoinSession(channel, target, { wanted });
    } catch (err) {
      console.warn('rejoin refused', err instanceof Error ? err.message : err);
      if (!a || !ours()) return;
      // Given up on a server that kept failing: it is told, so it does not keep our place in the call.
      if (worthRetrying(err)) this.departures.tell(channel, a.sessionId, 'gave_up');
      // The server ended it while we were away and could not tell us then.
      this.endLocally(null, T.callEndedAway);
      return;
    }
    if (!joined || !ours()) return;
    this.graceMs = joined.reconnectGraceMs;
    const mode = joined.session.participants.find((p) => p.peerId === joined.peerId)?.mode ?? null;
    if (!a) return this.enter(joined, mode);
    if (this.state.active?.sessionId !== a.sessionId) return;
    this.set({ active: { ...this.state.active, session: joined.session, connected: true } });
    // A failure (a timed-out request on a loaded machine) is retried while we are still in this session, on this connection.
    await a.media.resumeUntilDone(joined, away, wanted);
  }

  /**
   * The session's media was re-created on the server: rebuild ours in it, same session, same mode, retried like a
   * return after a drop (a timed-out request on a loaded machine must not leave the officer without the villager).
   */
  private async remedia(): Promise<void> {
    const a = this.state.active;
    if (!a || !this.channel) return;
    a.media.lost();
    await this.rejoinSession(this.channel, Infinity);
  }

  /** The server stayed out of reach for longer than it keeps our place: the session is over on this screen. */
  private giveUp(): void {
    const a = this.state.active;
    if (!a) return;
    this.departures.add(a.sessionId, 'gave_up');
    this.endLocally(null, T.callGaveUp);
  }

  /**
   * The call's clock is the server's: the time its room went into session. After a reload the room list arrives
   * after the rejoin, so the clock (started at "now") is corrected when it does, instead of restarting at 00:00.
   */
  private roomClock(rooms: RoomView[]): ActiveCall | undefined {
    const a = this.state.active;
    const room = a && rooms.find((r) => r.sessionId === a.sessionId && (r.state === 'in_session' || r.state === 'private'));
    const since = room?.since ? Date.parse(room.since) : NaN;
    return a && Number.isFinite(since) && since !== a.since ? { ...a, since } : a;
  }

  private async enter(joined: JoinAnswer, mode: CountyMode | null): Promise<void> {
    this.graceMs = joined.reconnectGraceMs;
    const media = joinSessionMedia(this.channel!, joined.session.sessionId, () => this.set({ active: this.state.active && { ...this.state.active } }));
    const active: ActiveCall = {
      sessionId: joined.session.sessionId,
      roomCode: joined.session.roomCode,
      since: Date.now(),
      media,
      mode,
      session: joined.session,
      connected: true,
    };
    // The call's own start when the room list has it (a reload), else now (this officer just answered).
    const room = this.state.rooms.find((r) => r.sessionId === active.sessionId && (r.state === 'in_session' || r.state === 'private'));
    if (room?.since && Number.isFinite(Date.parse(room.since))) active.since = Date.parse(room.since);
    this.set({ active, lastSession: { id: active.sessionId, roomCode: active.roomCode }, opened: active.roomCode });
    const speak = mode === 'join' || mode === 'take_over';
    try {
      // After a reload the SFU may still hold what the earlier page had: cleared and built anew.
      await (joined.media === 'kept' ? media.rebuild(joined, speak) : media.start(joined, speak));
    } catch {
      this.set({ notice: T.cameraFailed });
    }
    // The wall tile is raised only once the call view has asked for its key frame: the tile's request, sent
    // first, made the kiosk's encoder ignore the call view's (libwebrtc acts on one request per 300 ms).
    void this.wallView?.open(active.roomCode);
    for (const producerId of this.early.get(active.sessionId) ?? []) await media.consume(producerId);
    this.early.clear();
  }

  /** Answers a waiting call; the server guarantees only one officer wins a race. */
  answer = async (sessionId: string): Promise<void> => {
    if (!this.channel || this.state.active) return;
    this.set({ notice: undefined });
    try {
      const a = await this.channel.request('call:answer', { sessionId });
      // The answer carries the session as it is (recording state included): shown at once, not after the next push.
      await this.enter(
        {
          peerId: a.peerId,
          session: a.session,
          producers: a.producers,
          media: 'fresh',
          reconnectGraceMs: a.reconnectGraceMs,
          ...(a.rtpCapabilities ? { rtpCapabilities: a.rtpCapabilities } : {}),
        },
        'join',
      );
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'other';
      const text = T.answerFailed;
      this.set({ notice: code in text ? text[code as keyof typeof text] : text.other });
    }
  };

  /** Enters a live session of another officer or of reception staff, in a supervision mode. */
  watch = async (sessionId: string, mode: CountyMode): Promise<void> => {
    if (!this.channel || this.state.active) return;
    try {
      await this.enter(await this.channel.request('session:watch', { sessionId, mode }), mode);
    } catch (err) {
      this.set({ notice: err instanceof Error ? err.message : String(err) });
    }
  };

  setMode = async (mode: CountyMode): Promise<void> => {
    const a = this.state.active;
    if (!a || !this.channel || a.mode === mode) return;
    await this.channel.request('session:setMode', { sessionId: a.sessionId, mode });
    await a.media.setSpeaking(mode !== 'monitor').catch(() => this.set({ notice: T.cameraFailed }));
    this.set({ active: { ...a, mode } });
  };

  setPrivate = async (on: boolean): Promise<void> => {
    const a = this.state.active;
    if (!a || !this.channel) return;
    await this.channel.request('session:setPrivate', { sessionId: a.sessionId, private: on }).catch((err: Error) => this.set({ notice: err.message }));
    this.set({ privateRequests: this.state.privateRequests.filter((id) => id !== a.sessionId) });
  };

  /** Opens a room on the wall: its tile goes to full size in the side panel. */
  openRoom = (code: string | undefined): void => {
    this.set({ opened: code });
    void this.wallView?.open(code);
  };

  /** Answers the call that has waited longest (keyboard shortcut). */
  answerOldest = (): void => {
    const waiting = this.state.rooms.filter((r) => r.state === 'calling' && r.sessionId).sort((a, b) => (a.since ?? '').localeCompare(b.since ?? ''));
    if (waiting[0]?.sessionId) void this.answer(waiting[0].sessionId);
  };

  /** Ends a call we lead; a monitoring officer or reception staff just leave. */
  hangUp = async (): Promise<void> => {
    const a = this.state.active;
    if (!a) return;
    const leaves = a.mode === 'monitor' || (a.session?.kind === 'staff_intake' && a.mode !== null) || (a.mode === null && a.session?.kind === 'county_call');
    if (this.socket?.connected && a.connected) {
      await this.channel?.request(leaves ? 'session:leave' : 'session:end', { sessionId: a.sessionId }).catch(() => {});
      // The end is pushed before this answer, which comes once the recording is closed: by then this screen may be
      // in the next call (answered from the queue), which is not the one hung up.
      if (this.state.active?.sessionId !== a.sessionId) return;
    } else {
      // The server is out of reach: the screen ends now, and the server hears of it (the same rule) once back.
      this.departures.add(a.sessionId, leaves ? 'leave' : 'hang_up');
    }
    this.endLocally(leaves ? null : a.mode === null ? 'staff_ended' : 'officer_hangup');
  };

  private endLocally(reason: SessionEndReason | null, notice?: string): void {
    this.drop.stop();
    this.state.active?.media.close();
    this.set({ active: undefined, notice: notice ?? (reason ? T.ended[reason] : undefined) });
  }

  ackAlert = (id: string): void => void this.channel?.request('alert:ack', { alertId: id }).catch(() => {});

  // Reception staff: their own room only.

  /** Staff follow their room's session: join it when one starts, drop it when it ends. */
  private async staffFollow(room: RoomView): Promise<void> {
    if (!room.sessionId || this.state.active?.sessionId === room.sessionId || !this.channel) return;
    try {
      await this.enter(await this.channel.request('staff:join', { sessionId: room.sessionId }), null);
    } catch {
      /* the session ended meanwhile */
    }
  }

  startIntake = async (): Promise<void> => {
    if (!this.channel || this.state.active) return;
    try {
      await this.enter(await this.channel.request('staff:startIntake', { requestId: crypto.randomUUID() }), null);
    } catch (err) {
      this.set({ notice: err instanceof Error ? err.message : String(err) });
    }
  };

  toggleSound = (): void => {
    const soundOn = !this.state.soundOn;
    localStorage.setItem('vj.console.sound', soundOn ? 'on' : 'off');
    this.set({ soundOn });
  };
}
