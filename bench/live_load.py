#!/usr/bin/python3
"""Live capture under load: the highest replay rate that nfcore (and Debian's ndpiReader, side by side) capture
without losing a packet, and how much they lose above it.

usage (as root): python3 bench/live_load.py NFCORE MAKE_TRAFFIC_PCAP [--rates 50000,100000,...,0] [--seconds S]
                 [--repeats N] [--config NAME=ARGS ...] [--ndpireader PATH|none] [--json FILE]

The benchmark makes a network namespace of its own with a veth pair: one end stays here and Debian's tcpreplay
(`-K --loop N --pps R`, or `--topspeed` for the rate 0) sends a capture of make_traffic_pcap's synthetic traffic
into it; the other end is in the namespace, where each capturer reads it. A step (one capturer, one rate) lasts
about S seconds of replay; every step runs N times, the capturers alternating, since the machine may be shared.

A step is lossless when the capturer counted every packet tcpreplay sent: nfcore's count is its summary's (-v),
ndpiReader's its "packets total"; nfcore also says how many of them libpcap's counters (ps_drop + ps_ifdrop) saw
dropped. A rate is held when every repeat of its step, and of every step before it, is lossless. The namespace and the veth pair are removed on
every way out (end, error, Ctrl+C, SIGTERM, SIGHUP), and a run killed outright leaves them to the next run, which
removes the ones whose process is gone.

--config NAME=ARGS adds an nfcore configuration (its extra arguments, shell-split), e.g. to compare capture
buffers: --config 'libpcap-2MB=--socket-buffer-size 2097152' --config 'default='. Without it, nfcore runs with
its defaults.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

PREFIX = "nfcload"
READY_TIMEOUT = 20.0  # nfcore and ndpiReader open their packet socket within a second or so
SETTLE = 2.0  # after the socket appears: the capturer finishes its start (ndpiReader opens it first)
TAIL = 1.0  # after the replay: the capturer reads what the kernel still holds


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(argv, check=check, capture_output=True, text=True)


class Veth:
    """A namespace with one end of a veth pair in it; the other end stays in the caller's namespace."""

    def __init__(self) -> None:
        tag = f"{PREFIX}{os.getpid()}"
        self.ns, self.tx, self.rx = tag, f"{tag}t"[-15:], f"{tag}r"[-15:]
        self.up = False

    def create(self) -> None:
        self.up = True
        sh("ip", "netns", "add", self.ns)
        sh("ip", "link", "add", self.tx, "type", "veth", "peer", "name", self.rx, "netns", self.ns)
        # Neither end sends anything of its own (IPv6 neighbour discovery, MLD): what the capturer sees is
        # exactly what tcpreplay sent.
        sh("sysctl", "-q", "-w", f"net.ipv6.conf.{self.tx}.disable_ipv6=1")
        self.netns("sysctl", "-q", "-w", f"net.ipv6.conf.{self.rx}.disable_ipv6=1")
        sh("ip", "link", "set", self.tx, "arp", "off", "up")
        self.netns("ip", "link", "set", self.rx, "arp", "off", "up")

    def netns(self, *argv: str) -> subprocess.CompletedProcess:
        return sh("ip", "netns", "exec", self.ns, *argv)

    def counters(self) -> dict[str, int]:
        """The receiving end's received packets and the sending end's drops (a full receive backlog)."""
        rx = int(self.netns("cat", f"/sys/class/net/{self.rx}/statistics/rx_packets").stdout)
        with open(f"/sys/class/net/{self.tx}/statistics/tx_dropped") as f:
            return {"rx": rx, "tx_dropped": int(f.read())}

    def remove(self) -> None:
        if self.up:
            remove(self.ns, self.tx)
            self.up = False


def remove(ns: str, tx: str) -> None:
    sh("ip", "link", "del", tx, check=False)
    sh("ip", "netns", "del", ns, check=False)


def remove_stale() -> None:
    """Namespaces left by runs killed outright (SIGKILL): their process is gone."""
    for line in sh("ip", "netns", "list").stdout.splitlines():
        m = re.match(rf"({PREFIX}(\d+))\b", line)
        if m and not os.path.exists(f"/proc/{m.group(2)}"):
            remove(m.group(1), f"{m.group(1)}t"[-15:])


def on_signal(sig: int, _frame) -> None:
    raise SystemExit(f"stopped by signal {sig}")


def packet_sockets(pid: int) -> int:
    """Packet sockets open in the process's namespace (it is the only process capturing there)."""
    try:
        with open(f"/proc/{pid}/net/packet") as f:
            return len(f.readlines()) - 1
    except OSError:
        return 0


