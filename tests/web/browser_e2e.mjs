// End-to-end test of the browser client (client/web) in a real headless Chromium, driven over
// the DevTools protocol by puppeteer-core, against a real gameserver with native TCP clients
// (test_client) in the same room:
//   - the page's own server serves it (GET / over --ws-port) and it logs in, enters the room
//     and says its ?say= line, which the native client receives;
//   - it shows its ping, the native client (already there), a native bot's spawn, chat and
//     moves, and the native client's chat;
//   - a click on the field moves it, and the native client sees that S_MOVE;
//   - the page reaches the server through a proxy that the test breaks (DropProxy): after a
//     reset and after a silent drop it shows "reconnecting…", resumes as the same player and
//     shows what was said in the gap (and says what was typed in it), nothing lost or doubled;
//   - Leave takes the player out at once (C_LEAVE_GAME, not a drop), and Enter logs in again;
//   - a wrong password is refused with a clear message; a restarted server refuses the resume
//     and the page logs in again by itself, saying so; a server gone for good ends in
//     "disconnected" once the page gives up.
// A screenshot of the room goes to --screenshot. Exit 77 (skipped) without Chromium.
//
//   node browser_e2e.mjs --gameserver PATH --client PATH --web-root DIR --node-modules DIR
//                        [--screenshot FILE]
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { DropProxy } from "./DropProxy.mjs";

const kWait = 30_000;  // per step: generous, the machine may be loaded (CI, sanitizers)
// Page conditions are polled on a timer, not on animation frames (puppeteer's default): a tab
// behind another one may get no frames.
const kPollMs = 100;
const kPoll = { timeout: kWait, polling: kPollMs };
const kRoom = 7;
const kMaxChat = 64;        // the first server's --max-chat: a longer line is refused
const kGiveUpSeconds = 20;  // the page's ?giveup=: reconnecting ends this long after a drop

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
for (const key of ["gameserver", "client", "web-root", "node-modules"])
  if (!args[key]) throw new Error(`--${key} is required`);

const browserPath = process.env.TAVERN_CHROMIUM ?? ["chromium", "chromium-browser", "google-chrome"]
  .flatMap((name) => (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, name)))
  .find((path) => existsSync(path));
if (!browserPath) {
  console.log("SKIPPED: no Chromium on this machine");
  process.exit(77);
}
const puppeteer = createRequire(join(resolve(args["node-modules"]), "resolve.js"))("puppeteer-core");

// A child process whose stdout lines are kept and can be waited for.
class Child {
  constructor(name, command, argv) {
    this.name = name;
    this.lines = [];
    this.waiters = [];
    this.process = spawn(command, argv, { stdio: ["pipe", "pipe", "pipe"] });
    this.exited = new Promise((done) => this.process.on("exit", (code, signal) => done(code ?? signal)));
    let partial = "";
    this.process.stdout.setEncoding("utf8").on("data", (chunk) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop();
      for (const line of parts) this.Add(line);
    });
    this.process.stderr.setEncoding("utf8").on("data", (chunk) => { this.stderr = (this.stderr ?? "") + chunk; });
  }
  Add(line) {
    this.lines.push(line);
    for (const waiter of [...this.waiters]) if (waiter.pattern.test(line)) waiter.done(line);
  }
  // The first line (already printed from line `from` on, or still to come) that matches.
  WaitFor(pattern, what, from = 0) {
    const seen = this.lines.slice(from).find((line) => pattern.test(line));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { pattern, done: (line) => { clearTimeout(timer); this.waiters.splice(this.waiters.indexOf(waiter), 1); resolve(line); } };
      const timer = setTimeout(() => reject(new Error(
        `${this.name}: no line like ${pattern} (${what}) within ${kWait / 1000} s; it printed:\n  ` +
        this.lines.join("\n  ") + (this.stderr ? `\nstderr:\n${this.stderr}` : ""))), kWait);
      this.waiters.push(waiter);
    });
  }
  Say(line) { this.process.stdin.write(line + "\n"); }
  Kill() { if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill("SIGKILL"); }
}

function FreePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    }).on("error", reject);
  });
}

