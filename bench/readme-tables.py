#!/usr/bin/env python3
"""Writes the README's benchmark tables from the results files the bench scripts wrote.

The README marks each generated table:

    <!-- bench:KIND FILE... -->
    ... (replaced by this script) ...
    <!-- /bench -->

KIND names a renderer below; FILE... are results files under bench/results/ (the committed
copies of what the scripts wrote under BUILD_DIR/bench-results/). Each table starts with a line
naming its files, their date and the machine's load, so no figure in the README is copied by
hand.

    bench/readme-tables.py                 rewrite the README's tables
    bench/readme-tables.py --take FILE...  first copy new results files into bench/results/
    bench/readme-tables.py --check         exit 1 if the README's tables differ from the files
"""
import argparse
import json
import os
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "bench", "results")
BLOCK = re.compile(r"(<!-- bench:(\S+)((?: \S+)*) -->\n)(.*?)(<!-- /bench -->)", re.S)


def load(name):
    with open(os.path.join(RESULTS, name)) as f:
        return json.load(f)


def thousands(value):
    return "{:,.0f}".format(value)


def ms(us):
    return "%.2f ms" % (us / 1000.0) if us < 10000 else "%.1f ms" % (us / 1000.0)


def source_line(names, dates, loads):
    files = ", ".join("`%s`" % os.path.relpath(os.path.normpath(os.path.join(RESULTS, n)), ROOT)
                      for n in names)
    return "_From %s (%s; load average %s)._\n\n" % (files, ", ".join(sorted(set(dates))),
                                                     ", ".join(loads))


def utc_date(stamp):
    digits = re.sub(r"[^0-9]", "", stamp)
    return "%s-%s-%s" % (digits[0:4], digits[4:6], digits[6:8])


