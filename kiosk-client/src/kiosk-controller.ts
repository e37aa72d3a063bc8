import {
  AppError,
  type JoinAnswer,
  type KioskAuthResult,
  type KioskCheckView,
  type ReceiptRatingAnswer,
  type ReceiptRatingBody,
  type ReceiptStatusView,
  type RoomInfo,
  type SessionEndReason,
  type SessionStateView,
  ERROR_MESSAGES,
} from '@vj/shared';
import {
  Departures,
  DropWatch,
  ExternalStore,
  SessionMedia,
  TokenKeeper,
  apiRequest,
  openSocket,
  rejoinSession,
  worthRetrying,
  runDeviceCheck,
  socketChannel,
  type AppSocket,
  type SignalChannel,
} from '@vj/client';
import { readCredential } from './credential';
import { countyPresent, presenceKey, presenceOf } from './presence';
import { endedNoteOf, SAY, T, type Prompt } from './strings';
import { preloadOfflinePrompts, say, sayIfQuiet, sayingMs } from './voice';

export type Problem = 'offline' | 'server' | 'camera' | 'auth' | 'call_failed';

export type KioskView =
  | { screen: 'unprovisioned' }
  | { screen: 'connecting' }
  /** `reported`: the county was told (a broken camera raises an alert there), so the screen can say so. */
  | { screen: 'trouble'; problem: Problem; retryAt: number; reported?: boolean }
  | { screen: 'idle' }
  | { screen: 'starting' }
  /** `unanswered`: the escalation time passed and the county's alarm is up; `choice` is the villager's answer. */
  | { screen: 'waiting'; since: number; unanswered?: boolean; choice?: 'wait' | 'callback_failed' }
  | { screen: 'callback'; backAt: number }
  | { screen: 'in_call'; officerName: string; since: number }
  /** `lost`: the call could not be resumed (the server stayed out of reach past the grace period). */
  | { screen: 'ended'; reason: EndedReason; backAt: number; /** False when it ended still waiting: nobody answered. */ answered: boolean }
  | { screen: 'lookup' };

export type EndedReason = SessionEndReason | 'local' | 'lost';

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
  /** When the current drop began: the reconnect overlay offers a way out after a while. */
  reconnectingSince: number | undefined;
  privateRequested: boolean;
  /** The kiosk's check of its own camera, microphone and network, shown small on the idle screen. */
  deviceCheck: { state: 'running' } | { state: 'done'; check: KioskCheckView } | { state: 'error' } | undefined;
}

const RETRY_MS: Record<Problem, number> = { offline: 5_000, server: 10_000, camera: 15_000, auth: 30_000, call_failed: 8_000 };
const PROBLEM_TEXT: Record<Problem, string> = {
  offline: T.troubleOffline,
  server: T.troubleServer,
  camera: T.troubleCamera,
  auth: T.troubleAuth,
  call_failed: T.troubleCallFailed,
};
export const problemText = (p: Problem, reported = false) => (p === 'camera' && reported ? T.troubleCameraReported : PROBLEM_TEXT[p]);

/** After call:start was refused as too frequent: longer than the server's burst window (10 s). */
const CALL_LIMIT_WAIT_MS = 15_000;

/** The server's grace period until a call tells us its own (call:start and rejoin answers carry it). */
const DEFAULT_GRACE_MS = 60_000;

/**
 * The kiosk's behaviour as a small state machine outside React: connect with the device credential, call,
 * publish camera and microphone, show the officer, keep the call through network drops, recover from every
 * trouble with an automatic retry. React only renders `state`.
 */
