// Reads the bench's JSON lines (one per measured step, each with "round" and "case" added by
// run-colyseus-bench.sh) on stdin and prints the side-by-side: medians over the rounds. With
// --json it prints the same figures as one JSON object instead (for the results file). Also
// reads a results file the script wrote (its "steps").
import { readFileSync } from "node:fs";

const asJson = process.argv.includes("--json");
const lines = [];
const summary = { steady: {}, ramp: { rounds: [], medians: {} } };
const console = { log: (line) => lines.push(line) };

// Either the JSON lines of the steps or a results file (one object with "steps").
const input = readFileSync(0, "utf8");
const steps = input.trimStart().startsWith("{\n")
  ? JSON.parse(input).steps
  : input.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
const median = (values) => {
  const v = values.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  return v.length ? v[Math.floor((v.length - 1) / 2)] : null;
};
const fmt = (v, digits = 0) => (v === null ? "n/a" : Number(v).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const servers = ["tavern", "colyseus"];
const kFull = 0.85;       // a core this busy over a step counts as full
const kContended = 0.5;   // cores of other work beside a step that void "a core each"
const rounds = [...new Set(steps.map((s) => s.round))];

console.log("Case 1: 200 clients in one room, 1 line/s each (40,000 deliveries/s offered); medians of " + rounds.length + " rounds");
console.log("server     delivered/s   server cpu-s/M delivered   server core busy   own-line rtt p50 / p99   load core busy   other work (cores)");
const steady = {};
for (const server of servers) {
  const rows = steps.filter((s) => s.case === "steady" && s.server === server);
  if (!rows.length) continue;
  steady[server] = median(rows.map((r) => r.cpu_s_per_million));
  summary.steady[server] = {
    rounds: rows.length, delivered_per_s: median(rows.map((r) => r.delivered_per_s)),
    cpu_s_per_million: steady[server], server_core_busy: median(rows.map((r) => r.server_core_busy)),
    rtt_p50_ms: median(rows.map((r) => r.rtt_p50_ms)), rtt_p99_ms: median(rows.map((r) => r.rtt_p99_ms)),
    driver_core_busy: median(rows.map((r) => r.driver_core_busy)), other_cores_busy: median(rows.map((r) => r.other_cores_busy)),
  };
  console.log(`${server.padEnd(10)} ${fmt(median(rows.map((r) => r.delivered_per_s))).padStart(11)}   ${fmt(steady[server], 3).padStart(24)}   ${fmt(median(rows.map((r) => r.server_core_busy)), 3).padStart(16)}   ${(fmt(median(rows.map((r) => r.rtt_p50_ms)), 1) + " / " + fmt(median(rows.map((r) => r.rtt_p99_ms)), 1) + " ms").padStart(22)}   ${fmt(median(rows.map((r) => r.driver_core_busy)), 3).padStart(14)}   ${fmt(median(rows.map((r) => r.other_cores_busy)), 2).padStart(18)}`);
}
if (steady.tavern && steady.colyseus)
  console.log(`Tavern's server CPU per delivered line: 1/${fmt(steady.colyseus / steady.tavern, 1)} of Colyseus' (target: 1/20 or less)`);

console.log("");
console.log("Case 2: saturation, 200 clients, the rate per client raised step by step until the own-line");
console.log("round trip p50 reaches 50 ms or under 97% of the lines arrive; per round the last step that passed");
const best = {};
for (const server of servers) {
  for (const round of rounds) {
    const rows = steps.filter((s) => s.case === "ramp" && s.server === server && s.round === round);
    if (!rows.length) continue;
    const passed = rows.filter((r) => r.ok);
    const top = passed.at(-1);
    const failed = rows.find((r) => !r.ok);
    // Which side ran out first: the step that failed (or the last one) says whose core was full.
    const limit = failed ?? rows.at(-1);
    const bound = limit.driver_core_busy >= kFull && limit.server_core_busy >= kFull ? "both cores full"
      : limit.driver_core_busy >= kFull ? "load driver's core full"
      : limit.server_core_busy >= kFull ? "server core full"
      : `neither core full (other work took ${fmt(limit.other_cores_busy ?? null, 2)} of the machine's cores)`;
    const perCore = top ? 1e6 / top.cpu_s_per_million : null;
    // A round where other work took more than half a core beside the top or the failing step
    // did not give each side a core of its own.
    const contended = Math.max(top?.other_cores_busy ?? 0, limit.other_cores_busy ?? 0) > kContended;
    (best[server] ??= []).push({ delivered: top?.delivered_per_s ?? 0, perCore, contended });
    summary.ramp.rounds.push({
      server, round, contended, top_rate_per_client: top?.rate_per_client ?? null,
      delivered_per_s: top?.delivered_per_s ?? 0, server_core_busy: top?.server_core_busy ?? null,
      cpu_s_per_million: top?.cpu_s_per_million ?? null, per_full_core: perCore,
      other_cores_busy: top?.other_cores_busy ?? null, failed_at: failed?.rate_per_client ?? null, limit: bound,
    });
    console.log(`${server.padEnd(10)} round ${round}${contended ? " (contended)" : ""}: ${fmt(top?.delivered_per_s ?? 0).padStart(9)} delivered/s at ${top?.rate_per_client ?? "-"} lines/s/client, server core ${fmt(top?.server_core_busy ?? null, 2)} busy, ` +
      `rtt p50 ${fmt(top?.rtt_p50_ms ?? null, 1)} ms, ${fmt(top?.cpu_s_per_million ?? null, 3)} cpu-s/M (${fmt(perCore)} /s per full core at that cost), ` +
      `other work ${fmt(top?.other_cores_busy ?? null, 2)} cores; ` +
      `${failed ? `failed at ${failed.rate_per_client}/s (${fmt(failed.delivered_per_s)} delivered/s, p50 ${fmt(failed.rtt_p50_ms, 1)} ms)` : "every step passed"}: ${bound}`);
  }
}
for (const [label, keep] of [["every round", () => true], ["uncontended rounds", (b) => !b.contended]]) {
  const m = (server, key) => median((best[server] ?? []).filter(keep).map((b) => b[key]));
  if (m("tavern", "delivered") === null || m("colyseus", "delivered") === null) {
    console.log(`medians of ${label}: none on one side`);
    continue;
  }
  const counts = servers.map((server) => `${server} ${best[server].filter(keep).length}`).join(", ");
  summary.ramp.medians[label] = {
    tavern_rounds: best.tavern.filter(keep).length, colyseus_rounds: best.colyseus.filter(keep).length,
    tavern_delivered_per_s: m("tavern", "delivered"), tavern_per_full_core: m("tavern", "perCore"),
    colyseus_delivered_per_s: m("colyseus", "delivered"), colyseus_per_full_core: m("colyseus", "perCore"),
  };
  console.log(`medians of ${label} (${counts}): Tavern ${fmt(m("tavern", "delivered"))} delivered/s measured, ` +
    `${fmt(m("tavern", "perCore"))} /s per full core by CPU cost; Colyseus ${fmt(m("colyseus", "delivered"))} measured, ` +
    `${fmt(m("colyseus", "perCore"))} per full core; Tavern / Colyseus ${fmt(m("tavern", "delivered") / m("colyseus", "delivered"), 1)}x measured, ` +
    `${fmt(m("tavern", "perCore") / m("colyseus", "perCore"), 1)}x per full core by CPU cost (target: 20x or more)`);
}
process.stdout.write(asJson ? JSON.stringify(summary, null, 2) + "\n" : lines.join("\n") + "\n");
