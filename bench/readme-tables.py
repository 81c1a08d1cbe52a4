#!/usr/bin/env python3
"""Writes the README's benchmark tables from the results files the bench scripts wrote.

The README marks each generated table:

    <!-- bench:KIND FILE... -->
    ... (replaced by this script) ...
    <!-- /bench -->

KIND names a renderer below; FILE... are results files under bench/results/ (the committed
copies of the JSON the scripts wrote under BUILD_DIR/bench-results/; most open with the fields
of bench-lib.sh's results_head: bench, utc, command, cores, load_before, load_after). Each table
starts with a line naming its files, their date and the machine's load, so no figure in the
README is copied by hand. The one text file read is a WebSocket run from before that script
wrote JSON (load_ws_text).

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


def render_soak(names):
    """bench/soak/run-soak.sh: one row per soak run."""
    runs = [load(n) for n in names]
    out = source_line(names, [utc_date(r["utc"]) for r in runs], [r["load_before"].split()[0] for r in runs])
    out += ("| backend, server idle timeout | waves | connections opened = closed | clean / abrupt / "
            "reset / mid-login / reconnect | server packets in | protocol errors | heap start / after "
            "warm-up / end | RSS start / after warm-up / end | fds start / end | slowest close | "
            "result |\n| --- | ---: | ---: | --- | ---: | ---: | --- | --- | --- | ---: | --- |\n")
    def mib(value):
        return "n/a" if isinstance(value, str) else "%.2f" % value
    for r in runs:
        for run in r["runs"]:
            backend = "io_uring" if run["backend"] == "io_uring" else run["backend"]
            idle = "%.0f s" % run["idle_timeout_s"] if run.get("idle_timeout_s") else "60 s (default)"
            opened, closed = run["opened"], run["closed"]
            conns = thousands(opened) if opened == closed else "%s opened, %s closed" % (
                thousands(opened), thousands(closed))
            kinds = " / ".join(thousands(run[k]) for k in ("clean", "abrupt", "reset", "mid_login", "reconnect"))
            out += "| %s, %s | %d | %s | %s | %s | %d | %s / %s / %s MiB | %s / %s / %s MiB | %d / %d | %.1f ms | %s |\n" % (
                backend, idle, run["waves"], conns, kinds, thousands(run["packets_in"]),
                run["protocol_errors"], mib(run["heap_start"]), mib(run["heap_warm"]), mib(run["heap_end"]),
                mib(run["rss_start"]), mib(run["rss_warm"]), mib(run["rss_end"]), run["fds_start"],
                run["fds_end"], run["slowest_close_ms"], run["result"])
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


def run_source(names, runs):
    """The opening line of a table from files that results_head (bench/bench-lib.sh) began."""
    files = ", ".join("`%s`" % os.path.relpath(os.path.normpath(os.path.join(RESULTS, n)), ROOT)
                      for n in names)
    loads = "; ".join("%s at the start, %s at the end" % (r["load_before"].split()[0], r["load_after"].split()[0])
                      for r in runs)
    return "_From %s (%s; load average %s)._\n\n" % (
        files, ", ".join(sorted(set(utc_date(r["utc"]) for r in runs))), loads)


def size_text(size):
    return "%d KiB" % (size // 1024) if size >= 1024 and size % 1024 == 0 else "%d B" % size


def spread(values, digits=2, suffix="x"):
    return "%.*f%s (%.*f-%.*f)" % (digits, median(values), suffix, digits, min(values), digits, max(values))


def median(values):
    """The middle value; the lower middle of an even count, as bench-lib.sh's median."""
    v = sorted(values)
    return v[(len(v) - 1) // 2]


def render_echo(names):
    """bench/echo/run-echo-bench.sh: Tavern and Asio echo servers, paired rounds."""
    run = load(names[0])
    out = run_source(names, [run])
    out += ("Medians over %d rounds of %s s per case; the ratios are Tavern / Asio within each round, "
            "median (smallest-largest):\n\n" % (run["rounds"], run["seconds_per_case"]))
    out += ("| conns | size | pipeline | Tavern msgs/s | Asio msgs/s | throughput ratio | server CPU per msg, "
            "Tavern / Asio |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
    for c in run["cases"]:
        ratio = c["tavern_over_asio"]
        out += "| %s | %s | %d | %s | %s | %s | %s |\n" % (
            thousands(c["connections"]), size_text(c["size"]), c["pipeline"],
            thousands(median(c["tavern"]["msgs_per_s"])), thousands(median(c["asio"]["msgs_per_s"])),
            spread(ratio["throughput"]), spread(ratio["cpu_per_msg"]))
    idle = run["idle"]
    out += ("\n| %s idle connections | server resident set before / with them | per connection |\n"
            "| --- | ---: | ---: |\n" % thousands(idle["connections"]))
    for key, label in (("tavern", "Tavern"), ("asio", "Asio")):
        i = idle[key]
        out += "| %s | %.1f / %.1f MiB | %s bytes |\n" % (
            label, i["rss_kib_before"] / 1024.0, i["rss_kib_with_connections"] / 1024.0,
            thousands(i["bytes_per_connection"]))
    return out


def render_store(names):
    """bench/store/run-store-bench.sh (store_bench): a batch per save against a transaction each."""
    runs = [load(n) for n in names]
    out = run_source(names, runs)
    first = runs[0]["store_bench"]
    out += ("Median over %d rounds (smallest-largest), %s players per save, %s in the big batch%s:\n\n"
            % (first["rounds"], thousands(first["players"]), thousands(first["batch_players"]),
               "; one row per run, in the order of the files" if len(runs) > 1 else ""))
    out += ("| backend%s | one transaction | a transaction per player | ratio | %s players in one batch "
            "| returning logins, `min` cost, one thread |\n| ---%s | ---: | ---: | ---: | ---: | ---: |\n"
            % (" | run" if len(runs) > 1 else "", thousands(first["batch_players"]), " | ---:" if len(runs) > 1 else ""))
    for backend, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL")):
        for i, run in enumerate(runs):
            name = label + (" | %d" % (i + 1) if len(runs) > 1 else "")
            b = run["store_bench"]["backends"].get(backend)
            if not b:
                out += "| %s | not run | | | | |\n" % name
                continue
            r = b["ratio"]
            out += "| %s | %s states/s | %s states/s | %.0fx (%.0fx-%.0fx) | %.1f ms | %s/s |\n" % (
                name, thousands(b["one_transaction_states_per_s"]["median"]),
                thousands(b["one_per_player_states_per_s"]["median"]), r["median"], r["min"], r["max"],
                b["batch_ms"]["median"], thousands(b["returning_logins_per_s"]["median"]))
    return out


def load_ws_text(name):
    """A run of run-ws-bench.sh from before it wrote JSON (its text report), as the JSON reads."""
    with open(os.path.join(RESULTS, name)) as f:
        text = f.read()
    head = re.search(r"(\d+) bots in 1 room, .*?, (\d+) s per run, (\d+) rounds", text)
    date = re.search(r"^date (\S+), \d+ cores, load average at start: (\S+ \S+ \S+)", text, re.M)
    end = re.search(r"^load average at the end: (\S+ \S+ \S+)", text, re.M)
    medians = dict((t.lower(), {"chat_recv_per_s": float(r), "server_cpu_s_per_million": float(c)})
                   for t, r, c in re.findall(r"^median (TCP|WS):\s+(\d+) S_CHAT/s, ([\d.]+) cpu s/M", text, re.M))
    ratios = re.search(r"^WS/TCP cpu per delivered, per round: ([\d. ]+); median ([\d.]+)", text, re.M)
    return {"utc": date.group(1), "load_before": date.group(2),
            "load_after": end.group(1) if end else "?", "bots": int(head.group(1)),
            "seconds_per_run": int(head.group(2)), "rounds": int(head.group(3)), "median": medians,
            "ws_over_tcp_cpu_per_delivered": [float(x) for x in ratios.group(1).split()],
            "median_ws_over_tcp_cpu_per_delivered": float(ratios.group(2)),
            "failed": bool(re.search(r"^\d+\s+\S+\s+\S+\s+\S+\s+failed", text, re.M))}


def render_ws(names):
    """bench/game/run-ws-bench.sh: the game's one-room case over TCP and over WebSocket."""
    run = load_ws_text(names[0]) if names[0].endswith(".txt") else load(names[0])
    out = run_source(names, [run])
    out += ("%s bots in one room, %d s per run, %d paired rounds; medians:\n\n"
            % (thousands(run["bots"]), run["seconds_per_run"], run["rounds"]))
    out += ("| transport | `S_CHAT` delivered/s | server CPU s per million delivered |\n"
            "| --- | ---: | ---: |\n")
    for key, label in (("tcp", "TCP"), ("ws", "WebSocket")):
        m = run["median"][key]
        out += "| %s | %s | %.3f |\n" % (label, thousands(m["chat_recv_per_s"]), m["server_cpu_s_per_million"])
    ratios = run["ws_over_tcp_cpu_per_delivered"]
    out += ("\nWebSocket / TCP server CPU per delivered message, per round: %s; median **%.2f**%s.\n"
            % (", ".join("%.2f" % r if r is not None else "failed" for r in ratios),
               run["median_ws_over_tcp_cpu_per_delivered"],
               "" if not run["failed"] else " (a run failed: see the file)"))
    return out


def render_resume_memory(names):
    """bench/game/run-resume-memory.sh: peak server memory without and with the resume window."""
    run = load(names[0])
    out = run_source(names, [run])
    out += ("%d bots in %d rooms, %d s, %d paired rounds:\n\n" % (run["bots"], run["rooms"], run["seconds"], run["rounds"]))
    out += "| round | peak RSS, `--resume-window 0` | peak RSS, 30 s | difference per bot | `S_CHAT` received in all, 0 / 30 s |\n"
    out += "| ---: | ---: | ---: | ---: | ---: |\n"
    by_round = {}
    for r in run["runs"]:
        by_round.setdefault(r["round"], {})[r["resume_window_s"]] = r
    for i, (round_, pair) in enumerate(sorted(by_round.items())):
        off, on = pair[0], pair[30]
        delivered = " / ".join(thousands((x["summary"] or {}).get("chat_recv", 0)) for x in (off, on))
        out += "| %d | %.1f MiB | %.1f MiB | %s bytes | %s |\n" % (
            round_, off["peak_rss_kib"] / 1024.0, on["peak_rss_kib"] / 1024.0,
            thousands(run["bytes_per_bot"][i]), delivered)
    out += "\nMedian difference per bot: **%s bytes**.\n" % thousands(run["median_bytes_per_bot"])
    return out


def render_packet(names):
    """bench/packet/run-packet-bench.sh: the packet pipeline against the raw echo, same run."""
    runs = [load(n) for n in names]
    run = runs[0]
    out = run_source(names, runs)
    out += ("%s connections, %d-byte packets, %d s per case, %d rounds (which goes first alternates); "
            "medians, ratios within each round, median (smallest-largest)%s:\n\n"
            % (thousands(run["connections"]), run["packet_size"], run["seconds_per_case"], run["rounds"],
               "; one row per run, in the order of the files" if len(runs) > 1 else ""))
    out += ("| pipeline%s | raw echo msgs/s | packets/s | packet / raw throughput | packet / raw server CPU per msg |\n"
            "| ---:%s | ---: | ---: | ---: | ---: |\n" % ((" | run", " | ---:") if len(runs) > 1 else ("", "")))
    for i, c in enumerate(run["cases"]):
        for j, r in enumerate(runs):
            c = r["cases"][i]
            out += "| %d%s | %s | %s | %s | %s |\n" % (
                c["pipeline"], " | %d" % (j + 1) if len(runs) > 1 else "",
                thousands(median(c["raw"]["msgs_per_s"])), thousands(median(c["packet"]["msgs_per_s"])),
                spread(c["packet_over_raw"]["throughput"]), spread(c["packet_over_raw"]["cpu_per_msg"]))
    return out


def render_colyseus(names):
    """bench/colyseus/run-colyseus-bench.sh: Tavern over WebSocket and Colyseus, paired rounds."""
    run = load(names[0])
    summary = run["summary"]
    out = run_source(names, [run])
    steady = summary["steady"]
    top = summary["ramp"]["medians"]["every round"]
    out += ("%d clients, %d paired rounds; Tavern %s, `@colyseus/core` %s, `@colyseus/sdk` %s, Node.js %s:\n\n"
            % (run["clients"], run["rounds"], run["tavern_commit"], run["colyseus_core"], run["colyseus_sdk"], run["node"]))
    out += "| case | Tavern | Colyseus | Tavern / Colyseus |\n| --- | ---: | ---: | ---: |\n"
    out += ("| %d clients x 1 line/s: server CPU-s per million delivered (median) | %.3f | %.3f | 1/%.1f |\n" % (
        run["clients"], steady["tavern"]["cpu_s_per_million"], steady["colyseus"]["cpu_s_per_million"],
        steady["colyseus"]["cpu_s_per_million"] / steady["tavern"]["cpu_s_per_million"]))
    out += "| saturation: most deliveries/s carried, measured (median of rounds) | %s | %s | %.1fx |\n" % (
        thousands(top["tavern_delivered_per_s"]), thousands(top["colyseus_delivered_per_s"]),
        top["tavern_delivered_per_s"] / top["colyseus_delivered_per_s"])
    out += ("| saturation: deliveries/s per full server core, by CPU cost at the top step (median) "
            "| %s | %s | %.1fx |\n" % (thousands(top["tavern_per_full_core"]), thousands(top["colyseus_per_full_core"]),
                                       top["tavern_per_full_core"] / top["colyseus_per_full_core"]))
    out += ("\nThe top step of each saturation round, and what stopped the next one (contended: other work "
            "took over half a core beside it):\n\n")
    out += ("| server | round | lines/s per client | delivered/s | server core busy | CPU-s per million "
            "| other work (cores) | next step |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
    for r in summary["ramp"]["rounds"]:
        nxt = ("failed at %s/s: %s" % (r["failed_at"], r["limit"])) if r["failed_at"] is not None else "every step passed"
        out += "| %s | %d%s | %s | %s | %s | %s | %s | %s |\n" % (
            "Tavern" if r["server"] == "tavern" else "Colyseus", r["round"], " (contended)" if r["contended"] else "",
            r["top_rate_per_client"] if r["top_rate_per_client"] is not None else "none passed",
            thousands(r["delivered_per_s"]),
            "%.2f" % r["server_core_busy"] if r["server_core_busy"] is not None else "-",
            "%.3f" % r["cpu_s_per_million"] if r["cpu_s_per_million"] is not None else "-",
            "%.2f" % r["other_cores_busy"] if r["other_cores_busy"] is not None else "-", nxt)
    return out


def render_game(names):
    """bench/game/run-game-bench.sh: one run of both cases (no peer: the offered load is the yardstick)."""
    runs = [load(n) for n in names]
    out = run_source(names, runs)
    out += ("| case | run | `S_CHAT` delivered/s | server CPU s per million delivered | bots' ping p50 / p99 "
            "| quiet player's ping p99 | bots in |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
    for case in ("one-room", "ten-rooms"):
        for i, r in enumerate(runs):
            c = next((c for c in r["cases"] if c["case"] == case), None)
            if c is None:
                continue
            bots, probe = c["load"] or {}, c["probe"] or {}
            out += "| %s | %d | %s | %s | %s / %s ms | %s ms | %s of %s |\n" % (
                case.replace("-", " "), i + 1,
                thousands(c["chat_recv_per_s"]) if c["chat_recv_per_s"] is not None else "failed",
                "%.3f" % c["server_cpu_s_per_million"] if c["server_cpu_s_per_million"] is not None else "-",
                bots.get("ping_p50_ms", "-"), bots.get("ping_p99_ms", "-"), probe.get("ping_p99_ms", "-"),
                thousands(bots.get("in_game", 0)), thousands(c["bots"]))
    return out


def render_metrics_cost(names):
    """bench/game/run-metrics-cost.sh: the game bench without and with per-packet counting."""
    run = load(names[0])
    out = run_source(names, [run])
    out += ("%d paired rounds of `run-game-bench.sh` (%d s per case), `%s` (on) against none (off); "
            "the ratio is taken within each round, median (smallest-largest):\n\n"
            % (run["rounds"], run["seconds_per_case"], run["on_args"]))
    out += ("| case | server CPU s per million delivered, off | on | on / off | `S_CHAT` delivered/s, off / on |\n"
            "| --- | ---: | ---: | ---: | ---: |\n")
    for case in ("one-room", "ten-rooms"):
        def values(variant, key):
            return [c[key] for r in run["runs"] if r["variant"] == variant
                    for c in r["game"]["cases"] if c["case"] == case and c[key] is not None]
        ratios = [r for r in run["on_over_off_cpu_per_delivered"][case] if r is not None]
        out += "| %s | %.3f | %.3f | %s | %s / %s |\n" % (
            case.replace("-", " "), median(values("off", "server_cpu_s_per_million")),
            median(values("on", "server_cpu_s_per_million")), spread(ratios),
            thousands(median(values("off", "chat_recv_per_s"))), thousands(median(values("on", "chat_recv_per_s"))))
    return out


CLUSTER_CASES = {
    "single-one-room": "one room, one node alone",
    "two-nodes-one-room": "one room over two nodes",
    "single-ten-rooms": "ten rooms, one node alone",
    "three-nodes-ten-rooms": "ten rooms over three nodes",
}


def render_cluster(names):
    # bench/cluster/run-cluster-bench.sh: one node alone beside the same bots over nodes.
    runs = [load(n) for n in names]
    out = source_line(names, [utc_date(r["time"]) for r in runs],
                      [r.get("load_start", r["load_end"]).split()[0] for r in runs])
    out += ("| case | nodes | rooms | chats offered/s | S_CHAT delivered/s | NATS msgs/s "
            "| of which ticks, at most | ping p50 | ping p99 |\n"
            "|---|---|---|---|---|---|---|---|---|\n")
    for run in runs:
        for c in run["cases"]:
            out += "| %s | %d | %d | %s | %s | %s | %s | %.2f ms | %.2f ms |\n" % (
                CLUSTER_CASES.get(c["case"], c["case"]), c["nodes"], c["rooms"],
                thousands(c["bots"] * c["chat_per_s"]), thousands(c["chat_recv_per_s"]),
                thousands(c["nats_msgs_per_s"]), thousands(c["nats_one_per_node_tick_room"]),
                c["ping_p50_ms"], c["ping_p99_ms"])
    return out


RENDERERS = {
    "cluster": render_cluster,
    "metrics-cost": render_metrics_cost,
    "game": render_game,
    "ws": render_ws,
    "resume-memory": render_resume_memory,
    "packet": render_packet,
    "colyseus": render_colyseus,
    "store": render_store,
    "echo": render_echo,
    "c100k": render_c100k,
    "login-storm": render_login_storm,
    "pingpong": render_pingpong,
    "compare-builds-game": render_compare_game,
    "compare-builds-jobs": render_compare_jobs,
    "compare-builds-soak": render_compare_soak,
    "soak": render_soak,
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
