// Leave pressed while the page is reconnecting: the server still holds the player, away, in its
// room, and would keep it there (the others seeing it stand still) for its whole resume window.
// A Farewell finishes the leave on its own, apart from the GameClient (which is free for the
// next login at once): it resumes the player with the link's token, as a reconnect would, and
// the C_LEAVE_GAME kept in the link goes out with whatever else the server had not handled
// (a line typed while reconnecting is still said); on S_LEAVE_GAME it closes, and the server
// has taken the player out (the others get S_DESPAWN) and ended its token.
//
//   Leave -> [connect] -> C_LOGIN{token, received} -> S_LOGIN{resumed}: kept packets, C_LEAVE_GAME
//              ^  |                                -> S_LEAVE_GAME: close, "left"
//              |  | the connection fails or drops  -> S_LOGIN{refused}: close, "gone" (the window
//              +--+ after the link's backoff,                           ended: nothing to leave)
//                   until its give-up ("unreached": the server ends the player at its window)
//
// A resume already on its way when Leave is pressed is taken over with its connection: its
// token is spent, and only that connection's answer can bring the player back.
import { GameConnection, type ConnectionEvents } from "../net/GameConnection";
import type { Packet } from "../protocol/PacketCodec";
import { gameCodec, gameTable } from "../protocol/GameProtocol";
import type { ResumeLink } from "./ResumeLink";

export type FarewellEnd =
  | { kind: "left" }                        // the server took the player out
  | { kind: "gone"; reason: string }        // the server had already let it go
  | { kind: "unreached"; reason: string };  // no connection until the link gave up

export class Farewell {
  private _connection?: GameConnection;
  private _timer?: ReturnType<typeof setTimeout>;
  private _ended = false;
  private readonly _leaveId = gameTable.ByName("C_LEAVE_GAME")!.id;

  // `link` has a token to resume (CanResume) and has been told of the drop; `connection` is
  // the reconnect attempt under way, if any (connecting, or its resume sent).
  constructor(private readonly _url: string, private readonly _link: ResumeLink,
              connection: GameConnection | undefined,
              private readonly _onEnd: (end: FarewellEnd) => void) {
    this._link.Sent(gameCodec.Encode("C_LEAVE_GAME", {}), false);  // goes out with the resume
    if (connection) {
      this._connection = connection;
      connection.HandTo(this.Events(() => connection));
      if (connection.IsOpen() && !this._link.Resuming()) this.OnOpen();
    } else {
      this.Connect();  // Leave is the user's word: try at once, then the link's backoff
    }
  }

  // The browser says the network is back: try now rather than after the backoff.
  NetworkBack(): void {
    if (this._ended || this._connection) return;
    clearTimeout(this._timer);
    this._link.NetworkBack();
    this.Connect();
  }

  private Connect(): void {
    this._timer = undefined;
    const connection: GameConnection = new GameConnection(this._url, gameCodec, this.Events(() => connection));
    this._connection = connection;
  }

  // Events of a connection this farewell has let go of (a drop, the end) are ignored.
  private Events(connection: () => GameConnection): ConnectionEvents {
    const mine = () => connection() === this._connection;
    return {
      open: () => { if (mine()) this.OnOpen(); },
      packet: (packet) => { if (mine()) this.OnPacket(packet); },
      closed: (_code, reason) => {
        if (!mine()) return;
        this._connection = undefined;
        this.OnClosed(reason);
      },
    };
  }

  private OnOpen(): void {
    this._connection!.Send("C_LOGIN", this._link.StartResume());
  }

  private OnPacket(packet: Packet): void {
    const outcome = this._link.OnPacket(packet.name, packet.body);
    if (outcome.kind === "resumed") {
      for (const bytes of outcome.resend) this._connection!.SendBytes(bytes);
      return;
    }
    if (outcome.kind === "refused") return this.End({ kind: "gone", reason: outcome.reason });
    // Done once the leave is answered: taken out, or refused because the player was in no
    // room (it entered none; the server forgets it at its window, and no one saw it).
    if (packet.name === "S_LEAVE_GAME" ||
        (packet.name === "S_ERROR" && packet.body.request_id === this._leaveId) ||
        packet.name === "S_KICKED") {  // logged in elsewhere meanwhile: out of the room too
      this.End({ kind: "left" });
    }
  }

  private OnClosed(reason: string): void {
    this._link.Dropped();
    const delay = this._link.NextDelay();
    if (delay === null) return this.End({ kind: "unreached", reason });
    this._timer = setTimeout(() => this.Connect(), delay);
  }

  private End(end: FarewellEnd): void {
    if (this._ended) return;
    this._ended = true;
    clearTimeout(this._timer);
    const connection = this._connection;
    this._connection = undefined;
    connection?.Close();
    this._link.Forget();
    this._onEnd(end);
  }
}