export class KioskController extends ExternalStore<KioskState> {
  private socket: AppSocket | undefined;
  private channel: SignalChannel | undefined;
  private keeper: TokenKeeper | undefined;
  /** The call's media (shared with the console: ICE restart or rebuild after a drop, producers that wait). */
  private media: SessionMedia | undefined;
  /** Stops a running device check when a villager needs the camera. */
  private checkAbort: AbortController | undefined;
  /** Line news already said, per session: each at most once a call. */
  private readonly lineSaid = new Set<string>();
  /** The server asked for a device check that has not run yet. */
  private checkWanted = false;
  private sessionId: string | undefined;
  private graceMs = DEFAULT_GRACE_MS;
  /** A drop during a call: how long we were away, and giving the call up when the server stays away too long. */
  private readonly drop = new DropWatch(() => this.giveUp());
  /** Calls left while the server was out of reach: the server hears of them first thing when it is back. */
  private readonly departures = new Departures();
  /** Queue positions can arrive before call:start has answered with our session id. */
  private readonly positions = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private reminder: ReturnType<typeof setInterval> | undefined;
  /** Re-enables 申请单独反映 when the county has not switched to private within a minute. */
  private privateTimer: ReturnType<typeof setTimeout> | undefined;

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
      reconnectingSince: undefined,
      privateRequested: false,
      deviceCheck: undefined,
    });
  }

  private show(view: KioskView): void {
    clearTimeout(this.timer);
    clearInterval(this.reminder);
    this.set({ view });
  }

  private trouble(problem: Problem, retry: () => void, retryMs = RETRY_MS[problem], reported = false): void {
    this.show({ screen: 'trouble', problem, retryAt: Date.now() + retryMs, reported });
    say(problem === 'camera' && reported ? SAY.trouble.cameraReported : SAY.trouble[problem]);
    this.timer = setTimeout(retry, retryMs);
  }

  private async fetchToken(): Promise<KioskAuthResult> {
    const credential = readCredential();
    if (!credential) throw new AppError('UNAUTHENTICATED', ERROR_MESSAGES.auth.kioskNotEnrolled);
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
      const refused = err instanceof AppError && err.code === 'UNAUTHENTICATED';
      // A dropped network keeps the call; a credential revoked mid-call ends it here (the server already did).
      if (this.sessionId && !refused) return void (this.timer = setTimeout(() => void this.start(), 2000));
      if (refused) this.dropCall();
      const problem = refused ? 'auth' : 'server';
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
      if (this.sessionId)
        void this.start(); // a token that expired offline: fetch a fresh one, keep the call
      else this.trouble('auth', () => void this.start());
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return;
      if (this.sessionId) {
        const first = !this.drop.away;
        this.drop.dropped(this.graceMs);
        this.set({ reconnecting: true, reconnectingSince: this.drop.since });
        if (first) say(SAY.reconnecting);
        return;
      }
      this.trouble('offline', () => (socket.connected ? this.goIdle() : void this.start()));
    });
    socket.on('session:answered', ({ sessionId, officerName }) => {
      if (sessionId !== this.sessionId) return;
      this.show({ screen: 'in_call', officerName, since: Date.now() });
      say(SAY.inCall);
    });
    socket.on('session:state', (session) => {
      if (session.sessionId !== this.sessionId) return;
      const before = this.state.session;
      // Private mode ended (or began): the villager may ask for it again next time.
      if (!!before?.private !== session.private) this.clearPrivateRequest();
      this.set({ session });
      if (before?.videoSuspended !== session.videoSuspended) this.media?.setVideoPaused(session.videoSuspended);
      const spoken = this.sessionChangeSpoken(before, session);
      if (spoken) say(spoken);
      else this.sayLineNews(before, session);
    });
    socket.on('session:unanswered', ({ sessionId }) => {
      const view = this.state.view;
      if (sessionId !== this.sessionId || view.screen !== 'waiting' || view.unanswered) return;
      this.set({ view: { ...view, unanswered: true } });
      say(SAY.unanswered);
    });
    socket.on('queue:position', ({ sessionId, position }) => {
      this.positions.set(sessionId, position);
      if (sessionId !== this.sessionId) return;
      const before = this.state.queuePosition;
      this.set({ queuePosition: position });
      // A new place in the queue is news: said at once (the first place is said with the waiting prompt).
      if (before !== undefined && before !== position && this.state.view.screen === 'waiting') say(SAY.queue(position));
    });
    socket.on('session:producer', ({ sessionId, producer }) => {
      if (sessionId === this.sessionId) void this.media?.consume(producer.producerId);
    });
    socket.on('session:mediaReset', ({ sessionId }) => {
      // The server lost this call's media and made it anew: same call, new transports and tracks.
      if (sessionId !== this.sessionId) return;
      this.media?.lost();
      void this.resume(sessionId, Infinity);
    });
    socket.on('session:producerClosed', ({ sessionId, producerId }) => {
      if (sessionId === this.sessionId) this.media?.drop(producerId);
    });
    socket.on('session:receipt', ({ sessionId, caseCode, pin }) => {
      if (sessionId !== this.sessionId && this.state.view.screen !== 'ended') return;
      this.set({ receipt: { caseCode, pin } });
      say(SAY.receipt(caseCode, pin), { repeat: 2 });
    });
    socket.on('session:publish', ({ sessionId }) => void this.joinStaffIntake(sessionId));
    socket.on('kiosk:checkDue', () => {
      this.checkWanted = true;
      void this.checkDevices();
    });
    socket.on('session:ended', ({ sessionId, reason }) => {
      if (sessionId === this.sessionId) this.finish(reason);
    });
  }

  /** After (re)connecting: resume a call in progress, or pick up one the server still holds (a reload). */
  private async onConnected(): Promise<void> {
    const away = this.drop.reached();
    // While the server answers: what is said when it does not must already be here.
    void preloadOfflinePrompts();
    // Calls left during the outage are closed on the server before anything is resumed.
    await this.departures.flush(this.channel!);
    if (this.sessionId) return this.resume(this.sessionId, away);
    const { sessions } = await this.channel!.request('session:mine', {}).catch(() => ({ sessions: [] }));
    const mine = sessions.find((s) => !this.departures.has(s.sessionId));
    if (mine) return this.resume(mine.sessionId, Infinity);
    if (this.state.view.screen === 'connecting' || this.state.view.screen === 'trouble') this.goIdle();
  }

  /** Back in the session after a drop, a reload or a lost SFU worker: the call goes on with the same media or new. */
  private async resume(sessionId: string, away: number): Promise<void> {
    // Still this call on this screen: the one in progress (a drop, a lost worker), or after a reload none yet. A
    // hang-up, an officer's end or a new call meanwhile stops the rejoin instead of letting a late answer act.
    const inCall = this.sessionId === sessionId;
    const ours = () => (inCall ? this.sessionId === sessionId : this.sessionId === undefined) && !this.departures.has(sessionId);
    // And the connection it began on: a reconnect starts its own rejoin, and two would rebuild each other's media.
    const socketId = this.socket?.id;
    const wanted = () => this.socket?.connected === true && this.socket.id === socketId && ours();
    let joined: JoinAnswer | undefined;
    try {
      // A timed-out request is tried again, not taken for the call's end.
      joined = await rejoinSession(this.channel!, sessionId, { wanted });
    } catch (err) {
      console.warn('rejoin refused', err instanceof Error ? err.message : err);
      if (!ours()) return;
      // Given up on a server that kept failing: it is told, so it does not keep the kiosk's place in the call.
      if (worthRetrying(err)) this.departures.tell(this.channel!, sessionId, 'gave_up');
      // The server ended the call while we were away (it could not tell us then).
      this.sessionId = sessionId;
      return this.finish('lost');
    }
    // Not if the villager hung up while the rejoin was on its way (ours() asks): that hang-up stands.
    if (!joined || !ours()) return;
    this.sessionId = sessionId;
    this.graceMs = joined.reconnectGraceMs;
    this.set({ session: joined.session });
    // A reload, or a staff intake this kiosk joins: new media, clearing whatever an earlier page left on the SFU.
    const fresh = !this.media;
    this.media ??= this.newMedia(sessionId);
    this.media.setVideoPaused(joined.session.videoSuspended);
    // The call is ours now (a reload's too), on the connection the rejoin began on.
    const stillHere = () => this.sessionId === sessionId && this.socket?.connected === true && this.socket.id === socketId;
    // Until the media is back the overlay stays, with its way out; a failure is retried, never taken as a hang-up.
    const failed = () => this.set({ reconnecting: true, reconnectingSince: this.state.reconnectingSince ?? Date.now() });
    const resumed = await this.media.resumeUntilDone(joined, fresh ? Infinity : away, stillHere, failed);
    if (!resumed || this.sessionId !== sessionId) return;
    this.set({ reconnecting: false, reconnectingSince: undefined });
    if (joined.session.state === 'active' && this.state.view.screen !== 'in_call')
      this.show({ screen: 'in_call', officerName: this.officerName(joined.session), since: Date.now() });
    if (joined.session.state === 'calling' && this.state.view.screen !== 'waiting') this.show({ screen: 'waiting', since: Date.now() });
    void this.channel!.request('kiosk:deviceStatus', { camera: 'ok' }).catch(() => {});
  }

  private newMedia(sessionId: string): SessionMedia {
    const media: SessionMedia = new SessionMedia(this.channel!, sessionId, {
      openLocal: () => this.openCamera(),
      publish: { simulcast: true },
      speak: true,
      onChange: () => {
        if (this.media === media) this.set({ remote: media.remote, local: media.localStream });
      },
    });
    return media;
  }

  /** The server stayed out of reach for longer than it keeps our place: the call is over on this screen. */
  private giveUp(): void {
    const id = this.sessionId;
    if (!id) return;
    this.departures.add(id, 'gave_up');
    this.finish('lost');
  }

  private officerName(s: SessionStateView): string {
    return s.participants.find((p) => p.role !== 'kiosk' && p.mode !== 'monitor')?.name ?? T.countyName;
  }

  private openCamera(): Promise<MediaStream> {
    return navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: { echoCancellation: true, noiseSuppression: true },
    });
  }

  private goIdle(): void {
    this.show({ screen: 'idle' });
    say(SAY.idle);
    void this.checkDevices();
  }

  /**
   * The server asked for the day's check: it runs once the kiosk is idle (the request comes as the socket
   * connects, before the idle screen), never while a villager uses it; a call pressed during the check goes
   * ahead beside it.
   */
  private async checkDevices(): Promise<void> {
    if (!this.checkWanted || this.state.deviceCheck?.state === 'running' || this.state.view.screen !== 'idle' || !this.channel) return;
    this.checkWanted = false;
    this.set({ deviceCheck: { state: 'running' } });
    const abort = (this.checkAbort = new AbortController());
    try {
      this.set({ deviceCheck: { state: 'done', check: await runDeviceCheck(this.channel, abort.signal) } });
    } catch (err) {
      console.warn('device check failed', err instanceof Error ? err.message : err);
      // Given way to a villager: the server asks again later, nothing to show.
      this.set({ deviceCheck: abort.signal.aborted ? undefined : { state: 'error' } });
    } finally {
      if (this.checkAbort === abort) this.checkAbort = undefined;
    }
  }

  /** The big red button. */
  call = async (): Promise<void> => {
    if (this.state.view.screen !== 'idle' || !this.channel) return;
    this.checkAbort?.abort();
    this.show({ screen: 'starting' });
    let local: MediaStream;
    try {
      local = await this.openCamera();
    } catch {
      // The county must learn that a villager could not call from this room, not only the villager.
      const reported = await this.channel
        .request('kiosk:deviceStatus', { camera: 'failed' })
        .then(() => true)
        .catch(() => false);
      return this.trouble('camera', () => this.goIdle(), undefined, reported);
    }
    void this.channel.request('kiosk:deviceStatus', { camera: 'ok' }).catch(() => {});
    this.set({ local, remote: new MediaStream(), queuePosition: undefined, privateRequested: false });
    try {
      const { sessionId, reconnectGraceMs } = await this.channel.request('call:start', { requestId: crypto.randomUUID() });
      this.sessionId = sessionId;
      this.graceMs = reconnectGraceMs;
      this.set({ queuePosition: this.positions.get(sessionId) });
      const media = this.newMedia(sessionId);
      this.media = media;
      media.useLocal(local);
      this.set({ remote: media.remote });
      this.show({ screen: 'waiting', since: Date.now() });
      say(this.waitingPrompt());
      this.reminder = setInterval(() => say(this.state.queuePosition ? SAY.queue(this.state.queuePosition) : SAY.waitingReminder), 30_000);
      await media.start({ producers: [] }, true);
    } catch (err) {
      if (this.sessionId) await this.channel.request('session:end', { sessionId: this.sessionId }).catch(() => {});
      this.dropCall();
      // Too many calls in a row: the same "try again later", with a wait the server's limit will have passed.
      const limited = err instanceof AppError && err.code === 'RATE_LIMITED';
      this.trouble('call_failed', () => this.goIdle(), limited ? CALL_LIMIT_WAIT_MS : undefined);
    }
  };

  /** Reception staff started an intake in this room: the kiosk's camera and microphone record it. */
  private async joinStaffIntake(sessionId: string): Promise<void> {
    if (this.sessionId) return;
    this.checkAbort?.abort();
    this.sessionId = sessionId;
    this.set({ remote: new MediaStream(), privateRequested: false });
    await this.resume(sessionId, Infinity);
    this.show({ screen: 'in_call', officerName: T.staffIntake, since: Date.now() });
    const p = presenceOf(this.state.session);
    const presence = SAY.presence(p.staff, countyPresent(p), true);
    say({ text: `${SAY.staffIntake.text}${presence.text}`, clips: [...SAY.staffIntake.clips, ...presence.clips] });
  }

  requestPrivate = async (): Promise<void> => {
    if (!this.sessionId || this.state.privateRequested) return;
    await this.channel?.request('session:requestPrivate', { sessionId: this.sessionId }).catch(() => {});
    this.set({ privateRequested: true });
    say(SAY.privateRequested);
    clearTimeout(this.privateTimer);
    // The county may not act on it: after a minute the villager can ask again rather than face a dead button.
    this.privateTimer = setTimeout(() => this.clearPrivateRequest(), 60_000);
  };

  private clearPrivateRequest(): void {
    clearTimeout(this.privateTimer);
    if (this.state.privateRequested) this.set({ privateRequested: false });
  }

  /** What to say when the session changes under a live call; nothing when the change is not news. */
  private sessionChangeSpoken(before: SessionStateView | undefined, now: SessionStateView): Prompt | undefined {
    if (this.state.view.screen !== 'in_call' || !before || before.state !== 'active' || now.state !== 'active') return undefined;
    if (now.private && !before.private) return SAY.private;
    if (!now.private && before.private) return SAY.privateEnded;
    if (now.monitoring && !before.monitoring) return SAY.monitoring;

    const [was, is] = [presenceOf(before), presenceOf(now)];
    if (presenceKey(was) === presenceKey(is)) return undefined;
    return SAY.presence(is.staff, countyPresent(is), now.kind === 'staff_intake');
  }

  /**
   * The line's news, said once per call each and never over another prompt: a line that comes and goes must not
   * keep talking over the villager.
   */
  private sayLineNews(before: SessionStateView | undefined, now: SessionStateView): void {
    if (this.state.view.screen !== 'in_call' || !before) return;
    const news =
      now.videoSuspended !== before.videoSuspended
        ? now.videoSuspended
          ? 'lineSoundOnly'
          : 'lineBack'
        : now.kioskLink?.level === 'poor' && before.kioskLink?.level !== 'poor'
          ? 'linePoor'
          : undefined;
    if (!news || this.lineSaid.has(`${now.sessionId}:${news}`)) return;
    if (sayIfQuiet(SAY[news])) this.lineSaid.add(`${now.sessionId}:${news}`);
  }

  private waitingPrompt(): Prompt {
    const position = this.state.queuePosition;
    if (!position) return SAY.waiting;
    const queue = SAY.queue(position);
    return { text: `${SAY.waiting.text}${queue.text}`, clips: [...SAY.waiting.clips, ...queue.clips] };
  }

  /** After the escalation alarm: the villager chose to go on waiting. */
  keepWaiting = (): void => {
    const view = this.state.view;
    if (view.screen !== 'waiting') return;
    this.set({ view: { ...view, choice: 'wait' } });
    say(SAY.keptWaiting);
  };

  /** After the escalation alarm: leave a callback request on the county's alert bar, and end the wait. */
  requestCallback = async (): Promise<void> => {
    const id = this.sessionId;
    if (!id || this.state.view.screen !== 'waiting') return;
    try {
      await this.channel!.request('call:requestCallback', { sessionId: id });
    } catch {
      const view = this.state.view;
      if (view.screen === 'waiting') this.set({ view: { ...view, choice: 'callback_failed' } });
      return;
    }
    this.dropCall();
    this.show({ screen: 'callback', backAt: Date.now() + 30_000 });
    say(SAY.callback);
    this.timer = setTimeout(() => this.goIdle(), 30_000);
  };

  /**
   * The villager ends the call, also from the reconnect overlay while the server is out of reach: then the
   * screen ends at once and the server hears of the hang-up as soon as it can be reached.
   */
  hangUp = async (): Promise<void> => {
    const id = this.sessionId;
    if (id && this.socket?.connected && !this.drop.away) {
      await this.channel?.request('session:end', { sessionId: id }).catch(() => {
        // Not yet back in the session after a drop (or no answer): told as a hang-up made while away.
        if (this.channel) this.departures.tell(this.channel, id, 'hang_up');
        else this.departures.add(id, 'hang_up');
      });
    } else if (id) {
      this.departures.add(id, 'hang_up');
    }
    // The end is pushed before the answer, which comes once the recording is closed: by then the screen has
    // ended the call, and the villager may have gone home, opened the receipt pad or called again.
    if (this.sessionId !== id) return;
    this.finish('local');
  };

  private dropCall(): void {
    this.media?.close();
    this.media = undefined;
    this.sessionId = undefined;
    this.drop.stop();
    for (const t of this.state.local?.getTracks() ?? []) t.stop();
    clearTimeout(this.privateTimer);
    this.set({
      local: undefined,
      remote: undefined,
      session: undefined,
      queuePosition: undefined,
      reconnecting: false,
      reconnectingSince: undefined,
      privateRequested: false,
    });
  }

  private finish(reason: EndedReason): void {
    if (!this.sessionId && (this.state.view.screen === 'ended' || this.state.view.screen === 'callback')) return;
    // Answered: on the call screen, or the session says so (a reload while it rang comes back through a rejoin, not
    // the waiting screen). A staff intake is a call answered from its start.
    const answered = this.state.view.screen === 'in_call' || this.state.session?.state === 'active';
    this.dropCall();
    // Said as the screen shows it: why it ended when the connection ended it, and no thanks for a call nobody answered.
    const end = answered ? SAY.ended : SAY.endedUnanswered;
    const note = endedNoteOf(reason);
    // The note alone when the connection ended it: with the thanks after it, the words outlasted the ten seconds.
    const words = note ? SAY[note] : end;
    // Back home after ten seconds, or once the words are said: the idle prompt would cut them off.
    const stayMs = Math.max(10_000, sayingMs(words) + 1_000);
    this.show({ screen: 'ended', reason, backAt: Date.now() + stayMs, answered });
    say(words);
    this.timer = setTimeout(() => this.goIdle(), stayMs);
  }

  backHome = (): void => this.goIdle();

  dismissReceipt = (): void => this.set({ receipt: undefined });

  openLookup = (): void => {
    if (this.state.view.screen !== 'idle') return;
    this.show({ screen: 'lookup' });
    say(SAY.lookupCode);
    // A villager who walks away leaves no half-typed code on the screen for the next one.
    this.timer = setTimeout(() => this.goIdle(), 120_000);
  };

  lookup = async (caseCode: string, pin: string): Promise<ReceiptStatusView> => {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.goIdle(), 120_000);
    return apiRequest<ReceiptStatusView>('POST', '/api/receipts/lookup', { body: { caseCode, pin }, token: this.keeper?.token });
  };

  /** A rating of the matter just looked up: the same receipt authorises it, and the villager gets two more minutes. */
  rate = async (body: ReceiptRatingBody): Promise<ReceiptRatingAnswer> => {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.goIdle(), 120_000);
    return apiRequest<ReceiptRatingAnswer>('POST', '/api/receipts/rating', { body, token: this.keeper?.token });
  };

  retryNow = (): void => {
    clearTimeout(this.timer);
    if (this.socket?.connected) this.goIdle();
    else void this.start();
  };
}
