#!/usr/bin/env python3
"""End-to-end tests of gameserver's admin endpoint, over real loopback sockets.

    admin_endpoint_test.py GAMESERVER TEST_CLIENT CASE

CASE is one of:
  MetricsMoveWithWhatTheBotsDid   scrapes /metrics before, during and after a bot run, parses it
                                  with prometheus_client's text parser, checks every family is
                                  there and that the counters moved by what the bots reported
  ReadyzTurns503WhileTheListenerIsStillOpen
                                  SIGTERM with --drain-seconds: /readyz answers 503 while the
                                  game port still accepts a player and /healthz still says 200
  JsonLogLinesCarryTheTextFields  --log-format json: every log line is one JSON object
  WebSocketCountsAreInMetrics     --ws-port: WebSocket bots' upgrades, a refused request (400)
                                  and an upgrade from a page --ws-origin does not allow (403)
                                  show in the tavern_websocket_* families
  BusMetricsMoveWhenWhispersCrossNodes
                                  two cluster nodes (a nats-server and a PostgreSQL of the
                                  test's own): whispers from one node's player to the other's
                                  move tavern_bus_* by subject pattern on both sides, and so
                                  does a chat in a room the two nodes share. Skips (77)
                                  without nats-server or PostgreSQL, unless TAVERN_REQUIRE_NATS
                                  or TAVERN_REQUIRE_POSTGRES is 1.
  DashboardShowsTheBotsInHeadlessChromium
                                  the page at / (opened in headless Chromium) shows the bots'
                                  sessions within a few seconds; a screenshot is written to
                                  $TAVERN_DASHBOARD_SCREENSHOT when set. Skips (77) without
                                  Chromium.
"""
import shutil
import json
import os
import queue
import re
import signal
import socket
import struct
import subprocess
import tempfile
import sys
import threading
import time
import urllib.error
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

FAMILIES = {
    "tavern_sessions": "gauge",
    "tavern_players": "gauge",
    "tavern_rooms": "gauge",
    "tavern_room_members": "gauge",
    "tavern_connections_accepted": "counter",
    "tavern_connections_refused": "counter",
    "tavern_connections_cut": "counter",
    "tavern_connections_closed": "counter",
    "tavern_protocol_errors": "counter",
    "tavern_network_received_bytes": "counter",
    "tavern_network_sent_bytes": "counter",
    "tavern_packets_received": "counter",
    "tavern_packet_received_bytes": "counter",
    "tavern_packets_sent": "counter",
    "tavern_packet_sent_bytes": "counter",
    "tavern_handler_duration_seconds": "histogram",
    "tavern_global_queue_length": "gauge",
    "tavern_timers_pending": "gauge",
    "tavern_actor_overload_warnings": "counter",
    "tavern_actors_overloaded": "gauge",
    "tavern_worker_cpu_seconds": "counter",
    "tavern_worker_busy_ratio": "gauge",
    "tavern_room_packets_delivered": "counter",
}


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Server:
    """A gameserver process; its stdout is read by a thread into a queue of lines."""

    def __init__(self, binary, *args, db=None):
        # The bots' accounts go to a SQLite file of this server's own (or `db`), hashed at the
        # minimum cost (bots only); the folder goes with the object.
        self.folder = tempfile.TemporaryDirectory()
        db = db or "sqlite:" + self.folder.name + "/tavern.db"
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--admin-port", "0", "--workers", "2",
             "--stats-interval", "0", "--db", db, "--password-cost", "min", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines = queue.Queue()
        self.all_lines = []
        threading.Thread(target=self._read, daemon=True).start()
        self.game_port = None
        self.admin_port = None
        deadline = time.monotonic() + 20
        while self.game_port is None or self.admin_port is None:
            line = self.next_line(deadline)
            match = re.match(r"gameserver listening on port (\d+)", line)
            if match:
                self.game_port = int(match.group(1))
            match = re.match(r"admin listening on port (\d+)", line)
            if match:
                self.admin_port = int(match.group(1))

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def next_line(self, deadline):
        try:
            line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            raise Failure("gameserver printed nothing in time")
        check(line is not None, "gameserver exited early: " + "\n".join(self.all_lines))
        self.all_lines.append(line)
        return line

    def get(self, path):
        """(status, body) of GET path on the admin port."""
        url = "http://127.0.0.1:%d%s" % (self.admin_port, path)
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def scrape(self):
        status, text = self.get("/metrics")
        check(status == 200, "/metrics answered %d" % status)
        families = {f.name: f for f in text_string_to_metric_families(text)}
        samples = {}
        for family in families.values():
            for sample in family.samples:
                samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
        return families, samples

    def stop(self, timeout=30, signal_first=True):
        if signal_first and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise Failure("gameserver did not stop within %d s of SIGTERM" % timeout)


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def packets_in(samples, packet):
    return value(samples, "tavern_packets_received_total", packet=packet)


