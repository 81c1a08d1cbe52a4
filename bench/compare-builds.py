#!/usr/bin/env python3
"""Before/after: two builds of Tavern (say, main and a change) on the same benchmarks, in
alternating rounds, so that both see the same machine. Each round runs every benchmark once per
build, which build goes first alternating from round to round.

  bench/compare-builds.py BEFORE_BUILD AFTER_BUILD [--rounds N] [--game-seconds S] [--skip-game]
                          [--skip-jobs] [--soak-seconds S]

jobs: bench_jobs --rounds=1 of each build; per case, Tavern's rate and its ratio to the mutex
      baseline of the same run (the ratio is what the README quotes).
game: bench/game/run-game-bench.sh of each build (one room and ten rooms): S_CHAT delivered per
      second, server CPU seconds per million delivered, bots' ping p99.
soak: (with --soak-seconds S) tests/soak/soak_test --duration S --seed 7 of each build, on epoll
      and on io_uring: the process's CPU seconds per wave (server and bots share the process),
      packets the server read, the slowest close, heap and RSS at the end, PASS or FAIL.
Prints medians over the rounds with the range and writes them, with every round, as JSON to
AFTER_BUILD/bench-results/compare-builds-<UTC time>.json. Loopback only.
"""
import argparse, json, os, re, resource, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd, timeout):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout).stdout


def jobs_round(build):
    out = run([os.path.join(build, "bench/jobs/bench_jobs"), "--rounds=1"], 600)
    cases = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+)\s+([\d.]+)M\s+([\d.]+)M\s+([\d.]+)x", line)
        if m:
            cases[m.group(1)] = {"tavern_M": float(m.group(2)), "baseline_M": float(m.group(3)),
                                 "ratio": float(m.group(4))}
    return cases


def game_round(build, seconds):
    out = run([os.path.join(HERE, "game/run-game-bench.sh"), build, str(seconds)], 600)
    cases = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] in ("one-room", "ten-rooms") and len(parts) >= 11:
            try:
                cases[parts[0]] = {"chat_recv_per_s": float(parts[4]),
                                   "server_cpu_s_per_M": float(parts[6]),
                                   "ping_p99_ms": float(parts[9].rstrip("ms"))}
            except ValueError:
                pass
    return cases


def soak_round(build, backend, seconds):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = run([os.path.join(build, "tests/soak/soak_test"), "--backend", backend, "--duration",
               str(seconds), "--seed", "7", "--log-level", "warn"], seconds * 4 + 120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = [line for line in out.splitlines() if line.startswith("soak: PASS") or
            line.startswith("soak: FAIL")]
    if not last:
        return {}
    fields = dict(re.findall(r"(\w+)=([\d.]+)(?:MiB)?\b", last[-1]))
    waves = float(fields.get("waves", 0)) or 1.0
    return {f"soak-{backend}": {
        "passed": 1.0 if last[-1].startswith("soak: PASS") else 0.0,
        "cpu_s_per_wave": cpu / waves,
        "waves": waves,
        "packets_in_per_wave": float(fields.get("packets_in", 0)) / waves,
        "slowest_close_ms": float(fields.get("slowest_close_ms", 0)),
        "heap_end_mib": float(fields.get("heap_end", 0)),
        "rss_end_mib": float(fields.get("rss_end", 0))}}


def summary(rounds, build, bench):
    table = {}
    for r in rounds:
        for case, fields in r[build][bench].items():
            for key, value in fields.items():
                table.setdefault(case, {}).setdefault(key, []).append(value)
    return {case: {k: {"median": statistics.median(v), "min": min(v), "max": max(v)}
                   for k, v in fields.items()} for case, fields in table.items()}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("before")
    p.add_argument("after")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--game-seconds", type=int, default=5)
    p.add_argument("--skip-game", action="store_true")
    p.add_argument("--skip-jobs", action="store_true")
    p.add_argument("--soak-seconds", type=int, default=0)
    a = p.parse_args()
    builds = {"before": a.before, "after": a.after}
    loadavg_before = open("/proc/loadavg").read().split()[:3]
    rounds = []
    for i in range(a.rounds):
        order = ["before", "after"] if i % 2 == 0 else ["after", "before"]
        r = {b: {} for b in builds}
        if not a.skip_jobs:
            for b in order:
                r[b]["jobs"] = jobs_round(builds[b])
        if not a.skip_game:
            for b in order:
                r[b]["game"] = game_round(builds[b], a.game_seconds)
        if a.soak_seconds > 0:
            for b in order:
                r[b]["soak"] = {}
                for backend in ("epoll", "uring"):
                    r[b]["soak"].update(soak_round(builds[b], backend, a.soak_seconds))
        rounds.append(r)
        print(f"round {i + 1}/{a.rounds} done", file=sys.stderr)
    result = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "loadavg": open("/proc/loadavg").read().split()[:3],
              "cores": os.cpu_count(), "rounds": rounds, "median": {},
              "game_seconds": a.game_seconds, "soak_seconds": a.soak_seconds,
              # As given, relative to where it ran: no machine's absolute paths in a kept file.
              "builds": {b: os.path.relpath(p) for b, p in builds.items()},
              "command": " ".join([os.path.relpath(sys.argv[0])] + [os.path.relpath(x) if os.path.isdir(x) else x
                                                                  for x in sys.argv[1:]])}
    result["loadavg_before"] = loadavg_before
    benches = (([] if a.skip_jobs else ["jobs"]) + ([] if a.skip_game else ["game"]) +
               (["soak"] if a.soak_seconds > 0 else []))
    for b in builds:
        result["median"][b] = {bench: summary(rounds, b, bench) for bench in benches}
    for bench in benches:
        print(f"\n{bench}: median over {a.rounds} rounds [min-max]")
        before, after = result["median"]["before"][bench], result["median"]["after"][bench]
        for case in after:
            for key in after[case]:
                x, y = before.get(case, {}).get(key), after[case][key]
                if x is None:
                    continue
                print(f"  {case:18} {key:20} before {x['median']:10.2f} [{x['min']:.2f}-{x['max']:.2f}]"
                      f"  after {y['median']:10.2f} [{y['min']:.2f}-{y['max']:.2f}]")
    out_dir = os.path.join(a.after, "bench-results")
    os.makedirs(out_dir, exist_ok=True)
    name = "compare-builds-" + time.strftime("%Y-%m-%dT%H-%M-%SZ", time.gmtime()) + ".json"
    with open(os.path.join(out_dir, name), "w") as f:
        json.dump(result, f, indent=1)
    print(f"\nwritten: {os.path.join(out_dir, name)}")


if __name__ == "__main__":
    main()