class Capturer:
    """nfcore or ndpiReader reading the namespace's end; stopped with SIGINT."""

    def __init__(self, name: str, argv: list[str], veth: Veth, directory: str) -> None:
        self.name = name
        self.err = open(os.path.join(directory, "capturer.err"), "w+")
        self.proc = subprocess.Popen(["ip", "netns", "exec", veth.ns, *argv], stdin=subprocess.DEVNULL,
                                     stdout=self.err, stderr=subprocess.STDOUT)
        start = time.monotonic()
        while packet_sockets(self.proc.pid) == 0:
            if self.proc.poll() is not None or time.monotonic() - start > READY_TIMEOUT:
                self.proc.kill()
                raise SystemExit(f"{name} did not start capturing: {self.output()[-2000:]}")
            time.sleep(0.05)
        time.sleep(SETTLE)

    def output(self) -> str:
        self.err.seek(0)
        return self.err.read()

    def kill(self) -> None:
        """Ends it if it still runs (an error or a signal stopped the step)."""
        if self.proc.returncode is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> tuple[str, float]:
        """Its output and CPU seconds (user + system, all threads)."""
        self.proc.send_signal(signal.SIGINT)
        end = time.monotonic() + 60
        while True:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > end:
                self.proc.kill()
                raise SystemExit(f"{self.name} did not stop within 60 s of SIGINT")
            time.sleep(0.05)
        self.proc.returncode = rc = os.waitstatus_to_exitcode(status)
        out = self.output()
        self.err.close()
        if rc != 0:
            raise SystemExit(f"{self.name} exited with status {rc}: {out[-2000:]}")
        return out, usage.ru_utime + usage.ru_stime


def nfcore_counts(out: str) -> tuple[int, int]:
    m = re.search(r"^nfcore: (\d+) packets \(", out, re.M)
    k = re.search(r"^nfcore: (\d+) packets dropped by the kernel", out, re.M)
    if not m:
        raise SystemExit(f"no packet count in nfcore's summary: {out[-2000:]}")
    return int(m.group(1)), int(k.group(1)) if k else 0


def ndpi_counts(out: str) -> tuple[int, int]:
    m = re.search(r"IP packets:\s+\d+\s+of (\d+) packets total", out)
    if not m:
        # ndpiReader prints no statistics when it read no packet at all
        if "Traffic statistics" not in out:
            return 0, -1
        raise SystemExit(f"no packet count in ndpiReader's output: {out[-2000:]}")
    return int(m.group(1)), -1  # ndpiReader does not report libpcap's drop counters


