// The demo game's flow over a GameConnection: log in, enter a room, then keep the room's
// players, chat and ping up to date from the server's packets. The page (App) only draws what
// this reports and turns clicks and typing into Chat / MoveTo.
//
//   connecting -> logging-in -> entering -> in-room
//        |             |            |          |
//        +-------------+------------+----------+--> refused (S_LOGIN / S_ENTER_GAME said no,
//                                       |          or S_KICKED) | disconnected (socket gone,
//                                       |          nothing to resume, or given up)
//                                       +--> reconnecting (the socket dropped after the login):
//                                            backoff, connect, resume (ResumeLink) -> the state
//                                            before the drop, nothing lost; or, the resume
//                                            refused, a fresh login on the same socket
import { GameConnection } from "../net/GameConnection";
import type { Packet } from "../protocol/PacketCodec";
import { gameCodec, gameTable } from "../protocol/GameProtocol";
import { ResumeLink, type ResumeOutcome } from "./ResumeLink";

export type ClientState =
  "idle" | "connecting" | "logging-in" | "entering" | "in-room" | "reconnecting" | "refused" |
  "disconnected";

export interface Player { id: string; name: string; x: number; y: number; self: boolean }

// system: a refusal or a loss; info: good news from the connection (a resume).
export interface ChatLine { from: string; text: string; kind: "chat" | "self" | "system" | "info" }

export interface GameEvents {
  state(state: ClientState, text: string): void;
  players(players: ReadonlyMap<string, Player>): void;
  chat(line: ChatLine): void;
  ping(milliseconds: number): void;
}

export interface LoginRequest {
  url: string;       // ws://host:port/ws
  name: string;
  password: string;
  room: number;
  say?: string;      // one chat line, sent once the room is entered
  giveUpMs?: number; // stop reconnecting this long after a drop (30 s by default)
}

const kPingInterval = 1000;
// A login the server answers "service unavailable" (its store is busy: many logins at once, as
// after a restart) is tried again, after 250 ms x the attempt (jittered x0.5-1.5), this often.
const kBusyRetries = 8;
const kBusyDelayMs = 250;

// Close codes that say the page itself sent what the server refuses: reconnecting would only
// send it again.
const kNoRetryCodes = new Set([1002, 1003, 1007, 1008, 1009, 1010]);

export class GameClient {
  private _connection?: GameConnection;
  private _state: ClientState = "idle";
  private _request?: LoginRequest;
  private _selfId = "";
  private _players = new Map<string, Player>();
  private _names = new Map<string, string>();  // everyone seen, for chat from a player who left
  private _pingTimer?: ReturnType<typeof setInterval>;
  private _retryTimer?: ReturnType<typeof setTimeout>;  // a reconnect, or a login again
  private _busyRetries = 0;
  private _link = new ResumeLink();
  private _stateAtDrop: ClientState = "idle";
  private _note = "";  // said once in the next in-room status (a refused resume)
  // Where S_LOGIN said the player last was (room 0: nowhere).
  private _saved = { room: 0, x: 0, y: 0 };

  constructor(private readonly _events: GameEvents) {}

  State(): ClientState { return this._state; }
  Players(): ReadonlyMap<string, Player> { return this._players; }

  Start(request: LoginRequest): void {
    this.Stop();
    this._request = { ...request };
    this._players = new Map();
    this._selfId = "";
    this._link = new ResumeLink(request.giveUpMs ? { giveUpAfterMs: request.giveUpMs } : {});
    this._busyRetries = 0;
    this.SetState("connecting", `connecting to ${request.url}`);
    this.Connect();
  }

  // A deliberate end: in a room, says C_LEAVE_GAME first, so the server takes the player out
  // at once rather than keeping it away for a resume. Nothing reconnects afterwards.
  Stop(): void {
    if (this._state === "in-room") this.SendCounted("C_LEAVE_GAME");
    clearInterval(this._pingTimer);
    clearTimeout(this._retryTimer);
    this._pingTimer = undefined;
    this._retryTimer = undefined;
    this._link.Forget();
    const connection = this._connection;
    this._connection = undefined;
    connection?.Close();
  }

  // In a room, or reconnecting from one (then the line goes out after the resume).
  Chat(text: string): void {
    if (!this.Playing() || text.length === 0) return;
    this.SendCounted("C_CHAT", { msg: text });
  }

  // The server does not echo a mover's own S_MOVE, so the page moves its dot at once.
  MoveTo(x: number, y: number): void {
    const self = this._players.get(this._selfId);
    if (!this.Playing() || !self) return;
    this.SendCounted("C_MOVE", { x, y });
    self.x = x;
    self.y = y;
    this._events.players(this._players);
  }

