// The demo game's flow over one GameConnection: log in, enter a room, then keep the room's
// players, chat and ping up to date from the server's packets. The page (App) only draws what
// this reports and turns clicks and typing into Chat / MoveTo.
//
//   connecting -> logging-in -> entering -> in-room
//        |             |            |          |
//        +-------------+------------+----------+--> refused (S_LOGIN / S_ENTER_GAME said no,
//                                                  or S_KICKED) | disconnected (socket gone)
import { GameConnection } from "../net/GameConnection";
import type { Packet } from "../protocol/PacketCodec";
import { gameCodec, gameTable } from "../protocol/GameProtocol";

export type ClientState =
  "idle" | "connecting" | "logging-in" | "entering" | "in-room" | "refused" | "disconnected";

export interface Player { id: string; name: string; x: number; y: number; self: boolean }

export interface ChatLine { from: string; text: string; kind: "chat" | "self" | "system" }

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
}

// What a resume after a drop needs (C_LOGIN.resume_token and .received). Kept from the last
// S_LOGIN and the connection's count; Resume() is where a reconnect will use it once the
// server's resume is in. Until then a drop ends in "disconnected" and the page offers a new
// login.
export interface ResumeTicket { token: string; received: number; room: number }

const kPingInterval = 1000;

export class GameClient {
  private _connection?: GameConnection;
  private _state: ClientState = "idle";
  private _request?: LoginRequest;
  private _selfId = "";
  private _players = new Map<string, Player>();
  private _names = new Map<string, string>();  // everyone seen, for chat from a player who left
  private _pingTimer?: ReturnType<typeof setInterval>;
  private _resumeToken = "";
  private _received = 0;  // server packets handled on the last connection

  constructor(private readonly _events: GameEvents) {}

  State(): ClientState { return this._state; }
  Players(): ReadonlyMap<string, Player> { return this._players; }

  Start(request: LoginRequest): void {
    this.Stop();
    this._request = { ...request };
    this._players = new Map();
    this._selfId = "";
    this.SetState("connecting", `connecting to ${request.url}`);
    // Events of a connection this client has let go of (Stop) are ignored.
    const connection: GameConnection = new GameConnection(request.url, gameCodec, {
      open: () => { if (connection === this._connection) this.OnOpen(); },
      packet: (packet) => { if (connection === this._connection) this.OnPacket(packet); },
      closed: (code, reason, wasOpen) => {
        if (connection === this._connection) this.OnClosed(code, reason, wasOpen);
      },
    });
    this._connection = connection;
  }

  Stop(): void {
    clearInterval(this._pingTimer);
    this._pingTimer = undefined;
    const connection = this._connection;
    this._connection = undefined;
    connection?.Close();
  }

  Chat(text: string): void {
    if (this._state !== "in-room" || text.length === 0) return;
    this._connection?.Send("C_CHAT", { msg: text });
  }

  // The server does not echo a mover's own S_MOVE, so the page moves its dot at once.
  MoveTo(x: number, y: number): void {
    const self = this._players.get(this._selfId);
    if (this._state !== "in-room" || !self) return;
    this._connection?.Send("C_MOVE", { x, y });
    self.x = x;
    self.y = y;
    this._events.players(this._players);
  }

  // The hook for resume after a drop: what a reconnect would send. Null when there is nothing
  // to resume (never logged in, or the server gave no token).
  ResumeTicket(): ResumeTicket | null {
    if (!this._resumeToken || !this._request) return null;
    return { token: this._resumeToken, received: this._received, room: this._request.room };
  }

  private OnOpen(): void {
    const request = this._request!;
    this.SetState("logging-in", `logging in as ${request.name}`);
    this._connection!.Send("C_LOGIN", { name: request.name, password: request.password });
    this._pingTimer = setInterval(() => this.SendPing(), kPingInterval);
    this.SendPing();
  }

  private SendPing(): void {
    this._connection?.Send("C_PING", { client_time: Math.round(performance.now() * 1000) });
  }

  private OnPacket(packet: Packet): void {
    this._received = this._connection!.Received();
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
        return this._events.chat({ from: "server", text: `${request} refused: ${body.reason}`, kind: "system" });
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

  private OnLogin(body: Record<string, any>): void {
    if (!body.success) return this.Refuse(`login refused: ${body.reason}`);
    const request = this._request!;
    this._selfId = body.player_id;
    this._resumeToken = body.resume_token;
    this._names.set(this._selfId, request.name);
    this._players.set(this._selfId, { id: this._selfId, name: request.name, x: body.x, y: body.y, self: true });
    this.SetState("entering", `logged in as ${request.name} (player ${this._selfId}); entering room ${request.room}`);
    this._connection!.Send("C_ENTER_GAME", { room_id: request.room });
  }

  private OnEnter(body: Record<string, any>): void {
    if (!body.success) return this.Refuse(`room ${this._request!.room} refused: ${body.reason}`);
    for (const info of body.players) this.AddPlayer(info);
    this._events.players(this._players);
    this.SetState("in-room", `in room ${this._request!.room} as ${this._request!.name}`);
    const say = this._request!.say;
    if (say) {
      this._request!.say = undefined;  // once, not again after a new login
      this.Chat(say);
    }
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

  private OnClosed(code: number, reason: string, wasOpen: boolean): void {
    clearInterval(this._pingTimer);
    this._pingTimer = undefined;
    if (this._state === "refused") return;
    const text = wasOpen
      ? `disconnected: ${reason}${code ? ` (${code})` : ""}`
      : `cannot reach ${this._request?.url}: ${reason}`;
    this.SetState("disconnected", text);
  }

  private SetState(state: ClientState, text: string): void {
    this._state = state;
    this._events.state(state, text);
  }
}
