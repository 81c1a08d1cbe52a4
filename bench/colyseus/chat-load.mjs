// The load driver of the Colyseus side-by-side, one structure for both servers: N clients in
// one room, each sending chat lines at R a second (spread evenly: line k goes from client
// k % N at k / (N R) s), every client counting the lines it receives and timing its own lines'
// round trip. Only the protocol adapter differs: Colyseus through its own SDK (@colyseus/sdk,
// msgpack), Tavern through a raw WebSocket (one packet per binary message, protobufjs, ids
// from the .proto files). Each received line is decoded in full on both.
//
//   node chat-load.mjs --server colyseus|tavern --port P --clients N --rates R1,R2,...
//        --warmup S --seconds S --settle S --server-pid PID [--ramp]
//        [--proto-tools FILE --protocol DIR]
// With --ramp the rates are tried in order until one fails (own-line round trip p50 >= 50 ms,
// or under 97% of the expected deliveries). One JSON line per rate on stdout.
import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "node_modules", "resolve.js"));
const args = { warmup: "2", seconds: "5", clients: "200", rates: "1" };
for (let i = 2; i < process.argv.length; ++i) {
  const key = process.argv[i].replace(/^--/, "");
  if (key === "ramp") args.ramp = true; else args[key] = process.argv[++i];
}
const kRttLimitMs = 50;
const kDeliveredShare = 0.97;
const clockTick = Number(execSync("getconf CLK_TCK").toString());

// --- the two protocols ------------------------------------------------------------------
// connect(index, onLine(own, text)) -> { send(text), close() }, resolved once in the room.

async function ColyseusAdapter() {
  const { Client } = require("@colyseus/sdk");
  const client = new Client(`http://127.0.0.1:${args.port}`);
  return async (index, onLine) => {
    const room = await client.joinOrCreate("chat");
    room.onMessage("chat", (message) => onLine(message.from === room.sessionId, message.text));
    return { send: (text) => room.send("chat", text), close: () => room.leave() };
  };
}

async function TavernAdapter() {
  const WebSocket = require("ws");
  const protobuf = require("protobufjs");
  const { LoadProtocol } = await import(pathToFileURL(args["proto-tools"]).href);
  const { descriptor, packets } = LoadProtocol({
    protoFiles: [join(args.protocol, "proto")], includeDirs: [args.protocol],
    nodeModules: join(here, "node_modules") });
  const root = protobuf.Root.fromJSON(descriptor);
  const type = (name) => root.lookupType(packets[name].type);
  const id = (name) => packets[name].id;
  const [C_LOGIN, C_ENTER_GAME, C_CHAT] = ["C_LOGIN", "C_ENTER_GAME", "C_CHAT"].map(id);
  const [S_LOGIN, S_ENTER_GAME, S_CHAT] = ["S_LOGIN", "S_ENTER_GAME", "S_CHAT"].map(id);
  const [loginType, enterType, chatType, sLoginType, sEnterType, sChatType] =
    ["C_LOGIN", "C_ENTER_GAME", "C_CHAT", "S_LOGIN", "S_ENTER_GAME", "S_CHAT"].map(type);
  const encode = (packetId, messageType, fields) => {
    const payload = messageType.encode(messageType.create(fields)).finish();
    const bytes = Buffer.allocUnsafe(4 + payload.length);
    bytes.writeUInt16LE(4 + payload.length, 0);
    bytes.writeUInt16LE(packetId, 2);
    bytes.set(payload, 4);
    return bytes;
  };
  return (index, onLine) => new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${args.port}/ws`, { perMessageDeflate: false });
    let self = -1;
    socket.on("open", () => socket.send(encode(C_LOGIN, loginType,
      { name: `bench-${index}`, password: "bench-password" })));
    socket.on("error", reject);
    socket.on("message", (data) => {
      const packetId = data.readUInt16LE(2);
      const payload = data.subarray(4);
      if (packetId === S_CHAT) {
        const chat = sChatType.decode(payload);
        return onLine(Number(chat.player_id) === self, chat.msg);
      }
      if (packetId === S_LOGIN) {
        const login = sLoginType.decode(payload);
        if (!login.success) return reject(new Error(`login refused: ${login.reason}`));
        self = Number(login.player_id);
        socket.send(encode(C_ENTER_GAME, enterType, { room_id: 1 }));
      } else if (packetId === S_ENTER_GAME) {
        const enter = sEnterType.decode(payload);
        if (!enter.success) return reject(new Error(`enter refused: ${enter.reason}`));
        resolve({ send: (text) => socket.send(encode(C_CHAT, chatType, { msg: text })),
                  close: () => socket.close() });
      }
    });
  });
}

// --- the load ---------------------------------------------------------------------------

const counters = { delivered: 0, rtts: [] };
const clientCount = Number(args.clients);
const connect = await (args.server === "colyseus" ? ColyseusAdapter() : TavernAdapter());
const clients = [];
const joinStart = performance.now();
for (let first = 0; first < clientCount; first += 20) {
  const batch = [];
  for (let i = first; i < Math.min(clientCount, first + 20); ++i) {
    batch.push(connect(i, (own, text) => {
      ++counters.delivered;
      if (own) counters.rtts.push(performance.now() - Number(text.slice(text.indexOf(" ") + 1)));
    }));
  }
  clients.push(...await Promise.all(batch));
}
const joinSeconds = (performance.now() - joinStart) / 1000;
await new Promise((r) => setTimeout(r, Number(args.settle ?? 2) * 1000));  // the joins' own traffic ends
// The room carries lines: one from client 0 reaches every client.
clients[0].send(`0 ${performance.now().toFixed(3)}`);
for (const deadline = performance.now() + 10_000; counters.delivered < clientCount;) {
  if (performance.now() > deadline) {
    console.error(`${args.server}: a first line reached ${counters.delivered} of ${clientCount} clients in 10 s`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 10));
}

let schedule = null;  // { start, perSecond, next }
const pump = setInterval(() => {
  if (!schedule) return;
  const due = Math.floor((performance.now() - schedule.start) * schedule.perSecond / 1000);
  for (; schedule.next < due; ++schedule.next) {
    const index = schedule.next % clientCount;
    clients[index].send(`${index} ${performance.now().toFixed(3)}`);
  }
}, 2);

function ServerCpuSeconds() {
  const fields = readFileSync(`/proc/${args["server-pid"]}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / clockTick;  // utime, stime
}
// The whole machine's busy CPU seconds (every core), to tell how much other work ran beside.
function MachineBusySeconds() {
  const [user, nice, system, idle, iowait, irq, softirq, steal] =
    readFileSync("/proc/stat", "utf8").split("\n")[0].split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + steal) / clockTick;
}
const sleep = (s) => new Promise((r) => setTimeout(r, s * 1000));
const percentile = (sorted, p) => sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null;

