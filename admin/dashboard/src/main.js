// The admin endpoint's dashboard: every second it reads /metrics and plots the last five
// minutes: sessions and players, packets per second in and out, protocol errors per second, and
// handler time p50 / p99 (from the histogram's buckets, so each is a bucket's upper bound).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { parseMetrics, quantileBetween, sum } from "./metrics.js";

const kPoints = 300;  // five minutes at one scrape a second
const charts = [
  { title: "sessions", series: ["sessions", "players", "room members"] },
  { title: "packets per second", series: ["in", "out"] },
  { title: "protocol errors per second", series: ["errors"] },
  { title: "handler time (ms)", series: ["p50", "p99"] },
];
const colors = ["#2a7ab0", "#d9822b", "#3a9c4d", "#b03a5b"];
const data = charts.map((chart) => [[], ...chart.series.map(() => [])]);
const plots = charts.map((chart, i) => {
  const element = document.createElement("div");
  document.getElementById("charts").appendChild(element);
  return new uPlot({
    title: chart.title, width: 560, height: 220,
    series: [{}, ...chart.series.map((label, s) => ({ label, stroke: colors[s], width: 2 }))],
  }, data[i], element);
});

let last = null;
let lastTime = 0;

function push(index, time, values) {
  const columns = data[index];
  columns[0].push(time);
  values.forEach((value, s) => columns[s + 1].push(value));
  if (columns[0].length > kPoints) columns.forEach((column) => column.shift());
  plots[index].setData(columns);
}

async function scrape() {
  const status = document.getElementById("status");
  try {
    const response = await fetch("/metrics", { cache: "no-store" });
    const now = Date.now() / 1000;
    const samples = parseMetrics(await response.text());
    const sessions = sum(samples, "tavern_sessions");
    push(0, now, [sessions, sum(samples, "tavern_players"), sum(samples, "tavern_room_members")]);
    if (last) {
      const seconds = Math.max(now - lastTime, 0.001);
      const rate = (name) => (sum(samples, name) - sum(last, name)) / seconds;
      push(1, now, [rate("tavern_packets_received_total"), rate("tavern_packets_sent_total")]);
      push(2, now, [rate("tavern_protocol_errors_total")]);
      const ms = (q) => {
        const seconds = quantileBetween(last, samples, "tavern_handler_duration_seconds", q);
        return seconds === null ? null : seconds * 1000;
      };
      push(3, now, [ms(0.5), ms(0.99)]);
    }
    last = samples;
    lastTime = now;
    document.getElementById("sessions").textContent = String(sessions);
    document.title = `Tavern: ${sessions} sessions`;
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    status.textContent = `cannot read /metrics: ${error}`;
  }
}

scrape();
setInterval(scrape, 1000);
