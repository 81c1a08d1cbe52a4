// One WebSocket to the game server: packets out as binary messages, packets in decoded and
// handed on in arrival order. Knows nothing of the game's flow (GameClient does).
import { PacketCodec, PacketError, type Packet } from "../protocol/PacketCodec";

export interface ConnectionEvents {
  open(): void;
  packet(packet: Packet): void;
  // The socket is gone: the server closed it, the network dropped it, or a packet could not
  // be read (then `code` is 0 and `reason` says why). Called once.
  closed(code: number, reason: string, wasOpen: boolean): void;
}

export class GameConnection {
  private readonly _socket: WebSocket;
  private _open = false;
  private _closed = false;

  constructor(url: string, private readonly _codec: PacketCodec,
              private readonly _events: ConnectionEvents) {
    this._socket = new WebSocket(url);
    this._socket.binaryType = "arraybuffer";
    this._socket.onopen = () => { this._open = true; this._events.open(); };
    this._socket.onmessage = (event) => this.OnMessage(event);
    this._socket.onclose = (event) => this.Finish(event.code, event.reason || CloseText(event.code));
    // An error is always followed by close, which says the rest.
    this._socket.onerror = () => {};
  }

  IsOpen(): boolean { return this._open && !this._closed; }

  Send(name: string, fields: Record<string, unknown> = {}): void {
    this.SendBytes(this._codec.Encode(name, fields));
  }

  // One packet already encoded (PacketCodec.Encode): kept copies sent again after a resume.
  SendBytes(packet: Uint8Array): void {
    if (this.IsOpen()) this._socket.send(packet);
  }

  Close(): void {
    if (this._closed) return;
    this._socket.close(1000, "bye");
    this.Finish(1000, "closed by the page");
  }

  private OnMessage(event: MessageEvent): void {
    if (this._closed) return;
    if (!(event.data instanceof ArrayBuffer)) {
      this._socket.close(1003, "text frame");
      return this.Finish(0, "the server sent a text message");
    }
    let packet: Packet;
    try {
      packet = this._codec.Decode(event.data);
    } catch (error) {
      if (!(error instanceof PacketError)) throw error;
      this._socket.close(1002, "bad packet");
      return this.Finish(0, "unreadable packet from the server: " + error.message);
    }
    this._events.packet(packet);
  }

  private Finish(code: number, reason: string): void {
    if (this._closed) return;
    this._closed = true;
    const wasOpen = this._open;
    this._open = false;
    this._events.closed(code, reason, wasOpen);
  }
}

function CloseText(code: number): string {
  switch (code) {
    case 1000: return "closed normally";
    case 1001: return "the server is going away";
    case 1002: return "protocol error";
    case 1003: return "unsupported data";
    case 1006: return "the connection dropped";
    case 1008: return "policy violation";
    case 1009: return "message too big";
    case 1011: return "server error";
    default: return "code " + code;
  }
}
