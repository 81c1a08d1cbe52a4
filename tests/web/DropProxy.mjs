// The network between the browser and the server, as a TCP proxy on loopback that the test
// can break. Drop() ends every connection through it the way a network does, without a
// WebSocket close frame, and refuses new ones until Restore():
//   "reset":  an RST to both sides (the browser and the server both see the connection die);
//   "silent": an RST to the browser only; the server's side stays open and hears nothing more
//             (a dead Wi-Fi: the server learns of it only when the resume takes the player
//             over, or at its idle timeout).
import net from "node:net";

export class DropProxy {
  constructor(targetPort) {
    this.targetPort = targetPort;
    this.down = false;
    this.pairs = new Set();
    this.held = [];     // server sides left open by silent drops, closed at Close()
    this.refused = 0;   // connections refused while down
    this.server = net.createServer((client) => this.OnConnection(client));
  }

  async Listen() {
    await new Promise((done, fail) => this.server.once("error", fail).listen(0, "127.0.0.1", done));
    this.port = this.server.address().port;
    return this.port;
  }

  OnConnection(client) {
    if (this.down) {
      ++this.refused;
      client.on("error", () => {});
      return client.resetAndDestroy();
    }
    const upstream = net.connect(this.targetPort, "127.0.0.1");
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) socket.on("error", end).on("close", end);
  }

  Drop(mode = "reset") {
    this.down = true;
    for (const pair of [...this.pairs]) {
      this.pairs.delete(pair);
      const { client, upstream } = pair;
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.resetAndDestroy();
      if (mode === "silent") {
        upstream.pause();  // reads nothing more, writes nothing more
        this.held.push(upstream);
      } else {
        upstream.resetAndDestroy();
      }
    }
  }

  Restore() { this.down = false; }

  Close() {
    this.Drop();
    for (const socket of this.held) socket.destroy();
    this.server.close();
  }
}
