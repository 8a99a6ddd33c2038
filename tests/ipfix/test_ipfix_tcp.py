#!/usr/bin/python3
"""A TCP export to a collector on libfixbuf's listener (tests/ipfix/collector.c) that is killed and started again
in the middle of the run: the exporter connects again, sends the templates first, and counts what it lost. The
records received are exactly the CSV's flows less those counted lost (exit 1, said on standard error), each once,
with flowEndReason idle (1) for the flows the idle timeout ended and forced end (4) for those the input's end did.
A collector that accepts the connection but reads nothing neither stalls the run nor makes it hang at the end:
what it did not take is counted.

The capture is written by the test into a FIFO, in four phases of FLOWS one-packet UDP flows 100 s of packet time
apart (--idle-timeout 10: each phase ends the one before; -j 1, so that a flow is handed out as soon as it ends):
phase 0 ended while the first collector runs, phase 1 once it is killed (all lost: the exporter finds the
connection closed, and cannot connect again), phase 2 once the second one runs (the exporter connects again at the
first record), phase 3 by the end of the input.

usage: test_ipfix_tcp.py NFCORE COLLECTOR
"""
import csv
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

FLOWS = 200
PHASES = 4


def free_tcp_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def packet(seconds, sport):
    udp = struct.pack('!HHHH', sport, 9999, 12, 0) + b'flow'
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, bytes([10, 0, 0, 1]),
                     bytes([10, 0, 0, 2])) + udp
    frame = bytes.fromhex('020000000001020000000002') + struct.pack('!H', 0x0800) + ip
    return struct.pack('<IIII', seconds, 0, len(frame), len(frame)) + frame


def phase(k):
    """Phase k's packets: a flow per source port 10000 + 1000 k + i, one packet each, 100 s after phase k - 1."""
    return b''.join(packet(1_000_000 + 100 * k, 10000 + 1000 * k + i) for i in range(FLOWS))


def start_collector(collector, port, output):
    proc = subprocess.Popen([collector, str(port), output], stdout=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != 'ready':
        raise RuntimeError('the collector did not start')
    return proc


def lines_when_settled(path, at_least, timeout=20):
    """The collector's lines once there are at least `at_least` and no more come for half a second."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        with open(path) as f:
            lines = f.read().splitlines()
        if lines != last:
            last, since = lines, time.monotonic()
        elif len(lines) >= at_least and time.monotonic() - since > 0.5:
            break
        time.sleep(0.05)
    return last


def check_stuck_collector(nfcore, tmp, problems):
    """A listener that never reads: the socket buffers fill, the exporter gives up on it (and on the connections
    it makes again) and counts the records; the run ends within a bounded time with exit 1."""
    flows = 60000
    pcap = os.path.join(tmp, 'many.pcap')
    with open(pcap, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        f.write(b''.join(packet(1_000_000, 1024 + i) for i in range(flows)))
    with socket.socket() as listener:
        listener.bind(('127.0.0.1', 0))
        listener.listen(8)
        start = time.monotonic()
        run = subprocess.run([nfcore, '-r', pcap, '--ipfix', f'tcp://127.0.0.1:{listener.getsockname()[1]}'],
                             capture_output=True, text=True, timeout=90)
        elapsed = time.monotonic() - start
    counts = re.search(r'IPFIX: (\d+) records sent, (\d+) dropped \(queue full\), (\d+) failed', run.stderr)
    if (run.returncode != 1 or not counts or sum(map(int, counts.groups())) != flows or
            int(counts.group(1)) == flows or elapsed > 60):
        problems.append(f'a collector that reads nothing: exit {run.returncode} after {elapsed:.1f} s, '
                        f'{run.stderr!r}')
    else:
        print(f'a collector that reads nothing: {counts.group(0)} in {elapsed:.1f} s')


def main():
    nfcore, collector = sys.argv[1], sys.argv[2]
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        port = free_tcp_port()
        out1, out2, fifo, flows = (os.path.join(tmp, n) for n in ('first.txt', 'second.txt', 'capture', 'flows.csv'))
        os.mkfifo(fifo)
        first = start_collector(collector, port, out1)
        run = subprocess.Popen([nfcore, '-r', fifo, '-j', '1', '--idle-timeout', '10', '--ipfix', f'tcp://127.0.0.1:{port}',
                                '-o', flows, '-v'], stderr=subprocess.PIPE, text=True)
        second = None
        try:
            with open(fifo, 'wb', buffering=0) as capture:
                capture.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1) + phase(0) + phase(1))
                received_first = lines_when_settled(out1, FLOWS)
                first.kill()
                first.wait()
                capture.write(phase(2))
                time.sleep(1)
                second = start_collector(collector, port, out2)
                time.sleep(1.5)  # the exporter tries again once a second
                capture.write(phase(3))
            stderr = run.communicate(timeout=60)[1]
            received_second = lines_when_settled(out2, FLOWS)
        finally:
            for proc in (first, second, run):
                if proc and proc.poll() is None:
                    proc.kill()
                    proc.wait()
        with open(flows, newline='') as f:
            rows = list(csv.DictReader(f))
        check_stuck_collector(nfcore, tmp, problems)
    port_of = {int(r['id']): int(r['src_port']) for r in rows}
    counts = re.search(r'IPFIX: (\d+) records sent, (\d+) dropped \(queue full\), (\d+) failed', stderr)
    received = [tuple(map(int, line.split())) for line in received_first + received_second]
    ids = [flow_id for flow_id, _ in received]
    if len(rows) != PHASES * FLOWS:
        problems.append(f'{len(rows)} flows in the CSV, expected {PHASES * FLOWS}')
    if run.returncode != 1 or not counts or 'records lost' not in stderr:
        problems.append(f'nfcore exited {run.returncode}, stderr {stderr!r}: expected 1 and the losses counted')
    else:
        sent, dropped, failed = map(int, counts.groups())
        if failed != FLOWS or sent != len(received) or sent + dropped + failed != len(rows):
            problems.append(f'{sent} sent, {dropped} dropped, {failed} failed; {len(received)} received of '
                            f'{len(rows)}')
    if len(set(ids)) != len(ids) or not set(ids) <= set(port_of):
        problems.append('records received twice, or not in the CSV')
    phases = {}
    for flow_id, reason in received:
        k = (port_of.get(flow_id, 0) - 10000) // 1000
        phases[k] = phases.get(k, 0) + 1
        if reason != (4 if k == PHASES - 1 else 1):
            problems.append(f'flow {flow_id} of phase {k}: flowEndReason {reason}')
            break
    if phases != {0: FLOWS, 2: FLOWS, 3: FLOWS}:
        problems.append(f'records received by phase: {phases}; expected all of phases 0, 2 and 3')
    for p in problems:
        print(p)
    print(f'TCP: {len(received_first)} records to the first collector, {len(received_second)} to the second, '
          f'{counts.group(0) if counts else "no summary"}; {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