def replay(veth: Veth, capture: str, packets: int, rate: int, seconds: float) -> dict:
    loops = max(1, round((rate or 400000) * seconds / packets))
    timing = ["--topspeed"] if rate == 0 else ["--pps", str(rate), "--pps-multi", str(max(1, rate // 50000))]
    r = sh("tcpreplay", "-K", "--loop", str(loops), *timing, "-i", veth.tx, capture, check=False)
    out = r.stdout + r.stderr
    sent = re.search(r"Actual: (\d+) packets .* sent in ([\d.]+) seconds", out)
    pps = re.search(r"Rated: .* ([\d.]+) pps", out)
    failed = re.search(r"Failed packets:\s+(\d+)", out)
    if r.returncode != 0 or not sent or not pps:
        raise SystemExit(f"tcpreplay failed ({r.returncode}): {out[-2000:]}")
    return {"sent": int(sent.group(1)), "seconds": float(sent.group(2)), "pps": float(pps.group(1)),
            "send_failed": int(failed.group(1)) if failed else 0}


def count_packets(path: str) -> int:
    """Records in a classic pcap file (make_traffic_pcap writes little-endian microsecond ones)."""
    n = 0
    with open(path, "rb") as f:
        f.seek(24)
        while header := f.read(16):
            f.seek(struct.unpack("<I", header[8:12])[0], os.SEEK_CUR)
            n += 1
    return n


def step(veth: Veth, name: str, argv: list[str], counts, capture: str, packets: int, rate: int, seconds: float,
         directory: str) -> dict:
    before = veth.counters()
    cap = Capturer(name, argv, veth, directory)
    try:
        res = replay(veth, capture, packets, rate, seconds)
        time.sleep(TAIL)
        out, cpu = cap.stop()
    finally:
        cap.kill()
    after = veth.counters()
    counted, pcap_dropped = counts(out)
    res.update(counted=counted, pcap_dropped=pcap_dropped, cpu=cpu, delivered=after["rx"] - before["rx"],
               backlog_dropped=after["tx_dropped"] - before["tx_dropped"])
    res["lost"] = res["sent"] - counted
    return res


def summarise(name: str, rates: list[int], results: dict) -> dict:
    """The highest rate held (every repeat of it and of every step before it lossless), and the loss at each
    rate."""
    print(f"\n{name}:")
    print(f"  {'rate (pps)':>11} {'sent pps':>9} {'sent':>9} {'lost':>8} {'loss %':>7} {'pcap drop':>9} "
          f"{'backlog':>7} {'CPU s':>6}  repeats")
    held, rows, losing = None, [], False
    for rate in rates:
        runs = results[rate]
        loss = [r["lost"] / r["sent"] for r in runs]
        row = {"rate": rate, "pps": statistics.median(r["pps"] for r in runs),
               "loss_median": statistics.median(loss), "loss_max": max(loss), "runs": runs}
        rows.append(row)
        losing = losing or any(r["lost"] for r in runs)
        if not losing:
            held = row
        label = "top" if rate == 0 else str(rate)
        pcap = ",".join(str(r["pcap_dropped"]) for r in runs) if runs[0]["pcap_dropped"] >= 0 else "n/a"
        print(f"  {label:>11} {row['pps']:>9.0f} {statistics.median(r['sent'] for r in runs):>9.0f} "
              f"{statistics.median(r['lost'] for r in runs):>8.0f} {row['loss_median'] * 100:>7.3f} {pcap:>9} "
              f"{statistics.median(r['backlog_dropped'] for r in runs):>7.0f} "
              f"{statistics.median(r['cpu'] for r in runs):>6.2f}  "
              + " ".join(f"{r['lost']}/{r['sent']}" for r in runs))
    above = rows[rows.index(held) + 1:] if held else rows
    if held:
        print(f"  highest lossless: {held['pps']:.0f} pps (step {'top' if held['rate'] == 0 else held['rate']})")
    else:
        print("  no lossless step")
    for r in above:
        print(f"  above it: {r['pps']:.0f} pps loses {r['loss_median'] * 100:.3f} % (median; max "
              f"{r['loss_max'] * 100:.3f} %)")
    return {"held_pps": held["pps"] if held else 0, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("nfcore")
    parser.add_argument("make_traffic_pcap")
    parser.add_argument("--rates", default="50000,100000,200000,300000,400000,500000,0",
                        help="packets/s of each step, 0 for tcpreplay's top speed")
    parser.add_argument("--seconds", type=float, default=5.0, help="replay time of a step")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--flows", type=int, default=2000, help="flows of the replayed capture")
    parser.add_argument("--config", action="append", default=[], metavar="NAME=ARGS")
    parser.add_argument("--ndpireader", default="/usr/bin/ndpiReader", help="'none' to leave it out")
    parser.add_argument("--json", help="write every step's figures here")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("live_load: needs root (a network namespace and a veth pair)")
    for tool in ("ip", "tcpreplay", "sysctl"):
        if sh("sh", "-c", f"command -v {tool}", check=False).returncode != 0:
            sys.exit(f"live_load: {tool} not found (Debian: iproute2, tcpreplay, procps)")
    rates = [int(r) for r in args.rates.split(",")]
    veth = Veth()
    capturers = []
    for spec in args.config or ["nfcore="]:
        name, _, extra = spec.partition("=")
        capturers.append((name, [args.nfcore, *shlex.split(extra), "-i", veth.rx, "-v", "-o", "/dev/null"], nfcore_counts))
    if args.ndpireader != "none":
        if not os.access(args.ndpireader, os.X_OK):
            sys.exit(f"live_load: {args.ndpireader} not found (Debian: libndpi-bin), or --ndpireader none")
        capturers.append(("ndpiReader", [args.ndpireader, "-i", veth.rx], ndpi_counts))

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    remove_stale()
    with tempfile.TemporaryDirectory(prefix="nfc-live-load-") as directory:
        try:
            capture = os.path.join(directory, "traffic.pcap")
            sh(args.make_traffic_pcap, "--flows", str(args.flows), "--concurrency", str(max(1, args.flows // 10)),
               capture)
            packets = count_packets(capture)
            veth.create()
            print(f"capture: {args.flows} flows, {packets} packets; {args.seconds:g} s a step, {args.repeats} "
                  f"repeats, {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.2f} at start)")
            results = {name: {rate: [] for rate in rates} for name, _, _ in capturers}
            for rate in rates:
                for _ in range(args.repeats):
                    for name, argv, counts in capturers:
                        r = step(veth, name, argv, counts, capture, packets, rate, args.seconds, directory)
                        results[name][rate].append(r)
                        print(f"  {name} @ {'top' if rate == 0 else rate}: sent {r['sent']} at {r['pps']:.0f} pps, "
                              f"counted {r['counted']}, lost {r['lost']}", flush=True)
            summary = {name: summarise(name, rates, results[name]) for name, _, _ in capturers}
            print(f"\nload average at the end: {os.getloadavg()[0]:.2f} (the machine may be shared)")
            if args.json:
                with open(args.json, "w") as f:
                    json.dump({"packets": packets, "flows": args.flows, "summary": summary}, f, indent=1)
        finally:
            veth.remove()


if __name__ == "__main__":
    main()
