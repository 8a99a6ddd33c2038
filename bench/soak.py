#!/usr/bin/python3
"""Soak: nfcore capturing live traffic on lo for a long time loses no flow and does not grow.

usage: python3 bench/soak.py NFCORE [--duration S] [--rate N] [--long K] [--idle-timeout S] [--active-timeout S]
                             [--nfcore-args ARGS] [--kafka MOCK_CLUSTER] [--check] [--json FILE]

The script is its own traffic: a UDP and a TCP echo server on free ports of 127.0.0.1, N short flows a second
(alternately a UDP request and its answer, and a TCP connection with one request, its answer and a clean close),
each from a client port the kernel picks, and K long flows (half TCP connections, half UDP sockets) open from the
start to the end, each exchanging a message every half second. nfcore captures lo with a BPF filter on the two
server ports, --idle-timeout (3 s by default) and --active-timeout (30 s). The short flows end by idle expiry
while the run goes on. The long ones are cut by the active timeout into records of about 30 s (nfcore scans for
idle flows from the oldest-inserted one and stops at the first one still busy, as nfstream does: without the
active timeout a long flow would hold every later idle flow in the table until the end); their last records are
still open at the end, when SIGINT writes them.

A client port is not used again towards the same server within the idle timeout and a margin, so every short flow
generated is one flow of nfcore's: the flows nfcore writes (-o CSV, or with --kafka the messages read back from
librdkafka's mock cluster, tests/kafka/mock_cluster.c) are matched with the generated ones by protocol, client
port and server port, one to one; each long flow must have records whose packets add up to the packets it
exchanged (UDP: two a message; TCP: the segments the kernel counted for the client socket, TCP_INFO).
Reported: flows generated and exported, missing and extra ones, the kernel's drops, and nfcore's resident memory
(VmRSS, sampled every second): start, end, peak and the slope after the warm-up (a least-squares line over the
samples of the run's second half), in KB per minute; and the same for its anonymous part (RssAnon: the heap,
without the capture buffer's mapping). The warm-up is long because nfcore's fixed rings (a meter's work, done and
packet-bytes rings, ~15 MB each, and the capture buffer) are touched for the first time only as traffic goes
round them: at 100 flows a second that takes minutes, and looks like growth until it is done.

--check (the test suite's use) exits 1 when a flow is missing or extra or a packet was dropped, and 77 when
nfcore may not capture on lo.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import selectors
import shlex
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter

SKIP = 77
LOCALHOST = "127.0.0.1"
LONG_INTERVAL = 0.5  # seconds between a long flow's exchanges: well inside the idle timeout
REUSE_MARGIN = 5.0  # seconds beyond the idle timeout before a client port may meet the same server again
READY_TIMEOUT = 20.0
SETTLE = 0.5  # after the packet socket appears: libpcap maps its ring and sets the filter
TAIL = 1.0  # after the last flow: its last packets reach nfcore before SIGINT
TIMEOUT = 10.0  # bound on a single exchange
REQUEST, REPLY = b"q" * 64, b"r" * 128
UDP, TCP = 17, 6


class Skip(Exception):
    pass


class Servers:
    """A UDP and a TCP echo server on one thread: a datagram gets REPLY; a connection gets REPLY for each request
    and is closed when the client closes."""

    def __init__(self) -> None:
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind((LOCALHOST, 0))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind((LOCALHOST, 0))
        self.tcp.listen(512)
        self.udp_port, self.tcp_port = self.udp.getsockname()[1], self.tcp.getsockname()[1]
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.udp, selectors.EVENT_READ, "udp")
        self.sel.register(self.tcp, selectors.EVENT_READ, "listen")
        self.stopping = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        pending: dict[socket.socket, int] = {}
        while not self.stopping:
            for key, _ in self.sel.select(0.2):
                s = key.fileobj
                if key.data == "udp":
                    _, peer = s.recvfrom(2048)
                    s.sendto(REPLY, peer)
                elif key.data == "listen":
                    conn, _ = s.accept()
                    self.sel.register(conn, selectors.EVENT_READ, "conn")
                    pending[conn] = 0
                else:
                    data = s.recv(4096)
                    if not data:
                        self.sel.unregister(s)
                        del pending[s]
                        s.close()
                        continue
                    # a request may arrive in pieces: answer each whole one
                    pending[s] += len(data)
                    while pending[s] >= len(REQUEST):
                        pending[s] -= len(REQUEST)
                        s.sendall(REPLY)

    def stop(self) -> None:
        self.stopping = True
        self.thread.join()
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()
        self.sel.close()


def recv_exact(s: socket.socket, n: int) -> None:
    got = 0
    while got < n:
        chunk = s.recv(n - got)
        if not chunk:
            raise ConnectionError("connection closed early")
        got += len(chunk)


class Ports:
    """Client sockets bound to ports that have not met the same server recently."""

    def __init__(self, window: float) -> None:
        self.window = window
        self.last: dict[tuple[int, int], float] = {}

    def bind(self, kind: int, proto: int) -> socket.socket:
        held = []
        try:
            while True:
                s = socket.socket(socket.AF_INET, kind)
                s.settimeout(TIMEOUT)
                s.bind((LOCALHOST, 0))
                port = s.getsockname()[1]
                if time.monotonic() - self.last.get((proto, port), -1e9) > self.window:
                    return s
                held.append(s)  # kept bound until a fresh port is found, so that the kernel offers another
        finally:
            for h in held:
                h.close()

    def used(self, proto: int, port: int) -> None:
        self.last[(proto, port)] = time.monotonic()


class Generator:
    def __init__(self, servers: Servers, idle_timeout: float) -> None:
        self.servers = servers
        self.ports = Ports(idle_timeout + REUSE_MARGIN)
        self.flows: Counter = Counter()  # (protocol, client port, server port) -> times generated
        self.long: list[tuple[socket.socket, int]] = []
        self.long_packets: dict[tuple[int, int, int], int] = {}  # a long flow's key -> packets it exchanged

    def short_udp(self) -> None:
        s = self.ports.bind(socket.SOCK_DGRAM, UDP)
        with s:
            s.sendto(REQUEST, (LOCALHOST, self.servers.udp_port))
            s.recv(2048)
            self.record(UDP, s.getsockname()[1], self.servers.udp_port)

    def short_tcp(self) -> None:
        s = self.ports.bind(socket.SOCK_STREAM, TCP)
        with s:
            s.connect((LOCALHOST, self.servers.tcp_port))
            s.sendall(REQUEST)
            recv_exact(s, len(REPLY))
            self.record(TCP, s.getsockname()[1], self.servers.tcp_port)

    def record(self, proto: int, port: int, server: int) -> None:
        self.flows[(proto, port, server)] += 1
        self.ports.used(proto, port)

    def open_long(self, count: int) -> None:
        for i in range(count):
            if i % 2:
                s = self.ports.bind(socket.SOCK_DGRAM, UDP)
                s.connect((LOCALHOST, self.servers.udp_port))
                self.long.append((s, UDP))
            else:
                s = self.ports.bind(socket.SOCK_STREAM, TCP)
                s.connect((LOCALHOST, self.servers.tcp_port))
                self.long.append((s, TCP))

    def exchange_long(self) -> None:
        for s, proto in self.long:
            s.send(REQUEST)
            recv_exact(s, len(REPLY)) if proto == TCP else s.recv(2048)
            if proto == UDP:
                key = (UDP, s.getsockname()[1], self.servers.udp_port)
                self.long_packets[key] = self.long_packets.get(key, 0) + 2

    def count_long(self) -> None:
        """The TCP long flows' segments both ways, once their last ACK has gone."""
        for s, proto in self.long:
            if proto == TCP:
                info = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
                if len(info) < 144:
                    raise SystemExit("TCP_INFO has no segment counters (Linux 4.2 or later needed)")
                out, into = struct.unpack_from("II", info, 136)  # tcpi_segs_out, tcpi_segs_in
                self.long_packets[(TCP, s.getsockname()[1], self.servers.tcp_port)] = out + into

    def close_long(self) -> None:
        for s, _ in self.long:
            s.close()
        self.long = []

    def run(self, seconds: float, rate: float) -> None:
        start = time.monotonic()
        made, next_long = 0, start
        while (now := time.monotonic()) - start < seconds:
            due = int((now - start) * rate)
            while made < due:
                self.short_udp() if made % 2 == 0 else self.short_tcp()
                made += 1
            if now >= next_long:
                self.exchange_long()
                next_long += LONG_INTERVAL
            time.sleep(max(0.0, min(next_long, start + (made + 1) / rate) - time.monotonic()))


