// The page's resume bookkeeping against the server's counting (README, "Seamless reconnect"):
// server packets count from after the fresh S_LOGIN, the page's own from after its C_LOGIN,
// and a resume sends again exactly those the server says it had not handled.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ResumeLink } from "../src/game/ResumeLink";

const packet = (n: number) => new Uint8Array([4 + 1, 0, 0, 0, n]);

// A link logged in with token "T1", on a clock the test moves.
function LoggedIn(options = {}) {
  const clock = { now: 0 };
  const link = new ResumeLink(options, () => clock.now, () => 0.5);
  assert.equal(link.OnPacket("S_PONG", {}).kind, "pass");  // before the login: not counted
  link.FreshLogin();
  link.OnPacket("S_LOGIN", { success: true, resume_token: "T1", player_id: "7" });
  return { link, clock };
}

test("ResumeLink counts the server's packets after the fresh S_LOGIN, not before or itself", () => {
  const { link } = LoggedIn();
  assert.ok(link.CanResume());
  assert.equal(link.Received(), 0);
  for (const name of ["S_ENTER_GAME", "S_SPAWN", "S_CHAT"]) link.OnPacket(name, {});
  assert.deepEqual(link.StartResume(), { resume_token: "T1", received: 3 });
});

test("ResumeLink does not count a resume's S_LOGIN and keeps counting after it", () => {
  const { link } = LoggedIn();
  link.OnPacket("S_CHAT", {});
  link.Dropped();
  link.StartResume();
  const outcome = link.OnPacket("S_LOGIN", { success: true, resumed: true, received: 0, resume_token: "T2", player_id: "7" });
  assert.equal(outcome.kind, "resumed");
  link.OnPacket("S_CHAT", {});
  assert.deepEqual(link.StartResume(), { resume_token: "T2", received: 2 });
});

test("ResumeLink sends again what the server had not handled, what was sent while away included", () => {
  const { link } = LoggedIn();
  for (const n of [1, 2, 3]) assert.equal(link.Sent(packet(n), true), true);
  link.Dropped();
  assert.equal(link.Sent(packet(4), false), false);  // away: kept for the resume
  link.StartResume();
  assert.equal(link.Sent(packet(5), true), false);   // the resume's answer not in yet
  const outcome = link.OnPacket("S_LOGIN", { success: true, resumed: true, received: 2, resume_token: "T2", player_id: "7" });
  assert.equal(outcome.kind, "resumed");
  if (outcome.kind !== "resumed") return;
  assert.deepEqual(outcome.resend.map((bytes) => bytes[4]), [3, 4, 5]);
  assert.equal(outcome.lost, 0);
  assert.equal(outcome.playerId, "7");
  assert.equal(link.Sent(packet(6), true), true);
});

test("ResumeLink reports packets the server needed but that were no longer kept", () => {
  const { link } = LoggedIn({ maxKeptPackets: 2 });
  for (const n of [1, 2, 3, 4]) link.Sent(packet(n), true);
  link.Dropped();
  link.StartResume();
  const outcome = link.OnPacket("S_LOGIN", { success: true, resumed: true, received: 1, resume_token: "T2", player_id: "7" });
  assert.equal(outcome.kind, "resumed");
  if (outcome.kind !== "resumed") return;
  assert.deepEqual(outcome.resend.map((bytes) => bytes[4]), [3, 4]);
  assert.equal(outcome.lost, 1);  // packet 2
});

test("ResumeLink forgets everything when the resume is refused", () => {
  const { link } = LoggedIn();
  link.Sent(packet(1), true);
  link.Dropped();
  link.StartResume();
  const outcome = link.OnPacket("S_LOGIN", { success: false, reason: "resume expired" });
  assert.deepEqual(outcome, { kind: "refused", reason: "resume expired" });
  assert.equal(link.CanResume(), false);
  assert.equal(link.KeptPackets(), 0);
});

test("ResumeLink keeps nothing and cannot resume after a refused fresh login", () => {
  const link = new ResumeLink();
  link.FreshLogin();
  link.Sent(packet(1), true);
  link.OnPacket("S_LOGIN", { success: false, reason: "wrong name or password" });
  assert.equal(link.CanResume(), false);
  assert.equal(link.KeptPackets(), 0);
});

test("ResumeLink backs off exponentially to the cap and gives up after the drop's deadline", () => {
  // random() = 0.5: no jitter, each delay exactly the nominal one.
  const { link, clock } = LoggedIn({ firstDelayMs: 50, maxDelayMs: 400, giveUpAfterMs: 1000 });
  link.Dropped();
  const delays: number[] = [];
  for (let i = 0; i < 6; ++i) {
    delays.push(link.NextDelay()!);
    link.Dropped();  // the attempt failed: the deadline still counts from the first drop
  }
  assert.deepEqual(delays, [50, 100, 200, 400, 400, 400]);
  clock.now = 1001;
  assert.equal(link.NextDelay(), null);
});

test("ResumeLink jitters each delay between half and one and a half of the nominal one", () => {
  for (const [random, expected] of [[0, 25], [0.999, 74.95]] as const) {
    const link = new ResumeLink({ firstDelayMs: 50 }, () => 0, () => random);
    link.FreshLogin();
    link.OnPacket("S_LOGIN", { success: true, resume_token: "T" });
    link.Dropped();
    assert.equal(link.NextDelay(), expected);
  }
});

test("ResumeLink drops kept packets older than keepFor", () => {
  const { link, clock } = LoggedIn({ keepForMs: 1000 });
  link.Sent(packet(1), true);
  clock.now = 1500;
  link.Sent(packet(2), true);
  assert.equal(link.KeptPackets(), 1);
});