for (const rate of args.rates.split(",").map(Number)) {
  schedule = { start: performance.now(), perSecond: clientCount * rate, next: 0 };
  await sleep(Number(args.warmup));
  const before = { delivered: counters.delivered, server: ServerCpuSeconds(), driver: process.cpuUsage(),
                   machine: MachineBusySeconds(), at: performance.now() };
  counters.rtts = [];
  await sleep(Number(args.seconds));
  const window = (performance.now() - before.at) / 1000;
  const driver = process.cpuUsage(before.driver);
  const serverCpu = ServerCpuSeconds() - before.server;
  const machineCpu = MachineBusySeconds() - before.machine;
  const delivered = counters.delivered - before.delivered;
  const rtts = counters.rtts.sort((a, b) => a - b);
  const expected = clientCount * clientCount * rate;
  const result = {
    server: args.server, clients: clientCount, rate_per_client: rate,
    expected_per_s: expected, delivered_per_s: Math.round(delivered / window),
    server_cpu_s: +serverCpu.toFixed(3), window_s: +window.toFixed(3),
    server_core_busy: +(serverCpu / window).toFixed(3),
    cpu_s_per_million: delivered ? +(serverCpu / (delivered / 1e6)).toFixed(3) : null,
    rtt_p50_ms: rtts.length ? +percentile(rtts, 0.5).toFixed(2) : null,
    rtt_p99_ms: rtts.length ? +percentile(rtts, 0.99).toFixed(2) : null,
    driver_core_busy: +((driver.user + driver.system) / 1e6 / window).toFixed(3),
    // Cores' worth of CPU that neither the server nor this driver used: other work.
    other_cores_busy: +Math.max(0, (machineCpu - serverCpu - (driver.user + driver.system) / 1e6) / window).toFixed(2),
    join_s: +joinSeconds.toFixed(2),
  };
  result.ok = result.rtt_p50_ms !== null && result.rtt_p50_ms < kRttLimitMs &&
              delivered / window >= kDeliveredShare * expected;
  console.log(JSON.stringify(result));
  if (args.ramp && !result.ok) break;
}
clearInterval(pump);
for (const client of clients) client.close();
await sleep(0.2);
process.exit(0);