class Nfcore:
    def __init__(self, argv: list[str], directory: str) -> None:
        self.err = open(os.path.join(directory, "nfcore.err"), "w+")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self.err)
        self.rss: list[tuple[float, int, int]] = []  # (seconds, VmRSS KB, RssAnon KB)
        self.sampling = True
        self.sampler = threading.Thread(target=self.sample, daemon=True)

    def output(self) -> str:
        self.err.seek(0)
        return self.err.read()

    def capturing(self) -> bool:
        """Holds a packet socket (the capture is open)."""
        pid = self.proc.pid
        try:
            links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
            with open("/proc/net/packet") as f:
                sockets = {f"socket:[{line.split()[-1]}]" for line in list(f)[1:] if line.strip()}
        except OSError:
            return False
        return bool(links & sockets)

    def wait_capturing(self) -> None:
        start = time.monotonic()
        while not self.capturing():
            rc = self.proc.poll()
            if rc is not None:
                err = self.output().strip()
                if rc == 2 and ("cannot capture" in err or "cannot open interface" in err):
                    raise Skip(err)
                raise SystemExit(f"nfcore exited with status {rc} before capturing: {err}")
            if time.monotonic() - start > READY_TIMEOUT:
                raise SystemExit(f"nfcore did not start capturing on lo within {READY_TIMEOUT:.0f} s")
            time.sleep(0.05)
        time.sleep(SETTLE)
        self.sampler.start()

    def sample(self) -> None:
        start = time.monotonic()
        while self.sampling:
            try:
                with open(f"/proc/{self.proc.pid}/status") as f:
                    kb = {line.split(":")[0]: int(line.split()[1]) for line in f if line.startswith(("VmRSS", "RssAnon"))}
                self.rss.append((time.monotonic() - start, kb["VmRSS"], kb["RssAnon"]))
            except (OSError, KeyError):
                return
            time.sleep(1.0)

    def stop(self) -> str:
        self.sampling = False
        self.sampler.join()
        self.proc.send_signal(signal.SIGINT)
        try:
            rc = self.proc.wait(120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise SystemExit("nfcore did not exit within 120 s of SIGINT") from None
        out = self.output()
        if rc != 0:
            raise SystemExit(f"nfcore exited with status {rc}: {out.strip()[-2000:]}")
        return out

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.err.close()


class MockCluster:
    """librdkafka's mock cluster, and a consumer reading the flows from the start of the run: the mock cluster keeps
    only the latest few MB of each partition, so the flows are read while they come."""

    TOPIC, PARTITIONS = "flows", 6

    def __init__(self, binary: str) -> None:
        self.proc = subprocess.Popen([binary, self.TOPIC, str(self.PARTITIONS)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.bootstrap = self.proc.stdout.readline().strip()
        if not self.bootstrap:
            raise SystemExit("the mock cluster did not start")
        self.flows: list[dict] = []
        self.failure: str | None = None
        self.produced = threading.Event()  # set once the producer is done: read up to the end, then stop
        self.reader = threading.Thread(target=self.consume, daemon=True)
        self.reader.start()

    def consume(self) -> None:
        from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition  # checked in main
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "nfcore-soak", "enable.auto.commit": False})
        parts = [TopicPartition(self.TOPIC, p, OFFSET_BEGINNING) for p in range(self.PARTITIONS)]
        c.assign(parts)
        next_offset = [0] * self.PARTITIONS
        try:
            while True:
                for m in c.consume(10000, 0.5):
                    if m.error():
                        raise RuntimeError(str(m.error()))
                    if m.offset() != next_offset[m.partition()]:  # the cluster dropped what was not yet read
                        raise RuntimeError(f"partition {m.partition()}: offset {m.offset()} read after "
                                           f"{next_offset[m.partition()] - 1}")
                    next_offset[m.partition()] = m.offset() + 1
                    self.flows.append(json.loads(m.value()))
                if self.produced.is_set() and all(
                        next_offset[p.partition] >= c.get_watermark_offsets(p, 10)[1] for p in parts):
                    return
        except Exception as e:  # noqa: BLE001 (reported by messages(), on the main thread)
            self.failure = f"consumer: {e}"
        finally:
            c.close()

    def messages(self) -> list[dict]:
        """Every flow produced, once nfcore has exited (it waits for its deliveries)."""
        self.produced.set()
        self.reader.join(300)
        if self.reader.is_alive():
            raise SystemExit("the consumer did not reach the end of every partition within 300 s")
        if self.failure:
            raise SystemExit(self.failure)
        return self.flows

    def stop(self) -> None:
        self.produced.set()
        self.reader.join(60)
        self.proc.stdin.close()
        self.proc.wait(60)


def slope_kb_per_min(samples: list[tuple[float, int]], warmup: float) -> float | None:
    pts = [(t, kb) for t, kb in samples if t >= warmup]
    if len(pts) < 3:
        return None
    n = len(pts)
    mt, mk = sum(t for t, _ in pts) / n, sum(kb for _, kb in pts) / n
    var = sum((t - mt) ** 2 for t, _ in pts)
    return sum((t - mt) * (kb - mk) for t, kb in pts) / var * 60 if var else 0.0


def key(row: dict) -> tuple[int, int, int]:
    """(protocol, client port, server port) of a flow nfcore wrote: the client is the side that spoke first."""
    return int(row["protocol"]), int(row["src_port"]), int(row["dst_port"])


def match(gen: Generator, rows: list[dict]) -> dict:
    """Short flows one to one; each long flow's records adding up to the packets it exchanged."""
    got: Counter = Counter()
    long_got: dict[tuple[int, int, int], list[int]] = {k: [0, 0] for k in gen.long_packets}
    for r in rows:
        k = key(r)
        # a long flow's record after an active expiry starts with whichever side sent next
        long_key = k if k in long_got else (k[0], k[2], k[1])
        if long_key in long_got:
            long_got[long_key][0] += 1
            long_got[long_key][1] += int(r["bidirectional_packets"])
        else:
            got[k] += 1
    missing, extra = gen.flows - got, got - gen.flows
    incomplete = {k: (v[1], gen.long_packets[k]) for k, v in long_got.items() if v[1] != gen.long_packets[k]}
    return {"short_generated": sum(gen.flows.values()), "short_matched": sum((gen.flows & got).values()),
            "missing": sum(missing.values()), "extra": sum(extra.values()),
            "long_generated": len(gen.long_packets), "long_records": sum(v[0] for v in long_got.values()),
            "long_complete": len(long_got) - len(incomplete),
            "examples_missing": [list(k) for k in list(missing)[:5]],
            "examples_extra": [list(k) for k in list(extra)[:5]],
            "examples_incomplete": [[*k, *v] for k, v in list(incomplete.items())[:5]]}


def kernel_drops(out: str) -> int | None:
    for line in out.splitlines():
        if "packets dropped by the kernel (" in line:
            return int(line.split()[1])
    return None


def kafka_line(out: str) -> tuple[int, int, int] | None:
    """--kafka's messages delivered, dropped and failed, from nfcore's -v summary."""
    for line in out.splitlines():
        if line.startswith("nfcore: Kafka: "):
            n = [int(w) for w in line.replace(",", " ").split() if w.isdigit()]
            return n[0], n[1], n[2]
    return None


def soak(args: argparse.Namespace, directory: str) -> dict:
    servers = Servers()
    gen = Generator(servers, args.idle_timeout)
    cluster = MockCluster(args.kafka) if args.kafka else None
    out_path = os.path.join(directory, "flows.csv")
    bpf = f"host {LOCALHOST} and (udp port {servers.udp_port} or tcp port {servers.tcp_port})"
    argv = [args.nfcore, "-i", "lo", "-v", "--bpf-filter", bpf, "--idle-timeout", str(args.idle_timeout),
            "--active-timeout", str(args.active_timeout), *shlex.split(args.nfcore_args)]
    argv += ["--kafka", f"brokers={cluster.bootstrap},topic={cluster.TOPIC}"] if cluster else ["-o", out_path]
    nf = Nfcore(argv, directory)
    try:
        nf.wait_capturing()
        gen.open_long(args.long)
        gen.run(args.duration, args.rate)
        time.sleep(TAIL)
        gen.count_long()
        out = nf.stop()
        gen.close_long()
        if cluster:
            rows = cluster.messages()
        else:
            with open(out_path, newline="") as f:
                rows = list(csv.DictReader(f))
    finally:
        nf.close()
        gen.close_long()
        servers.stop()
        if cluster:
            cluster.stop()
    rss = nf.rss
    warmup = args.duration / 2
    result = {
        "sink": "kafka" if cluster else "csv", "duration_s": args.duration, "rate": args.rate,
        "idle_timeout": args.idle_timeout, "active_timeout": args.active_timeout, "exported": len(rows),
        **match(gen, rows), "kernel_dropped": kernel_drops(out), "kafka": kafka_line(out),
        "rss_start_kb": rss[0][1] if rss else None, "rss_end_kb": rss[-1][1] if rss else None,
        "rss_peak_kb": max(r[1] for r in rss) if rss else None,
        "rss_slope_kb_per_min": slope_kb_per_min([(t, kb) for t, kb, _ in rss], warmup),
        "anon_start_kb": rss[0][2] if rss else None, "anon_end_kb": rss[-1][2] if rss else None,
        "anon_slope_kb_per_min": slope_kb_per_min([(t, kb) for t, _, kb in rss], warmup), "warmup_s": warmup,
        "summary": [line for line in out.splitlines() if line.startswith("nfcore:")], "rss_kb": rss,
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("nfcore")
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of traffic")
    parser.add_argument("--rate", type=float, default=100.0, help="short flows a second")
    parser.add_argument("--long", type=int, default=8, help="long flows")
    parser.add_argument("--idle-timeout", type=int, default=3)
    parser.add_argument("--active-timeout", type=int, default=30)
    parser.add_argument("--nfcore-args", default="", help="more arguments for nfcore (shell-split), e.g. '-j 1'")
    parser.add_argument("--kafka", metavar="MOCK_CLUSTER", help="export to librdkafka's mock cluster")
    parser.add_argument("--check", action="store_true", help="exit 1 on a lost or extra flow or a drop")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    if args.kafka:
        try:
            import confluent_kafka  # noqa: F401  (the consumer that reads the flows back)
        except ImportError:
            print("SKIP: python3-confluent-kafka is not installed (scripts/install-deps.sh)")
            sys.exit(SKIP)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, _f: sys.exit(f"stopped by signal {s}"))
    with tempfile.TemporaryDirectory(prefix="nfc-soak-") as directory:
        try:
            r = soak(args, directory)
        except Skip as e:
            print(f"SKIP: nfcore may not capture on lo here: {e}")
            sys.exit(SKIP)
    slope, anon = r["rss_slope_kb_per_min"], r["anon_slope_kb_per_min"]
    print(f"soak ({r['sink']}): {r['duration_s']:g} s, {r['rate']:g} short flows/s, idle timeout "
          f"{r['idle_timeout']} s, active timeout {r['active_timeout']} s")
    print(f"short flows: {r['short_generated']} generated, {r['short_matched']} exported one to one, "
          f"{r['missing']} missing, {r['extra']} extra; long flows: {r['long_complete']} of {r['long_generated']} "
          f"complete in {r['long_records']} records; {r['exported']} records in all; kernel drops "
          f"{r['kernel_dropped']}" + (f"; Kafka delivered/dropped/failed {r['kafka']}" if r["kafka"] else ""))
    print(f"VmRSS: {r['rss_start_kb']} KB at start, {r['rss_end_kb']} KB at the end, peak {r['rss_peak_kb']} KB; "
          f"slope after {r['warmup_s']:g} s: {'n/a' if slope is None else f'{slope:+.1f}'} KB/min; of which "
          f"anonymous memory (the heap; the rest is mostly the capture buffer's mapping): {r['anon_start_kb']} -> "
          f"{r['anon_end_kb']} KB, {'n/a' if anon is None else f'{anon:+.1f}'} KB/min")
    for line in r["summary"]:
        print("  " + line)
    if r["missing"] or r["extra"] or r["long_complete"] != r["long_generated"]:
        print(f"(protocol, client port, server port) missing: {r['examples_missing']}; extra: "
              f"{r['examples_extra']}; long flows with other packet counts (..., exported, sent): "
              f"{r['examples_incomplete']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(r, f, indent=1)
    kafka_lost = r["kafka"] is not None and (r["kafka"][0] != r["exported"] or r["kafka"][1] or r["kafka"][2])
    if args.check and (r["missing"] or r["extra"] or r["long_complete"] != r["long_generated"] or kafka_lost
                       or r["kernel_dropped"] != 0 or r["short_generated"] == 0):
        sys.exit(1)


if __name__ == "__main__":
    main()
