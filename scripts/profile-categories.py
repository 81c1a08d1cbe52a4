#!/usr/bin/env python3
"""Sorts `perf script -F ip,sym,dso` samples of gameserver (call graphs) into where the time
went, for scripts/profile-ws-chat.sh: the kernel's send path (and within it the delivery into
the receiving socket, which loopback runs on the sender's CPU), receives, io_uring waits and
submissions, and the user-space parts by the code they were in. Reads stdin, prints shares."""
import collections
import sys


def stacks(lines):
    frames = []
    for line in lines:
        line = line.strip()
        if not line:
            if frames:
                yield frames
            frames = []
            continue
        parts = line.split(None, 1)
        frames.append(parts[1] if len(parts) > 1 else "")
    if frames:
        yield frames


def category(frames):
    text = " | ".join(frames)
    kernel = "kernel.kallsyms" in frames[0]
    if "io_sendmsg" in text or "io_send" in text or "tcp_sendmsg" in text:
        if "tcp_v4_rcv" in text or "net_rx_action" in text or "process_backlog" in text:
            return "kernel: send, delivering into the receiver's socket (loopback)"
        return "kernel: send, the sender's TCP"
    if "io_recv" in text or "tcp_recvmsg" in text or "io_read" in text:
        return "kernel: receive"
    if kernel and any(k in text for k in ("finish_task_switch", "schedule", "io_cqring_wait")):
        return "kernel: waiting for completions, switching"
    if kernel and ("io_submit_sqes" in text or "io_uring_enter" in text or "epoll" in text):
        return "kernel: io_uring / epoll, other"
    if kernel:
        return "kernel: other"
    leaf = frames[0]
    if "wslay" in leaf or "tavern::ws::" in leaf:
        return "user: WebSocket (wslay parsing, framing)"
    if "protobuf" in leaf:
        return "user: protobuf"
    if any(k in leaf for k in ("Room", "BroadcastBatch", "MemberList", "Outbox", "Player")):
        return "user: room, broadcast batch, player outbox"
    if any(k in leaf for k in ("Session", "Backend", "liburing")):
        return "user: session send/receive, backend"
    if any(k in leaf for k in ("malloc", "free", "_int_", "memmove", "memcpy")):
        return "user: malloc/free, copies"
    if "mutex" in leaf:
        return "user: mutexes"
    return "user: other (jobs, timers, queues, clocks)"


def main():
    samples = list(stacks(sys.stdin))
    if not samples:
        print("  (no samples)")
        return
    counts = collections.Counter(category(frames) for frames in samples)
    print(f"  {len(samples):,} samples")
    for name, count in sorted(counts.items(), key=lambda item: (item[0].split(":")[0], -item[1])):
        print(f"  {count / len(samples) * 100:5.1f}%  {name}")


if __name__ == "__main__":
    main()