def render_c100k(names):
    runs = [load(n) for n in names]
    out = source_line(names, [utc_date(r["utc"]) for r in runs], [r["load_before"].split()[0] for r in runs])
    out += ("| backend | connections | server resident memory per connection | server CPU (one core) "
            "| ping p50 | ping p99 | pongs lost |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
    names_of = {"uring": "io_uring", "epoll": "epoll", "auto": "auto"}
    for r in runs:
        load_ = r["load"]
        out += "| %s | %s | %s bytes | %.1f%% | %s | %s | %d |\n" % (
            names_of.get(r["backend"], r["backend"]), thousands(r["connections"]),
            thousands(r["server_rss_bytes_per_connection"]), r["server_cpu_percent_of_one_core"],
            ms(load_["ping_p50_us"]), ms(load_["ping_p99_us"]), load_["lost"])
    return out


def render_login_storm(names):
    run = load(names[0])
    out = source_line(names, [utc_date(run["utc"])], [run["load_before"].split()[0]])
    out += ("| store | cost | accounts | logins/s | login p50 / p99 | pingers' ping p99 |\n"
            "| --- | --- | --- | ---: | ---: | ---: |\n")
    stores = {"none": "none (name only)", "sqlite": "SQLite", "postgresql": "PostgreSQL"}
    for c in run["cases"]:
        accounts = c["accounts"]
        if c.get("rate_cap", 0):
            accounts += ", capped at %s/s" % thousands(c["rate_cap"])
        login = ("%.1f / %.1f s" % (c["login_p50_ms"] / 1000, c["login_p99_ms"] / 1000)
                 if c["login_p50_ms"] >= 1000 else "%.1f / %.1f ms" % (c["login_p50_ms"], c["login_p99_ms"]))
        out += "| %s | %s | %s | %s | %s | %s |\n" % (
            stores.get(c["store"], c["store"]), c["cost"], accounts, thousands(c["logins_per_s"]),
            login, ms(c["ping_p99_us"]))
    return out


def render_pingpong(names):
    runs = [load(n) for n in names]
    out = source_line(names, [utc_date(r["utc"]) for r in runs],
                      [r.get("load_average_after", "?").split()[0] for r in runs])
    out += ("Median ratio over the rounds (smallest-largest)%s; throughput higher is better, CPU lower:\n\n"
            % (", per run, " + " / ".join("run %d" % (i + 1) for i in range(len(runs))) if len(runs) > 1 else ""))
    out += ("| conns | size | io_uring / Asio throughput | epoll / Asio throughput "
            "| io_uring / Asio CPU per msg | epoll / Asio CPU per msg |\n"
            "| ---: | ---: | ---: | ---: | ---: | ---: |\n")
    for i, case in enumerate(runs[0]["cases"]):
        size = "64 B" if case["size"] == 64 else ("%d KiB" % (case["size"] // 1024) if case["size"] % 1024 == 0 else "%d B" % case["size"])

        def cell(side, key):
            def one(r):
                values = r["cases"][i][side][key.replace("median_", "")]
                return "%.2fx (%.2f-%.2f)" % (r["cases"][i][side][key], min(values), max(values))
            return " / ".join(one(r) for r in runs)
        out += "| %s | %s | %s | %s | %s | %s |\n" % (
            thousands(case["connections"]), size,
            cell("uring_over_asio", "median_throughput"), cell("epoll_over_asio", "median_throughput"),
            cell("uring_over_asio", "median_cpu_per_msg"), cell("epoll_over_asio", "median_cpu_per_msg"))
    return out


def render_compare_game(names):
    run = load(names[0])
    out = source_line(names, [run["date"][:10]], [run["loadavg"][0]])
    out += ("| case | `S_CHAT` delivered/s, before / after | server CPU s per million delivered, "
            "before / after | ping p99, before / after |\n| --- | ---: | ---: | ---: |\n")
    for case in ("one-room", "ten-rooms"):
        def stat(b, key):
            return run["median"][b]["game"][case][key]
        delivered = " / ".join(thousands(stat(b, "chat_recv_per_s")["median"]) for b in ("before", "after"))
        cpu = " / ".join("%.2f" % stat(b, "server_cpu_s_per_M")["median"] for b in ("before", "after"))
        ping = " / ".join("%.2f ms (%.2f-%.2f)" % (stat(b, "ping_p99_ms")["median"], stat(b, "ping_p99_ms")["min"],
                                                  stat(b, "ping_p99_ms")["max"]) for b in ("before", "after"))
        out += "| %s | %s | %s | %s |\n" % (case.replace("-", " "), delivered, cpu, ping)
    return out


JOB_CASES = {
    "OneProducer": "one producer (every push runs inline)",
    "TwoProducers": "two producers into one actor",
    "RoomFromTwoActors": "sessions on two threads sending to one room actor",
    "PingPong/1": "ping-pong between two actors, 1 message",
    "PingPong/64": "ping-pong between two actors, 64 messages",
}


def render_compare_jobs(names):
    run = load(names[0])
    out = source_line(names, [run["date"][:10]], [run["loadavg"][0]])
    out += ("Medians over %d rounds (smallest-largest); the ratio is to the mutex baseline of the "
            "same round:\n\n" % len(run["rounds"]))
    out += "| case | before: Tavern M jobs/s, ratio | after: Tavern M jobs/s, ratio |\n| --- | --- | --- |\n"
    for bench in run["median"]["after"]["jobs"]:
        def cell(b):
            t = run["median"][b]["jobs"][bench]["tavern_M"]
            r = run["median"][b]["jobs"][bench]["ratio"]
            return "%.1fM (%.1f-%.1fM), %.2fx (%.2fx-%.2fx)" % (
                t["median"], t["min"], t["max"], r["median"], r["min"], r["max"])
        out += "| %s | %s | %s |\n" % (JOB_CASES.get(bench, bench), cell("before"), cell("after"))
    return out


def render_compare_soak(names):
    run = load(names[0])
    out = source_line(names, [run["date"][:10]], [run["loadavg"][0]])
    out += ("Medians over %d rounds (smallest-largest), each round a %s soak per build and backend "
            "(`--seed 7`); CPU is the soak process's (server and bots) per wave:\n\n"
            % (len(run["rounds"]), "%d s" % run["soak_seconds"] if run.get("soak_seconds") else "timed"))
    out += ("| backend | passed, before / after | CPU ms per wave, before / after | server packets "
            "per wave, before / after | slowest close, before / after | heap at the end, before / "
            "after |\n| --- | --- | --- | --- | --- | --- |\n")
    for case in ("soak-epoll", "soak-uring"):
        def stat(b, key):
            return run["median"][b]["soak"][case][key]
        passed = " / ".join("%d of %d" % (sum(r[b]["soak"][case]["passed"] for r in run["rounds"]),
                                          len(run["rounds"])) for b in ("before", "after"))
        cpu = " / ".join("%.1f (%.1f-%.1f)" % tuple(1000 * stat(b, "cpu_s_per_wave")[k]
                                                     for k in ("median", "min", "max"))
                         for b in ("before", "after"))
        packets = " / ".join("%.0f" % stat(b, "packets_in_per_wave")["median"] for b in ("before", "after"))
        close = " / ".join("%.1f ms (%.1f-%.1f)" % tuple(stat(b, "slowest_close_ms")[k]
                                                         for k in ("median", "min", "max"))
                           for b in ("before", "after"))
        heap = " / ".join("%.2f MiB" % stat(b, "heap_end_mib")["median"] for b in ("before", "after"))
        out += "| %s | %s | %s | %s | %s | %s |\n" % (
            "epoll" if case == "soak-epoll" else "io_uring", passed, cpu, packets, close, heap)
    return out


def render_echo(names):
    """The echo script's text report (bench/echo/run-echo-bench.sh)."""
    with open(os.path.join(RESULTS, names[0])) as f:
        text = f.read()
    stamp = re.search(r"echo-(\d{4}-\d\d-\d\d)", names[0])
    load_ = re.search(r"load average before: (\S+)", text)
    out = source_line(names, [stamp.group(1) if stamp else "?"],
                      [load_.group(1) if load_ else "not recorded"])
    rates = {}
    for server, conns, size, msgs in re.findall(r"^(tavern|asio)\s+(\d+)\s+(\d+)\s+(\d+)", text, re.M):
        rates[(server, int(conns), int(size))] = int(msgs)
    out += ("| conns | size | Tavern msgs/s | Asio msgs/s | throughput ratio | server CPU per msg, "
            "Tavern / Asio |\n| ---: | ---: | ---: | ---: | ---: | ---: |\n")
    ratios = re.search(r"^conns\s+size\s+throughput\s+cpu per msg\n(.*?)\n\n", text, re.M | re.S)
    for line in ratios.group(1).splitlines():
        conns, size, throughput, cpu = line.split()
        size_text = "64 B" if size == "64" else "%d KiB" % (int(size) // 1024)
        out += "| %s | %s | %s | %s | %s | %s |\n" % (
            thousands(int(conns)), size_text, thousands(rates[("tavern", int(conns), int(size))]),
            thousands(rates[("asio", int(conns), int(size))]), throughput, cpu)
    return out


def render_store(names):
    """store_bench's text report (bench/store/StoreBench.cpp)."""
    path = os.path.join(RESULTS, names[0])
    with open(path) as f:
        text = f.read()
    date = re.search(r"^date: (\S+)", text, re.M)
    load_ = re.search(r"^load average before: (\S+)", text, re.M)
    out = source_line(names, [date.group(1) if date else "date not recorded"],
                      [load_.group(1) if load_ else "not recorded"])
    out += ("| backend | one transaction | a transaction per player | ratio | 10,000 players in one batch "
            "| returning logins, `min` cost, one thread |\n| --- | ---: | ---: | ---: | ---: | ---: |\n")
    for backend, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        save = re.search(r"^%s: save \d+ players: one transaction (\d+) states/s \S+, one per player "
                         r"(\d+) states/s \S+, ratio ([\d.]+)x \(([\d.]+)x-([\d.]+)x\)" % backend, text, re.M)
        batch = re.search(r"^%s: save \d+ players in one batch: ([\d.]+) ms" % backend, text, re.M)
        logins = re.search(r"^%s: returning logins .*?: (\d+)/s" % backend, text, re.M)
        if not (save and batch and logins):
            continue
        out += "| %s | %s states/s | %s states/s | %.0fx (%.0fx-%.0fx) | %s ms | %s/s |\n" % (
            label, thousands(int(save.group(1))), thousands(int(save.group(2))), float(save.group(3)),
            float(save.group(4)), float(save.group(5)), batch.group(1), thousands(int(logins.group(1))))
    return out


def render_colyseus(names):
    """The Colyseus side-by-side's report (bench/colyseus/run-colyseus-bench.sh, summarize.mjs)."""
    with open(os.path.join(RESULTS, names[0])) as f:
        text = f.read()
    date = re.search(r"^date: (\S+)", text, re.M)
    load_ = re.search(r"^load average before: (\S+)", text, re.M)
    out = source_line(names, [date.group(1) if date else "date not recorded"],
                      [load_.group(1) if load_ else "not recorded"])
    steady = dict((server, float(cpu)) for server, cpu in re.findall(
        r"^(tavern|colyseus)\s+[\d,]+\s+([\d.]+)\s", text.split("Case 2:")[0], re.M))
    top = re.search(r"^medians of every round \(.*?\): Tavern ([\d,]+) delivered/s measured, ([\d,]+) /s per "
                    r"full core by CPU cost; Colyseus ([\d,]+) measured, ([\d,]+) per full core; Tavern / "
                    r"Colyseus ([\d.]+)x measured, ([\d.]+)x per full core", text, re.M)
    out += ("| case | Tavern | Colyseus | Tavern / Colyseus |\n| --- | ---: | ---: | ---: |\n")
    out += "| 200 clients x 1 line/s: server CPU-s per million delivered (median) | %.3f | %.3f | 1/%.1f |\n" % (
        steady["tavern"], steady["colyseus"], steady["colyseus"] / steady["tavern"])
    out += "| saturation: most deliveries/s carried, measured (median of rounds) | %s | %s | %sx |\n" % (
        top.group(1), top.group(3), top.group(5))
    out += ("| saturation: deliveries/s per full server core, by CPU cost at the top step (median) "
            "| %s | %s | %sx |\n" % (top.group(2), top.group(4), top.group(6)))
    return out


RENDERERS = {
    "colyseus": render_colyseus,
    "store": render_store,
    "echo": render_echo,
    "c100k": render_c100k,
    "login-storm": render_login_storm,
    "pingpong": render_pingpong,
    "compare-builds-game": render_compare_game,
    "compare-builds-jobs": render_compare_jobs,
    "compare-builds-soak": render_compare_soak,
}


def rewrite(text):
    def replace(match):
        head, kind, files = match.group(1), match.group(2), match.group(3).split()
        if kind not in RENDERERS:
            sys.exit("README: unknown table kind %s" % kind)
        if not files:
            sys.exit("README: the %s table names no results file" % kind)
        missing = [f for f in files if not os.path.exists(os.path.join(RESULTS, f))]
        if missing:
            sys.exit("README: %s not in bench/results/ (copy it there with --take)" % ", ".join(missing))
        return head + "\n" + RENDERERS[kind](files) + "\n" + match.group(5)
    return BLOCK.sub(replace, text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    parser.add_argument("--take", nargs="*", default=[], help="results files to copy into bench/results/ first")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    args = parser.parse_args()
    for path in args.take:
        shutil.copy(path, RESULTS)
        print("took %s" % os.path.basename(path))
    with open(args.readme) as f:
        text = f.read()
    new = rewrite(text)
    if args.check:
        if new != text:
            print("README.md: the benchmark tables differ from bench/results/; run bench/readme-tables.py")
            return 1
        print("README.md: %d benchmark tables match their results files" % len(BLOCK.findall(text)))
        return 0
    if new != text:
        with open(args.readme, "w") as f:
            f.write(new)
        print("README.md: tables rewritten")
    else:
        print("README.md: tables already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