  // The browser says the network is back: reconnect now rather than after the backoff.
  NetworkBack(): void {
    if (this._state !== "reconnecting" || this._connection) return;
    clearTimeout(this._retryTimer);
    this._link.NetworkBack();
    this.Connect();
  }

  private Playing(): boolean {
    return this._state === "in-room" || (this._state === "reconnecting" && this._stateAtDrop === "in-room");
  }

  private Connect(): void {
    this._retryTimer = undefined;
    // Events of a connection this client has let go of (Stop, a drop) are ignored.
    const connection: GameConnection = new GameConnection(this._request!.url, gameCodec, {
      open: () => { if (connection === this._connection) this.OnOpen(); },
      packet: (packet) => { if (connection === this._connection) this.OnPacket(packet); },
      closed: (code, reason, wasOpen) => {
        if (connection !== this._connection) return;
        this._connection = undefined;
        this.OnClosed(code, reason, wasOpen);
      },
    });
    this._connection = connection;
  }

  // Every packet after the login goes through the link, which keeps a copy for a resume.
  private SendCounted(name: string, fields: Record<string, unknown> = {}): void {
    const bytes = gameCodec.Encode(name, fields);
    if (this._link.Sent(bytes, this._connection?.IsOpen() ?? false)) this._connection!.SendBytes(bytes);
  }

  private OnOpen(): void {
    if (this._link.CanResume()) {
      this.SetState("reconnecting", `reconnecting… connected again; resuming as ${this._request!.name}`);
      this._connection!.Send("C_LOGIN", this._link.StartResume());
    } else {
      this.LogIn();
    }
    this._pingTimer = setInterval(() => this.SendPing(), kPingInterval);
  }

  private LogIn(text = `logging in as ${this._request!.name}`): void {
    const request = this._request!;
    this.SetState("logging-in", text);
    this._link.FreshLogin();
    this._connection!.Send("C_LOGIN", { name: request.name, password: request.password });
    this.SendPing();
  }

  // Not while a resume is on its way (the resent packets go first). Kept like any packet: the
  // server counts pings too, so one it had not handled is sent again after a resume (and its
  // pong shows the whole wait).
  private SendPing(): void {
    if (!this._connection?.IsOpen() || this._link.Resuming()) return;
    this.SendCounted("C_PING", { client_time: Math.round(performance.now() * 1000) });
  }

  private OnPacket(packet: Packet): void {
    const outcome = this._link.OnPacket(packet.name, packet.body);
    if (outcome.kind !== "pass") return this.OnResumeAnswer(outcome);
    const body = packet.body;
    switch (packet.name) {
      case "S_LOGIN": return this.OnLogin(body);
      case "S_ENTER_GAME": return this.OnEnter(body);
      case "S_SPAWN":
        for (const info of body.players) this.AddPlayer(info);
        return this._events.players(this._players);
      case "S_DESPAWN":
        for (const id of body.player_ids) this._players.delete(id);
        return this._events.players(this._players);
      case "S_MOVE": {
        const player = this._players.get(body.player_id);
        if (!player) return;
        player.x = body.x;
        player.y = body.y;
        return this._events.players(this._players);
      }
      case "S_CHAT": {
        const self = body.player_id === this._selfId;
        const from = this._names.get(body.player_id) ?? `player ${body.player_id}`;
        return this._events.chat({ from, text: body.msg, kind: self ? "self" : "chat" });
      }
      case "S_PONG":
        return this._events.ping(performance.now() - Number(body.client_time) / 1000);
      case "S_ERROR": {
        const request = gameTable.ById(body.request_id)?.name ?? `packet ${body.request_id}`;
        return this.System(`${request} refused: ${body.reason}`);
      }
      case "S_KICKED":
        return this.Refuse(`kicked: ${body.reason}`);
      case "S_LEAVE_GAME":
        this._players.clear();
        this._events.players(this._players);
        return this.SetState("entering", "left the room");
      default:
        return;  // a packet this page does not show
    }
  }

  private OnResumeAnswer(outcome: Exclude<ResumeOutcome, { kind: "pass" }>): void {
    const request = this._request!;
    if (outcome.kind === "resumed") {
      for (const bytes of outcome.resend) this._connection!.SendBytes(bytes);
      this.SendPing();  // the ping shown again at once, not a second later
      if (outcome.lost > 0) this.System(`${outcome.lost} of your packets were lost in the drop`);
      this._events.chat({ from: "server", text: `reconnected: resumed as player ${outcome.playerId}, nothing lost`, kind: "info" });
      const state = this._stateAtDrop;
      return this.SetState(state, state === "in-room" ? this.InRoomText("resumed after a drop") :
                                  `resumed; entering room ${request.room}`);
    }
    // Refused (the window ended, or the server restarted): a fresh login on the same socket.
    this.System(`could not resume (${outcome.reason}): logging in again; what was said while ` +
                "you were away is lost");
    this._note = `logged in again: the resume was refused (${outcome.reason})`;
    this._players = new Map();
    this._selfId = "";
    this._events.players(this._players);
    this.LogIn();
  }