def run_bots(client, port, bots, rooms, duration):
    return subprocess.Popen(
        [client, "--port", str(port), "--bots", str(bots), "--rooms", str(rooms),
         "--duration", str(duration), "--chat-per-sec", "2", "--move-per-sec", "1",
         "--workers", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def metrics_move_with_what_the_bots_did(gameserver, client):
    server = Server(gameserver)
    try:
        check(server.get("/healthz")[0] == 200, "/healthz is not 200")
        check(server.get("/readyz")[0] == 200, "/readyz is not 200 while serving")
        families, before = server.scrape()
        for name, kind in FAMILIES.items():
            check(name in families, "family %s missing before the run" % name)
            check(families[name].type == kind,
                  "%s is a %s, not a %s" % (name, families[name].type, kind))

        bots, rooms, duration = 20, 2, 4
        run = run_bots(client, server.game_port, bots, rooms, duration)
        # During the run: every bot is in a room (the bots log in within the first second).
        deadline = time.monotonic() + 10
        during = {}
        while time.monotonic() < deadline:
            _, during = server.scrape()
            if value(during, "tavern_room_members") == bots:
                break
            time.sleep(0.1)
        check(value(during, "tavern_sessions") == bots,
              "tavern_sessions during the run: %s" % value(during, "tavern_sessions"))
        check(value(during, "tavern_players") == bots, "tavern_players during the run")
        check(value(during, "tavern_room_members") == bots, "tavern_room_members during the run")
        check(value(during, "tavern_rooms") == rooms, "tavern_rooms during the run")
        output, _ = run.communicate(timeout=duration + 60)
        check(run.returncode == 0, "bots failed:\n" + output)
        summary = dict(re.findall(r"(\w+)=([\d.-]+)", output.strip().splitlines()[-1]))

        # After the run: the sessions are gone, and every counter moved by what the bots did.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            families, after = server.scrape()
            if value(after, "tavern_sessions") == 0 and value(after, "tavern_room_members") == 0:
                break
            time.sleep(0.1)
        check(value(after, "tavern_sessions") == 0, "sessions left after the run")

        def moved(name, **labels):
            return value(after, name, **labels) - value(before, name, **labels)

        check(moved("tavern_connections_accepted_total") == bots, "accepted != bots")
        check(moved("tavern_connections_closed_total") == bots, "closed != bots")
        check(packets_in(after, "C_LOGIN") == bots, "C_LOGIN != bots")
        check(packets_in(after, "C_ENTER_GAME") == bots, "C_ENTER_GAME != bots")
        check(packets_in(after, "C_CHAT") == int(summary["chats_sent"]),
              "C_CHAT %s != chats sent %s" % (packets_in(after, "C_CHAT"), summary["chats_sent"]))
        check(packets_in(after, "C_MOVE") == int(summary["moves_sent"]), "C_MOVE != moves sent")
        check(packets_in(after, "C_PING") >= int(summary["pongs"]), "C_PING < pongs received")
        check(int(summary["chats_sent"]) > 0, "the bots sent no chat")
        sent = lambda packet: value(after, "tavern_packets_sent_total", packet=packet)
        check(sent("S_LOGIN") == bots, "S_LOGIN sent != bots")
        check(sent("S_CHAT") >= int(summary["chat_recv"]), "S_CHAT sent < chat received")
        check(sent("S_PONG") >= int(summary["pongs"]), "S_PONG sent < pongs received")
        # Packet bytes: a C_CHAT is at least its header; the bytes by packet add up to at most
        # what the sockets carried.
        packet_bytes = sum(v for (n, _), v in after.items()
                           if n == "tavern_packet_received_bytes_total")
        check(packet_bytes >= 4 * packets_in(after, "C_CHAT"), "received bytes too small")
        check(packet_bytes == moved("tavern_network_received_bytes_total"),
              "bytes by packet %s != socket bytes %s" %
              (packet_bytes, moved("tavern_network_received_bytes_total")))
        # The handler histogram saw every chat, and its buckets are cumulative up to the count.
        count = value(after, "tavern_handler_duration_seconds_count", packet="C_CHAT")
        check(count == packets_in(after, "C_CHAT"), "handler count != C_CHAT received")
        check(value(after, "tavern_handler_duration_seconds_bucket", packet="C_CHAT",
                    le="+Inf") == count, "+Inf bucket != count")
        check(value(after, "tavern_handler_duration_seconds_sum", packet="C_CHAT") > 0,
              "no handler time")
        check(moved("tavern_room_packets_delivered_total") > 0, "rooms delivered nothing")
        for worker in ("0", "1"):
            check(value(after, "tavern_worker_cpu_seconds_total", worker=worker) > 0,
                  "worker %s has no CPU time" % worker)
            ratio = value(after, "tavern_worker_busy_ratio", worker=worker)
            check(0 <= ratio <= 1, "busy ratio %s out of [0, 1]" % ratio)
        check(value(after, "tavern_protocol_errors_total", kind="unknown_packet_id") == 0,
              "protocol errors in a clean run")
        check(server.get("/nothing-here")[0] == 404, "an unknown path is not 404")
    finally:
        code = server.stop()
    check(code == 0, "gameserver exited %d" % code)


def login_packet(name):
    payload = b"\x0a" + bytes([len(name)]) + name.encode()  # C_LOGIN { name = 1 }
    return struct.pack("<HH", 4 + len(payload), 1) + payload


def field_bytes(number, data):
    return bytes([number << 3 | 2, len(data)]) + data


def packet(packet_id, payload):
    return struct.pack("<HH", 4 + len(payload), packet_id) + payload


def read_packet(sock):
    header = sock.recv(4, socket.MSG_WAITALL)
    check(len(header) == 4, "the server closed the connection")
    size, packet_id = struct.unpack("<HH", header)
    return packet_id, sock.recv(size - 4, socket.MSG_WAITALL) if size > 4 else b""


def password_login(port, name, password):
    """A connection that sent C_LOGIN { name, password } and read the S_LOGIN; (sock, success)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(packet(1, field_bytes(1, name.encode()) + field_bytes(2, password.encode())))
    packet_id, payload = read_packet(sock)
    check(packet_id == 2, "answer to C_LOGIN is id %d, not S_LOGIN" % packet_id)
    return sock, payload[:2] == b"\x08\x01"  # S_LOGIN { success = true } comes first


def logins_and_store_calls_are_counted(gameserver, _client):
    server = Server(gameserver, "--save-interval", "0.1")
    alice, ok = password_login(server.game_port, "alice", "right password")
    check(ok, "a new name did not log in")
    intruder, ok = password_login(server.game_port, "alice", "wrong password")
    check(not ok, "a wrong password logged in")
    intruder.close()
    alice.sendall(packet(3, b"\x08\x01"))  # C_ENTER_GAME { room_id = 1 }
    alice.sendall(packet(9, b"\x0d" + struct.pack("<f", 5.0)))  # C_MOVE { x = 5 }
    deadline = time.monotonic() + 10
    while True:
        families, samples = server.scrape()
        if value(samples, "tavern_player_states_saved_total") >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    check(value(samples, "tavern_logins_total", outcome="created") == 1,
          "created logins: %s" % value(samples, "tavern_logins_total", outcome="created"))
    check(value(samples, "tavern_logins_total", outcome="wrong_name_or_password") == 1,
          "wrong-password logins: %s" %
          value(samples, "tavern_logins_total", outcome="wrong_name_or_password"))
    check(value(samples, "tavern_logins_total", outcome="logged_in") == 0, "a login succeeded twice")
    check(families["tavern_store_call_duration_seconds"].type == "histogram",
          "the store's call time is no histogram")
    check(value(samples, "tavern_store_call_duration_seconds_count", call="login") == 2,
          "login calls timed: %s" %
          value(samples, "tavern_store_call_duration_seconds_count", call="login"))
    check(value(samples, "tavern_player_states_saved_total") >= 1, "the move was never saved")
    check(value(samples, "tavern_store_call_duration_seconds_count", call="save") >= 1,
          "no save was timed")
    alice.close()
    code = server.stop()
    check(code == 0, "gameserver exited %d" % code)


class Skip(Exception):
    pass


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, what, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check(process.poll() is None, what + " exited early")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise Failure(what + " did not listen on port %d" % port)


class NatsServer:
    """Debian's nats-server with JetStream on a free loopback port, in a folder of its own."""

    def __init__(self):
        program = os.environ.get("TAVERN_NATS_SERVER") or next(
            (p for p in ("/usr/sbin/nats-server", "/usr/bin/nats-server") if os.path.exists(p)),
            None)
        if not program:
            if os.environ.get("TAVERN_REQUIRE_NATS") == "1":
                raise Failure("no nats-server (TAVERN_REQUIRE_NATS=1)")
            raise Skip("no nats-server (apt-get install nats-server)")
        self.folder = tempfile.TemporaryDirectory()
        self.port = free_port()
        self.log = open(self.folder.name + "/server.log", "w")
        self.process = subprocess.Popen(
            [program, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd",
             self.folder.name + "/js"], stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process, "nats-server")
        self.url = "nats://127.0.0.1:%d" % self.port

    def stop(self):
        self.process.kill()
        self.process.wait()
        self.log.close()


class PostgresServer:
    """A throwaway PostgreSQL (initdb, pg_ctl) on a free loopback port, as tests/store does:
    as root it runs as the system user tavern-pg (scripts/install-deps.sh makes it)."""

    def __init__(self):
        self.bin = os.environ.get("TAVERN_PG_BINDIR") or "/usr/lib/postgresql/15/bin"
        if not os.path.exists(self.bin + "/initdb"):
            if os.environ.get("TAVERN_REQUIRE_POSTGRES") == "1":
                raise Failure("no PostgreSQL (TAVERN_REQUIRE_POSTGRES=1)")
            raise Skip("no PostgreSQL 15 (apt-get install postgresql)")
        self.folder = tempfile.mkdtemp(prefix="tavern-pg-", dir="/tmp")
        self.user = None
        if os.geteuid() == 0:
            import pwd
            entry = pwd.getpwnam("tavern-pg")
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
            self.user = "tavern-pg"
        self.run("initdb", "-D", self.folder + "/data", "-U", "postgres", "-A", "trust",
                 "-E", "UTF8", "--locale=C", "--no-sync")
        self.port = free_port()
        self.run("pg_ctl", "-D", self.folder + "/data", "-l", self.folder + "/server.log",
                 "-w", "-t", "60", "-o",
                 "-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off" % (self.port,
                                                                            self.folder),
                 "start")
        self.url = "postgresql://postgres@127.0.0.1:%d/postgres" % self.port

    def run(self, program, *args):
        command = (["runuser", "-u", self.user, "--"] if self.user else []) + \
            [self.bin + "/" + program, *args]
        with open(self.folder + "/tools.log", "a") as log:
            code = subprocess.call(command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        check(code == 0, "%s failed; see %s/tools.log" % (program, self.folder))

    def stop(self):
        try:
            self.run("pg_ctl", "-D", self.folder + "/data", "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def whisper_packet(to, msg):
    return packet(21, field_bytes(1, to.encode()) + field_bytes(2, msg.encode()))


def receive_packet_id(sock, wanted, timeout):
    """Reads packets until one with id `wanted` arrives; False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            packet_id, _ = read_packet(sock)
        except (socket.timeout, struct.error):
            return False
        if packet_id == wanted:
            return True
    return False


def bus_metrics_move_when_whispers_cross_nodes(gameserver, _client):
    nats = NatsServer()
    postgres = None
    nodes = []
    try:
        postgres = PostgresServer()
        for name in ("node-a", "node-b"):
            nodes.append(Server(gameserver, "--nats", nats.url, "--node", name, db=postgres.url))
        a, b = nodes
        alice, ok = password_login(a.game_port, "alice", "alice password")
        check(ok, "alice did not log in on node-a")
        bob, ok = password_login(b.game_port, "bob", "bob password")
        check(ok, "bob did not log in on node-b")
        # The directory entry of a login is written just after its S_LOGIN: whisper until bob
        # hears one (the first may find nobody yet).
        deadline = time.monotonic() + 20
        heard = False
        while not heard and time.monotonic() < deadline:
            alice.sendall(whisper_packet("bob", "hello?"))
            heard = receive_packet_id(bob, 22, 0.5)
        check(heard, "no whisper crossed from node-a to node-b")
        time.sleep(0.3)  # late answers of the first tries land before the baseline
        _, a_before = a.scrape()
        families, b_before = b.scrape()
        for name, kind in (("tavern_bus_connected", "gauge"),
                           ("tavern_bus_connection_events", "counter"),
                           ("tavern_bus_messages_sent", "counter"),
                           ("tavern_bus_messages_received", "counter"),
                           ("tavern_bus_replies_sent", "counter"),
                           ("tavern_bus_requests", "counter")):
            check(name in families and families[name].type == kind,
                  "family %s missing or not a %s" % (name, kind))
        whispers = 5
        for i in range(whispers):
            alice.sendall(whisper_packet("bob", "line %d" % i))
            check(receive_packet_id(bob, 22, 10), "whisper %d did not arrive" % i)
        time.sleep(0.3)  # the answers reach node-a
        _, a_after = a.scrape()
        _, b_after = b.scrape()
        subject = "tavern.node.*.whisper"

        def moved(before, after, name, **labels):
            return value(after, name, **labels) - value(before, name, **labels)

        check(moved(a_before, a_after, "tavern_bus_messages_sent_total", subject=subject)
              == whispers, "node-a's whisper messages sent did not move by %d" % whispers)
        check(moved(a_before, a_after, "tavern_bus_requests_total", subject=subject,
                    outcome="answered") == whispers, "node-a's answered whisper requests")
        check(moved(b_before, b_after, "tavern_bus_messages_received_total", subject=subject)
              == whispers, "node-b's whisper messages received did not move by %d" % whispers)
        check(moved(b_before, b_after, "tavern_bus_replies_sent_total", subject=subject)
              == whispers, "node-b's whisper replies")
        check(value(a_after, "tavern_bus_connected") == 1, "node-a says its bus is down")
        check(not any(n.startswith("tavern_bus_") and ("node-a" in str(l) or "node-b" in str(l))
                      for (n, l) in a_after), "a series names a node: patterns only")
        # A whisper to a name nobody has: a directory answer, no request on the bus.
        alice.sendall(whisper_packet("nobody", "hello?"))
        check(receive_packet_id(alice, 18, 10), "no S_ERROR for an unknown name")
        _, a_last = a.scrape()
        check(moved(a_after, a_last, "tavern_bus_messages_sent_total", subject=subject) == 0,
              "a whisper to nobody went on the bus")
        # A room shared by the nodes: its traffic (the rooms' own connection) counts too, under
        # its pattern. Both enter room 7; a chat on one node reaches the other.
        enter = packet(3, bytes([0x08, 7]))  # C_ENTER_GAME { room_id = 7 }
        alice.sendall(enter)
        check(receive_packet_id(alice, 4, 10), "alice got no S_ENTER_GAME")
        bob.sendall(enter)
        check(receive_packet_id(bob, 4, 10), "bob got no S_ENTER_GAME")
        _, a_rooms = a.scrape()
        _, b_rooms = b.scrape()
        deadline = time.monotonic() + 20
        heard = False
        while not heard and time.monotonic() < deadline:
            bob.sendall(packet(7, field_bytes(1, b"hi from b")))  # C_CHAT
            heard = receive_packet_id(alice, 8, 1)
        check(heard, "no chat crossed from node-b to node-a in room 7")
        time.sleep(0.3)
        _, a_end = a.scrape()
        _, b_end = b.scrape()
        room = "tavern.node.*.room"
        crossed = (moved(a_rooms, a_end, "tavern_bus_messages_sent_total", subject=room) +
                   moved(b_rooms, b_end, "tavern_bus_messages_sent_total", subject=room))
        arrived = (moved(a_rooms, a_end, "tavern_bus_messages_received_total", subject=room) +
                   moved(b_rooms, b_end, "tavern_bus_messages_received_total", subject=room))
        check(crossed >= 1 and arrived >= 1,
              "room traffic not counted: sent %d, received %d" % (crossed, arrived))
        alice.close()
        bob.close()
    finally:
        codes = [node.stop() for node in nodes]
        if postgres:
            postgres.stop()
        nats.stop()
    check(all(code == 0 for code in codes), "a node exited with %s" % codes)


def readyz_turns_503_while_the_listener_is_still_open(gameserver, _client):
    server = Server(gameserver, "--drain-seconds", "4")
    check(server.get("/readyz")[0] == 200, "/readyz is not 200 before the stop")
    server.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 3
    status = 200
    while status == 200 and time.monotonic() < deadline:
        status = server.get("/readyz")[0]
        if status == 200:
            time.sleep(0.02)
    check(status == 503, "/readyz still %d after SIGTERM" % status)
    # Not ready, yet the listener is open and serving: a player still logs in.
    with socket.create_connection(("127.0.0.1", server.game_port), timeout=5) as player:
        player.sendall(login_packet("late"))
        header = player.recv(4, socket.MSG_WAITALL)
        check(len(header) == 4, "no answer to C_LOGIN during the drain")
        size, packet_id = struct.unpack("<HH", header)
        check(packet_id == 2, "answer to C_LOGIN is id %d, not S_LOGIN" % packet_id)
    check(server.get("/healthz")[0] == 200, "/healthz is not 200 while draining")
    code = server.stop(timeout=30, signal_first=False)  # the one SIGTERM above, as a pod gets
    check(code == 0, "gameserver exited %d" % code)
    try:
        socket.create_connection(("127.0.0.1", server.game_port), timeout=2).close()
        raise Failure("the game port still accepts after the stop")
    except ConnectionRefusedError:
        pass


def json_log_lines_carry_the_text_fields(gameserver, _client):
    server = Server(gameserver, "--log-format", "json")
    code = server.stop()
    check(code == 0, "gameserver exited %d" % code)
    deadline = time.monotonic() + 10
    while True:
        try:
            line = server.next_line(deadline)
        except Failure:
            break
    logs = [line for line in server.all_lines if line.startswith("{")]
    check(len(logs) >= 3, "too few JSON log lines: %s" % server.all_lines)
    for line in logs:
        entry = json.loads(line)
        check(set(entry) >= {"time", "level", "msg"}, "fields missing in " + line)
        check(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", entry["time"]),
              "time is not ISO 8601: " + entry["time"])
        check(entry["level"] in ("trace", "debug", "info", "warning", "error", "critical"),
              "level " + entry["level"])
    check(any("signal" in json.loads(line)["msg"] for line in logs), "no stop line logged")


def dashboard_shows_the_bots_in_headless_chromium(gameserver, client):
    browser = next((shutil.which(name) for name in ("chromium", "chromium-browser",
                                                   "google-chrome") if shutil.which(name)), None)
    if browser is None:
        print("SKIPPED: no Chromium on this machine")
        sys.exit(77)
    server = Server(gameserver)
    bots = 20
    run = run_bots(client, server.game_port, bots, 2, 8)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            _, samples = server.scrape()
            if value(samples, "tavern_sessions") == bots:
                break
            time.sleep(0.1)
        url = "http://127.0.0.1:%d/" % server.admin_port
        # Chromium runs the page's timers in virtual time (3 s of it: three scrapes), fast.
        flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--virtual-time-budget=3000"]
        dom = subprocess.run(flags + ["--dump-dom", url], capture_output=True, text=True,
                             timeout=60).stdout
        match = re.search(r'id="sessions">(\d+)<', dom)
        check(match is not None, "no session count in the page: " + dom[:500])
        check(int(match.group(1)) == bots, "the page shows %s sessions, not %d" %
              (match.group(1), bots))
        check("<canvas" in dom, "no chart drawn")
        screenshot = os.environ.get("TAVERN_DASHBOARD_SCREENSHOT")
        if screenshot:
            subprocess.run(flags + ["--window-size=1200,620", "--screenshot=" + screenshot, url],
                           capture_output=True, timeout=60)
            check(os.path.getsize(screenshot) > 0, "empty screenshot")
        output, _ = run.communicate(timeout=60)
        check(run.returncode == 0, "bots failed:\n" + output)
    finally:
        if run.poll() is None:
            run.kill()
        code = server.stop()
    check(code == 0, "gameserver exited %d" % code)


def bot_report_writes_json_and_html(gameserver, client):
    import tempfile
    server = Server(gameserver)
    with tempfile.TemporaryDirectory() as folder:
        json_path, html_path = os.path.join(folder, "run.json"), os.path.join(folder, "run.html")
        run = subprocess.run(
            [client, "--port", str(server.game_port), "--bots", "10", "--rooms", "2",
             "--duration", "3", "--chat-per-sec", "2", "--quiet", "--json", json_path,
             "--report", html_path], capture_output=True, text=True, timeout=60)
        code = server.stop()
        check(run.returncode == 0, "bots failed:\n" + run.stdout + run.stderr)
        check(code == 0, "gameserver exited %d" % code)
        printed = dict(re.findall(r"(\w+)=([\d.-]+)", run.stdout.strip().splitlines()[-1]))
        report = json.load(open(json_path))
        for name in ("bots", "in_game", "chats_sent", "chat_recv", "pongs", "refused"):
            check(report["summary"][name] == float(printed[name]),
                  "%s: JSON %s, printed %s" % (name, report["summary"][name], printed[name]))
        check(len(report["samples"]) >= 3, "fewer than 3 samples in a 3 s run")
        check(report["samples"][-1]["in_game"] == 10, "last sample: not 10 bots in game")
        html = open(html_path).read()
        check(html.count("<svg") == 3 and html.count("<polyline") == 6, "plots missing")
        check("<script" not in html and "http" not in html.replace("http://www.w3.org", ""),
              "the page is not self-contained")


def web_socket_counts_are_in_metrics(gameserver, client):
    server = Server(gameserver, "--ws-port", "0",
                    "--ws-origin", "https://game.example.com,http://localhost:5173")
    try:
        ws_port = None
        deadline = time.monotonic() + 10
        seen = list(server.all_lines)  # it comes before the admin line the constructor waited for
        while ws_port is None:
            line = seen.pop(0) if seen else server.next_line(deadline)
            match = re.match(r"websocket listening on port (\d+)", line)
            if match:
                ws_port = int(match.group(1))
        # A request on /ws that is not an upgrade: 400, and the connection closes.
        with socket.create_connection(("127.0.0.1", ws_port), timeout=10) as sock:
            sock.sendall(b"GET /ws HTTP/1.1\r\nHost: localhost\r\n\r\n")
            answer = b""
            while True:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        check(answer.startswith(b"HTTP/1.1 400 "), "not a 400: %r" % answer[:60])
        # Upgrades from pages: one --ws-origin lists (101), one it does not (403, closed).
        for origin, status in (("https://game.example.com", b"101"),
                               ("https://evil.example", b"403")):
            with socket.create_connection(("127.0.0.1", ws_port), timeout=10) as sock:
                sock.sendall(("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\nOrigin: %s\r\n\r\n" % origin).encode())
                answer = b""
                while b"\r\n\r\n" not in answer:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    answer += chunk
            check(answer.startswith(b"HTTP/1.1 " + status + b" "),
                  "Origin %s: not a %s: %r" % (origin, status.decode(), answer[:60]))
        bots = 5
        run = subprocess.run(
            [client, "--ws", "--port", str(ws_port), "--bots", str(bots), "--rooms", "1",
             "--duration", "1", "--chat-per-sec", "2", "--workers", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
        check(run.returncode == 0, "WebSocket bots failed:\n" + run.stdout)
        families, samples = server.scrape()
        for name in ("tavern_websocket_sessions", "tavern_websocket_upgrades",
                     "tavern_websocket_http_responses", "tavern_websocket_closes",
                     "tavern_websocket_connections_cut", "tavern_websocket_network_bytes"):
            check(name in families, "family %s missing" % name)
        check(value(samples, "tavern_websocket_upgrades_total") == bots + 1,
              "upgrades: %s" % value(samples, "tavern_websocket_upgrades_total"))
        check(value(samples, "tavern_websocket_http_responses_total", status="400") == 1,
              "400s: %s" % value(samples, "tavern_websocket_http_responses_total", status="400"))
        check(value(samples, "tavern_websocket_http_responses_total", status="403") == 1,
              "403s: %s" % value(samples, "tavern_websocket_http_responses_total", status="403"))
        check(value(samples, "tavern_websocket_network_bytes_total", direction="sent") > 0,
              "no bytes sent to the WebSocket bots")
    finally:
        server.stop()


CASES = {
    "WebSocketCountsAreInMetrics": web_socket_counts_are_in_metrics,
    "MetricsMoveWithWhatTheBotsDid": metrics_move_with_what_the_bots_did,
    "ReadyzTurns503WhileTheListenerIsStillOpen": readyz_turns_503_while_the_listener_is_still_open,
    "JsonLogLinesCarryTheTextFields": json_log_lines_carry_the_text_fields,
    "DashboardShowsTheBotsInHeadlessChromium": dashboard_shows_the_bots_in_headless_chromium,
    "BotReportWritesJsonAndHtml": bot_report_writes_json_and_html,
    "LoginsAndStoreCallsAreCounted": logins_and_store_calls_are_counted,
    "BusMetricsMoveWhenWhispersCrossNodes": bus_metrics_move_when_whispers_cross_nodes,
}


def main():
    gameserver, client, case = sys.argv[1:4]
    try:
        CASES[case](gameserver, client)
    except Failure as failure:
        print("FAILED: %s: %s" % (case, failure))
        return 1
    except Skip as skip:
        print("SKIPPED: %s: %s" % (case, skip))
        return 77
    print("PASSED: " + case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