async function Until(what, probe) {
  const deadline = Date.now() + kWait;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const step = (text) => console.log(`ok: ${text}`);
const folder = mkdtempSync(join(tmpdir(), "tavern-web-e2e-"));
const children = [];
let browser;
let proxy;
const pageLog = [];

// A gameserver with its WebSocket port at `wsPort` (the same port again after a restart) and
// the test's database; resolves to it and its TCP port.
async function StartServer(name, wsPort, extra = []) {
  const server = new Child(name, args.gameserver, [...extra,
    "--host", "127.0.0.1", "--port", "0", "--ws-port", String(wsPort), "--web-root", args["web-root"],
    "--workers", "2", "--stats-interval", "0", "--log-level", "warn", "--resume-window", "120",
    "--db", `sqlite:${join(folder, "tavern.db")}`, "--password-cost", "min"]);
  children.push(server);
  const tcpPort = Number((await server.WaitFor(/gameserver listening on port \d+/, "start"))
    .match(/port (\d+)/)[1]);
  return { server, tcpPort };
}

async function Main() {
  const wsPort = await FreePort();
  const { server, tcpPort } = await StartServer("gameserver", wsPort, ["--max-chat", String(kMaxChat)]);
  const base = `http://127.0.0.1:${wsPort}`;
  const page0 = await Until(`GET ${base}/ answers`, async () => {
    const response = await fetch(`${base}/`);
    return response.status === 200 ? response.text() : undefined;
  });
  if (!page0.includes('id="field"')) throw new Error(`GET / is not the page:\n${page0.slice(0, 300)}`);
  step(`gameserver: TCP ${tcpPort}, WebSocket and page on ${wsPort}`);

  // A native player already in the room, typing into test_client's interactive mode.
  const native = new Child("native client", args.client, [
    "--port", String(tcpPort), "--name", "native", "--password", "native-password", "--room", String(kRoom)]);
  children.push(native);
  await native.WaitFor(/^entered the room/, "native entered the room");
  step("native TCP client is in the room");

  browser = await puppeteer.launch({
    executablePath: browserPath, headless: true,
    // other.test: the page's server under another name, so a page from another origin.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
           "--host-resolver-rules=MAP other.test 127.0.0.1"],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 700 });
  page.on("console", (message) => pageLog.push(`console.${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => pageLog.push(`page error: ${error.message}`));
  // The page, its script and its WebSocket all go through the proxy (the page's address).
  proxy = new DropProxy(wsPort);
  const proxied = `http://127.0.0.1:${await proxy.Listen()}`;
  const say = "hello from the browser";
  await page.goto(`${proxied}/?name=web&password=web-password&room=${kRoom}&giveup=${kGiveUpSeconds}` +
                  `&say=${encodeURIComponent(say)}`);
  await WaitForState(page, "in-room");
  step("the page logged in and entered the room by its URL alone");
  const ping = await (await page.waitForFunction(() =>
    /^\d+\.\d ms$/.test(document.getElementById("ping").textContent) && document.getElementById("ping").textContent,
  kPoll)).jsonValue();
  step(`the page shows its ping: ${ping}`);

  await HasPlayer(page, "native", "the native player already in the room");
  await native.WaitFor(/^\+ web \(player \d+\) is here/, "the page's spawn");
  await native.WaitFor(new RegExp(`^\\[web\\] ${say}$`), "the page's chat");
  step("the native client saw the page arrive and received its chat line");

  native.Say("hello from native");
  await HasChat(page, "native hello from native");
  step("the page shows the native client's chat");

  // Typed into the chat panel: a line too long for the server is refused, and the page says so.
  await page.type("#say-text", "y".repeat(kMaxChat + 1));
  await page.keyboard.press("Enter");
  await HasChat(page, `server C_CHAT refused: the message is longer than ${kMaxChat} bytes`);
  step("a chat line the server refuses shows the server's reason");

  const bot = new Child("native bot", args.client, [
    "--port", String(tcpPort), "--bots", "1", "--rooms", "1", "--first-room", String(kRoom),
    "--name-prefix", "bot", "--chat-per-sec", "2", "--move-per-sec", "4", "--ping-per-sec", "0",
    "--duration", "60", "--quiet"]);
  children.push(bot);
  const first = await HasPlayer(page, "bot-0", "the native bot's spawn");
  await HasChat(page, /^bot-0 hello from bot-0 #\d+$/);
  await page.waitForFunction((was) => {
    const item = document.querySelector('#players li[data-name="bot-0"]');
    return item && item.textContent !== was;
  }, kPoll, first);
  step("the page shows the native bot's spawn, chat and moves");

  const box = await (await page.$("#field")).boundingBox();
  const scale = Math.min(box.width, box.height) / 100;  // the field shows -50..50 on both axes
  await page.mouse.click(box.x + box.width / 2 + 20 * scale, box.y + box.height / 2 - 10 * scale);
  const you = await page.$eval("#you", (e) => e.textContent);
  const [x, y] = you.match(/-?\d+\.\d/g).map(Number);
  if (Math.abs(x - 20) > 0.2 || Math.abs(y - 10) > 0.2) throw new Error(`a click at (20, 10) moved the page to ${you}`);
  await native.WaitFor(new RegExp(`^\\* web moved to \\(${x.toFixed(1)}, ${y.toFixed(1)}\\)$`), "the page's S_MOVE");
  step(`a click moved the page to ${you}, and the native client saw that S_MOVE`);


  await ResumeAfterDrop(page, native, "reset");
  await ResumeAfterDrop(page, native, "silent");
  await NothingLostFromTheBot(page);
  await new Promise((r) => setTimeout(r, 500));  // let the dots settle for the picture
  if (args.screenshot) {
    await page.screenshot({ path: args.screenshot });
    step(`screenshot (after the drops): ${args.screenshot}`);
  }
  await RetriesWhileTheStoreIsBusy(proxied);

  // Leave is deliberate: the player leaves at once (others see it go), no resume pending.
  await page.click("#leave");
  await WaitForState(page, "idle");
  await native.WaitFor(/^- web left$/, "the page's leave");
  step("Leave took the page's player out of the room at once");
  // Enter from the form, into another room: the server puts the player at that room's origin,
  // not where it was in room kRoom, and so must the page.
  await page.$eval("#login input[name=room]", (input, room) => { input.value = room; }, String(kRoom + 1));
  await page.click("#login-button");
  await WaitForState(page, "in-room");
  const elsewhere = await page.$eval("#you", (e) => e.textContent);
  if (elsewhere !== "(0.0, 0.0)") throw new Error(`in another room the page shows itself at ${elsewhere}`);
  await page.click("#leave");
  await WaitForState(page, "idle");
  // Back into kRoom: where the native client sees it arrive is where the page shows itself.
  await page.$eval("#login input[name=room]", (input, room) => { input.value = room; }, String(kRoom));
  const before = native.lines.length;
  await page.click("#login-button");
  await WaitForState(page, "in-room");
  const spawn = await native.WaitFor(/^\+ web \(player \d+\) is here/, "the page's second spawn", before);
  const shown = await page.$eval("#you", (e) => e.textContent);
  if (!spawn.endsWith(` at ${shown}`)) throw new Error(`the page shows itself at ${shown}; the native client saw "${spawn}"`);
  step(`Enter logged the page in again from its form, into room ${kRoom + 1} at its origin and back ` +
       `into room ${kRoom} at ${shown}, where the native client saw it arrive`);

  const refused = await browser.newPage();
  await refused.goto(`${base}/?name=web&password=not-the-password&room=${kRoom}`);
  const text = await WaitForState(refused, "refused");
  if (!/login refused/.test(text)) throw new Error(`a wrong password shows "${text}"`);
  step(`a wrong password shows "${text}"`);
  // A page of another origin (other.test) may not open a WebSocket here (403 by default).
  const foreignUrl = `http://other.test:${wsPort}/?name=other&password=other-password&room=${kRoom}` +
                     `&server=${encodeURIComponent(`ws://127.0.0.1:${wsPort}/ws`)}`;
  await refused.goto(foreignUrl);
  const foreign = await WaitForState(refused, "disconnected");
  if (!/does not let this page's origin in/.test(foreign)) throw new Error(`a foreign page shows "${foreign}"`);
  step(`a page of another origin is refused: "${foreign}"`);
  await refused.close();

  // A restart: the new server knows nothing of the page's token, so the resume is refused;
  // the page logs in again by itself on the same connection and says so.
  bot.Kill();
  native.Kill();
  server.process.kill("SIGTERM");
  const going = await WaitForState(page, "reconnecting");
  step(`a stopping server (close 1001) shows "${going}"`);
  const code = await server.exited;
  if (code !== 0) throw new Error(`gameserver exited with ${code}`);
  const { server: second, tcpPort: secondTcp } = await StartServer("gameserver (restarted)", wsPort,
                                               ["--ws-origin", `http://other.test:${wsPort}`]);
  const again = await WaitForState(page, "in-room");
  if (!/resume was refused \(resume expired\)/.test(again)) throw new Error(`after the restart the page says "${again}"`);
  await HasChat(page, /^server could not resume \(resume expired\): logging in again/);
  step(`after a server restart the page says "${again}"`);
  let other = await browser.newPage();
  await other.goto(foreignUrl);
  await WaitForState(other, "in-room");
  await HasPlayer(page, "other", "the page of the origin --ws-origin allows");
  step("with --ws-origin naming it, the page of the other origin plays");

  // Closing a page is leaving: the others see it go at once, not after the resume window.
  await other.close();
  await page.waitForFunction(() => !document.querySelector('#players li[data-name="other"]'), kPoll)
    .catch(() => { throw new Error("the page closed is still in the room"); });
  step("a page closed leaves its room at once");
  other = await browser.newPage();
  await other.goto(foreignUrl);
  await WaitForState(other, "in-room");

  // The same account logs in elsewhere: the page is kicked, says so, and does not reconnect.
  const takeover = new Child("native takeover", args.client, [
    "--port", String(secondTcp), "--name", "other", "--password", "other-password", "--room", String(kRoom)]);
  children.push(takeover);
  const kicked = await WaitForState(other, "refused");
  if (!/^kicked: /.test(kicked)) throw new Error(`a page taken over shows "${kicked}"`);
  await takeover.WaitFor(/^entered the room/, "the takeover entered the room");
  await new Promise((r) => setTimeout(r, 2000));  // long past the first reconnect's backoff
  const still = await other.$eval("#status", (e) => e.dataset.state);
  if (still !== "refused") throw new Error(`a kicked page went on to "${still}"`);
  takeover.Kill();
  await other.close();
  step(`a page whose account logs in elsewhere shows "${kicked}" and stays there`);

  // Gone for good: the page keeps trying for ?giveup= seconds, then says it gave up.
  second.process.kill("SIGTERM");
  if (await second.exited !== 0) throw new Error("the restarted gameserver failed to stop");
  const gone = await WaitForState(page, "disconnected", (kGiveUpSeconds + 30) * 1000);
  if (!/gave up/.test(gone)) throw new Error(`a server gone for good shows "${gone}"`);
  step(`a server gone for good shows "${gone}"`);
}

// Breaks the page's connection at the proxy (`mode`: DropProxy.Drop), keeps it broken while
// the native client and the bot chat and the page types a line, then lets it back: the page must resume
// as the same player, show the native line once and have its own line said.
async function ResumeAfterDrop(page, native, mode) {
  const id = await SelfId(page);
  const refusedBefore = proxy.refused;
  const linesBefore = native.lines.length;
  proxy.Drop(mode);
  const reconnecting = await WaitForState(page, "reconnecting");
  if (!reconnecting.startsWith("reconnecting…")) throw new Error(`a drop shows "${reconnecting}"`);
  step(`a ${mode} drop shows "${reconnecting}"`);
  const heard = `said while the page was away (${mode})`;
  native.Say(heard);
  await native.WaitFor(new RegExp(`^\\[native\\] ${RegexText(heard)}$`), "its own line back");
  const typed = `typed while reconnecting (${mode})`;
  await page.type("#say-text", typed);
  await page.keyboard.press("Enter");
  await native.WaitFor(/^\[bot-0\] hello from bot-0 #\d+$/, "a bot line during the drop", linesBefore);
  await Until("the page tried to reconnect during the drop", async () => proxy.refused > refusedBefore);
  proxy.Restore();
  const back = await WaitForState(page, "in-room");
  if (!/resumed after a drop/.test(back)) throw new Error(`after the drop the page says "${back}"`);
  await HasChat(page, `native ${heard}`);
  await HasChat(page, `web ${typed}`);
  await native.WaitFor(new RegExp(`^\\[web\\] ${RegexText(typed)}$`), "the line typed in the gap");
  await page.waitForFunction(() => /^\d+\.\d ms$/.test(document.getElementById("ping").textContent), kPoll)
    .catch(async (error) => { throw new Error(`no ping after the resume: "${await page.$eval("#ping", (e) => e.textContent)}" (${error.message})`); });
  const now = await SelfId(page);
  if (now !== id) throw new Error(`the page was player ${id} before the drop and is ${now} after`);
  for (const line of [`native ${heard}`, `web ${typed}`]) {
    const count = await page.$$eval("#chat-log .line", (rows, t) =>
      rows.filter((row) => row.textContent === t).length, line);
    if (count !== 1) throw new Error(`the page shows "${line}" ${count} times`);
  }
  if (native.lines.some((line) => line === "- web left") ||
      native.lines.filter((line) => /^\+ web \(player/.test(line)).length !== 1)
    throw new Error("the native client saw the page's player leave or arrive again");
  step(`after the ${mode} drop the page resumed as player ${id} ("${back}"): it shows the line ` +
       "said in the gap once, its own line typed in the gap was said, and nobody saw it leave");
}

// Another process holds the database's write lock, so creating an account waits out the
// store's busy timeout and the login is answered "service unavailable": the page says the
// server is busy and tries again by itself, and gets in once the database is free.
async function RetriesWhileTheStoreIsBusy(proxied) {
  const lock = new Child("database lock", "python3", ["-c", [
    "import sqlite3, sys",
    "db = sqlite3.connect(sys.argv[1], isolation_level=None)",
    "db.execute('BEGIN IMMEDIATE')",
    "print('locked', flush=True)",
    "sys.stdin.readline()",
    "db.execute('COMMIT')",
    "print('released', flush=True)",
  ].join("\n"), join(folder, "tavern.db")]);
  children.push(lock);
  await lock.WaitFor(/^locked$/, "the write lock taken");
  const busy = await browser.newPage();
  await busy.goto(`${proxied}/?name=busy&password=busy-password&room=${kRoom}`);
  const said = await (await busy.waitForFunction(() => {
    const text = document.getElementById("status").textContent;
    return /the server is busy \(service unavailable\); trying again/.test(text) && text;
  }, kPoll)).jsonValue();
  lock.Say("release");
  await lock.WaitFor(/^released$/, "the write lock released");
  await WaitForState(busy, "in-room");
  await busy.close();
  step(`a login the busy store cannot serve shows "${said}", and the page gets in once it can`);
}

// The bot's numbered lines (#n), as the page shows them, follow each other with no gap and
// no repeat across both drops.
async function NothingLostFromTheBot(page) {
  const numbers = await page.$$eval("#chat-log .line", (rows) => rows
    .map((row) => row.textContent.match(/^bot-0 hello from bot-0 #(\d+)$/))
    .filter(Boolean).map((m) => Number(m[1])));
  for (let i = 1; i < numbers.length; ++i)
    if (numbers[i] !== numbers[i - 1] + 1) throw new Error(`the bot's lines in the page: ${numbers.join(" ")}`);
  if (numbers.length < 3) throw new Error(`the page shows only ${numbers.length} bot lines`);
  step(`the bot's ${numbers.length} lines (#${numbers[0]}..#${numbers.at(-1)}) are all in the page, once each, in order`);
}

async function SelfId(page) {
  return page.$eval("#players li.self", (item) => item.dataset.id);
}

function RegexText(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// Waits until the page's status is `state`; fails at once on another end state.
async function WaitForState(page, state, timeout = kWait) {
  const handle = await page.waitForFunction((wanted) => {
    const status = document.getElementById("status");
    const now = status?.dataset.state;
    return (now === wanted || now === "refused" || now === "disconnected") && [now, status.textContent];
  }, { timeout, polling: kPollMs }, state);
  const [now, text] = await handle.jsonValue();
  if (now !== state) throw new Error(`the page is ${now} ("${text}"), not ${state}`);
  return text;
}

// Waits until the players list holds `name`; returns its line ("name (x, y)").
async function HasPlayer(page, name, what) {
  try {
    const handle = await page.waitForFunction((n) =>
      document.querySelector(`#players li[data-name="${n}"]`)?.textContent, kPoll, name);
    return await handle.jsonValue();
  } catch (error) {
    throw new Error(`${what}: no ${name} in the page's players: ${await page.$eval("#players", (e) => e.textContent)} ` +
                    `(${error.message})`);
  }
}

async function HasChat(page, line) {
  const source = line instanceof RegExp ? line.source : null;
  try {
    await page.waitForFunction((text, pattern) =>
      [...document.querySelectorAll("#chat-log .line")].some((row) =>
        pattern ? new RegExp(pattern).test(row.textContent) : row.textContent === text),
    kPoll, source ? "" : line, source);
  } catch (error) {
    throw new Error(`no chat line ${line} in the page: ${await page.$eval("#chat-log", (e) => e.innerText)} ` +
                    `(${error.message})`);
  }
}

let failed = false;
try {
  await Main();
  console.log("PASSED");
} catch (error) {
  failed = true;
  console.error(`FAILED: ${error.stack ?? error}`);
  if (pageLog.length) console.error("page log:\n  " + pageLog.join("\n  "));
  for (const child of children)
    console.error(`${child.name} printed:\n  ${child.lines.join("\n  ")}${child.stderr ? `\n  stderr: ${child.stderr}` : ""}`);
} finally {
  await browser?.close().catch(() => {});
  proxy?.Close();
  for (const child of children) child.Kill();
  rmSync(folder, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
