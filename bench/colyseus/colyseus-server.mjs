// The chat room on Colyseus: a client's "chat" message goes to every client in the room, the
// sender included ({ from: sessionId, text }), as Tavern's room does with S_CHAT. No state
// schema (nothing to patch), no rate limit, one process (one core under taskset).
//   node colyseus-server.mjs PORT
import { Room, Server } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";

class ChatRoom extends Room {
  onCreate() {
    this.maxClients = 100000;
    this.autoDispose = false;
    this.onMessage("chat", (client, text) => this.broadcast("chat", { from: client.sessionId, text }));
  }
}

const port = Number(process.argv[2] ?? 2567);
const server = new Server({ transport: new WebSocketTransport(), greet: false });
server.define("chat", ChatRoom);
await server.listen(port, "127.0.0.1");
console.log(`colyseus listening on port ${port}`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
