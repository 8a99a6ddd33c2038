#!/usr/bin/env python3
"""`nfcore -i lo --performance-report 1`: nfstream's performance report, one JSON line a second on standard error.

Five UDP datagrams are sent on 127.0.0.1 to a port that the BPF filter selects; every line written is a JSON object
with nfstream's five keys in its order, counts that never decrease, a per-worker balance with one entry per worker
(-j 2) that sums to the packets metered, and, once the datagrams are in, 5 packets processed and no flow expired
yet (idle timeout 120 s). SIGINT then ends the run with status 0 and the one flow written.

Without -i, or with 0 seconds, the option is refused (exit status 2).

Usage: test_performance_report.py NFCORE
Exits 77 (skipped) when nfcore cannot capture on lo.
"""
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
TIMEOUT = 6.0
KEYS = ['flows_expired', 'packets_processed', 'packets_ignored', 'packets_dropped_filtered_by_kernel',
        'meters_packets_processing_balance']
DATAGRAMS = 5


def reports(err_path):
    with open(err_path) as f:
        lines = f.read().splitlines()
    for line in lines:
        assert line.startswith('{'), f'not a report: {line!r}'
    return [json.loads(line) for line in lines]


def wait_for(err_path, proc, done):
    start = time.monotonic()
    while time.monotonic() - start < TIMEOUT:
        if proc.poll() is not None:
            with open(err_path) as f:
                err = f.read().strip()
            if proc.returncode == 2 and ('cannot capture' in err or 'cannot open interface' in err):
                print(f'skipped: {err}')
                sys.exit(SKIP)
            raise AssertionError(f'nfcore exited with status {proc.returncode}: {err}')
        found = reports(err_path)
        if done(found):
            return found
        time.sleep(0.05)
    raise AssertionError(f'no such report within {TIMEOUT:.0f} s: {reports(err_path)}')


def check_refusals(nfcore):
    """Refused before any capture: without -i, and with no whole number of seconds."""
    for args, message in ((['-r', 'any.pcap', '--performance-report', '1'],
                           'nfcore: --performance-report applies to live capture (-i) only\n'),
                          (['-i', 'lo', '--performance-report', '0'],
                           "nfcore: --performance-report: '0' is not a whole number of at least 1\n")):
        r = subprocess.run([nfcore, *args], capture_output=True, text=True)
        assert (r.returncode, r.stdout, r.stderr) == (2, '', message), (args, r)


def main(nfcore):
    check_refusals(nfcore)
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(('127.0.0.1', 0))
    port = receiver.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        out, err_path = os.path.join(tmp, 'flows.csv'), os.path.join(tmp, 'err')
        with open(err_path, 'w') as err:
            proc = subprocess.Popen([nfcore, '-i', 'lo', '-o', out, '-j', '2', '--performance-report', '1',
                                     '--bpf-filter', f'udp and port {port}'],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        try:
            wait_for(err_path, proc, lambda found: len(found) >= 1)  # capturing: the first second is over
            sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for i in range(DATAGRAMS):
                sender.sendto(b'x' * (10 + i), ('127.0.0.1', port))
            found = wait_for(err_path, proc, lambda found: found[-1]['packets_processed'] == DATAGRAMS)
            proc.send_signal(signal.SIGINT)
            assert proc.wait(TIMEOUT) == 0, f'nfcore exited with status {proc.returncode}'
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        found = reports(err_path)  # the lines written until the end, none cut
        assert len(found) >= 2, found
        previous = None
        for report in found:
            assert list(report) == KEYS, report
            balance = report['meters_packets_processing_balance']
            assert len(balance) == 2 and all(isinstance(n, int) and n >= 0 for n in balance), report
            assert all(isinstance(report[k], int) and report[k] >= 0 for k in KEYS[:4]), report
            assert sum(balance) == report['packets_processed'] - report['packets_ignored'], report
            if previous:
                assert all(report[k] >= previous[k] for k in KEYS[:4]), (previous, report)
            previous = report
        last = found[-1]
        assert last['packets_processed'] == DATAGRAMS and last['packets_ignored'] == 0, last
        assert last['flows_expired'] == 0, last
        assert sorted(last['meters_packets_processing_balance']) == [0, DATAGRAMS], last
        with open(out, newline='') as f:
            rows = list(csv.DictReader(f))
        assert len(rows) == 1 and rows[0]['bidirectional_packets'] == str(DATAGRAMS), rows
    print(f'{len(found)} reports, the last: {json.dumps(last)}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