  private OnLogin(body: Record<string, any>): void {
    if (!body.success && body.reason === "service unavailable" && this._busyRetries < kBusyRetries) {
      const attempt = ++this._busyRetries;
      const delay = kBusyDelayMs * attempt * (0.5 + Math.random());
      this.SetState("logging-in", `the server is busy (service unavailable); trying again (${attempt} of ${kBusyRetries})`);
      this._retryTimer = setTimeout(() => {
        if (this._connection?.IsOpen()) this.LogIn(`logging in as ${this._request!.name} (attempt ${attempt + 1})`);
      }, delay);
      return;
    }
    if (!body.success) return this.Refuse(`login refused: ${body.reason}`);
    this._busyRetries = 0;
    const request = this._request!;
    this._selfId = body.player_id;
    this._saved = { room: body.last_room_id, x: body.x, y: body.y };
    this._names.set(this._selfId, request.name);
    this._players.set(this._selfId, { id: this._selfId, name: request.name, x: body.x, y: body.y, self: true });
    this._events.players(this._players);
    this.SetState("entering", `logged in as ${request.name} (player ${this._selfId}); entering room ${request.room}`);
    this.SendCounted("C_ENTER_GAME", { room_id: request.room });
  }

  private OnEnter(body: Record<string, any>): void {
    if (!body.success) return this.Refuse(`room ${this._request!.room} refused: ${body.reason}`);
    // S_ENTER_GAME lists the others only. The server puts a player back where it was in the
    // room it was last in, and at the origin of any other room (Player::ArriveIn).
    const self = this._players.get(this._selfId);
    if (self) {
      const back = this._saved.room === this._request!.room;
      self.x = back ? this._saved.x : 0;
      self.y = back ? this._saved.y : 0;
    }
    for (const info of body.players) this.AddPlayer(info);
    this._events.players(this._players);
    this.SetState("in-room", this.InRoomText(this._note));
    this._note = "";
    const say = this._request!.say;
    if (say) {
      this._request!.say = undefined;  // once, not again after a new login
      this.Chat(say);
    }
  }

  private InRoomText(note: string): string {
    const request = this._request!;
    return `in room ${request.room} as ${request.name} (player ${this._selfId})` + (note ? ` - ${note}` : "");
  }

  private AddPlayer(info: Record<string, any>): void {
    const self = info.player_id === this._selfId;
    this._names.set(info.player_id, info.name);
    this._players.set(info.player_id, { id: info.player_id, name: info.name, x: info.x, y: info.y, self });
  }

  private Refuse(text: string): void {
    this.SetState("refused", text);
    this.Stop();
  }

  private System(text: string): void {
    this._events.chat({ from: "server", text, kind: "system" });
  }

  private OnClosed(code: number, reason: string, wasOpen: boolean): void {
    clearInterval(this._pingTimer);
    clearTimeout(this._retryTimer);
    this._pingTimer = undefined;
    if (this._state === "refused") return;
    const why = `${reason}${code ? ` (${code})` : ""}`;
    if (this._link.CanResume() && !kNoRetryCodes.has(code) && code !== 0) {
      if (this._state !== "reconnecting") {
        this._stateAtDrop = this._state;
        this.System(`connection lost: ${why}; reconnecting`);
      }
      this._link.Dropped();
      const delay = this._link.NextDelay();
      if (delay !== null) {
        this.SetState("reconnecting", `reconnecting… (${why}; attempt ${this._link.Attempts()})`);
        this._retryTimer = setTimeout(() => this.Connect(), delay);
        return;
      }
      const seconds = Math.round(this._link.AwayFor() / 1000);
      this._link.Forget();
      return this.SetState("disconnected", `disconnected: no connection for ${seconds} s, gave up (${why})`);
    }
    // A browser does not tell a page why an upgrade failed: a refused Origin (403) looks like
    // a server that is down.
    const text = wasOpen ? `disconnected: ${why}` :
      `cannot connect to ${this._request?.url} (the server is down, or does not let this page's origin in)`;
    this.SetState("disconnected", text);
  }

  private SetState(state: ClientState, text: string): void {
    this._state = state;
    this._events.state(state, text);
  }
}
