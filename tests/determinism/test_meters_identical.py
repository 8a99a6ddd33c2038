#!/usr/bin/env python3
"""nfcore's output must not depend on the number of meter threads (-j N): every column of every flow, in the same
order, except nDPI's application columns, which may differ for a few flows because each meter has its own nDPI
module and caches. For a fixed N the output must be byte-identical from run to run.

Checks, each a pass or a failure:
- a capture written by make_traffic_pcap (20000 interleaved flows, 2000 open at once), with
  --statistical-analysis --splt-analysis 10, for N = 2, 3, 4 against N = 1, and N = 2 run twice;
- the same capture with three plugins (ack_count, splt, and packet_digest, which digests every packet shown to
  plugins), N = 3 against N = 1;
- hand-built packets (frames of more than 64 KB, an IPv4 and an IPv6 packet sharing a flow) with packet_digest,
  N = 2 against N = 1;
- when the shared conformance data exists (../../../shared, or $NFC_SHARED_DIR), every capture of
  conformance/nfstream/pcaps for N = 2, 3, 4 against N = 1, and with --n-dissections 1 (nDPI then reads past
  the first packet for as long as it wants more) for N = 2 against N = 1.
A check fails on any difference outside the nDPI columns, on more than 0.5% of flows differing in them, on an exit
status other than 0 or 1 (1: a damaged capture, read anyway) or different between N, on a sanitizer report
on standard error, on an empty output (two empty outputs are identical), and on a run whose --verbose summary does
not report N worker threads for -j N (none for -j 1): were -j N to start fewer, every check would compare -j 1 with
itself. The flows whose nDPI columns differ are counted for each N.

usage: test_meters_identical.py NFCORE TOOLS_DIR [--build DIR] [--jobs N]
TOOLS_DIR holds make_traffic_pcap; DIR (default: TOOLS_DIR's parent) holds examples/ and plugins/.
"""
import argparse
import csv
import io
import os
import re
import struct
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

NDPI_COLUMNS = ('application_name', 'application_category_name', 'application_is_guessed',
                'application_confidence', 'requested_server_name', 'client_fingerprint', 'server_fingerprint',
                'user_agent', 'content_type')
OPTIONS = ['--statistical-analysis', '--splt-analysis', '10']
FLOWS = 20000  # in the generated capture; idle and active expiry split a few more
METERS = (1, 2, 3, 4)
MAX_NDPI_SHARE = 0.005
TIMEOUT_S = 300  # one nfcore run; generous for sanitizer builds
SHOWN = 5        # differences printed per comparison


def workers_reported(stderr):
    """The worker threads that nfcore's --verbose summary says ran, or None when it says nothing about them."""
    if re.search(r'^nfcore: no worker thread', stderr, re.MULTILINE):
        return 0
    m = re.search(r'^nfcore: (\d+) worker threads$', stderr, re.MULTILINE)
    return int(m.group(1)) if m else None


class Run:
    """One nfcore run: exit status, output, and what went wrong with it (None when nothing)."""

    def __init__(self, nfcore, captures, options, meters):
        args = [nfcore] + [a for c in captures for a in ('-r', c)] + options + ['-j', str(meters), '--verbose']
        self.label = f'-j {meters}'
        try:
            done = subprocess.run(args, capture_output=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.status, self.stdout, self.error = None, b'', f'no result after {TIMEOUT_S} s: {" ".join(args)}'
            return
        self.status, self.stdout = done.returncode, done.stdout
        stderr = done.stderr.decode(errors='replace')
        if 'Sanitizer' in stderr or 'runtime error' in stderr:
            self.error = f'sanitizer report: {stderr.strip()[-3000:]}'
        elif done.returncode not in (0, 1):
            self.error = f'exit status {done.returncode}: {stderr.strip()[-2000:]}'
        elif workers_reported(stderr) != (meters if meters > 1 else 0):
            self.error = (f'{meters if meters > 1 else 0} worker threads expected, the --verbose summary reports '
                          f'{workers_reported(stderr)}: {stderr.strip()[-1000:]}')
        else:
            self.error = None


def rows(output):
    reader = csv.reader(io.StringIO(output.decode(errors='surrogateescape')))
    return next(reader, []), list(reader)


class Comparison:
    """A run against the reference (-j 1) run: problems outside nDPI, and the flows differing in nDPI columns."""

    def __init__(self, reference, run):
        self.problems = [f'{r.label}: {r.error}' for r in (reference, run) if r.error is not None]
        self.ndpi_rows, self.flows, self.ndpi_shown = 0, 0, []
        if self.problems:
            return
        if run.status != reference.status:
            self.problems.append(f'exit status {run.status}, {reference.status} with {reference.label}')
        header, ref_rows = rows(reference.stdout)
        self.flows = len(ref_rows)
        if not ref_rows:
            self.problems.append(f'no flows with {reference.label}: two empty outputs would pass')
            return
        if run.stdout == reference.stdout:
            return
        run_header, run_rows = rows(run.stdout)
        if run_header != header:
            self.problems.append('the header differs')
            return
        if len(run_rows) != len(ref_rows):
            self.problems.append(f'{len(run_rows)} flows, {len(ref_rows)} with {reference.label}')
        ndpi = {i for i, name in enumerate(header) if name in NDPI_COLUMNS}
        core_rows = 0
        for ref, act in zip(ref_rows, run_rows):
            if len(ref) != len(header) or len(act) != len(header):
                self.problems.append(f'flow {ref[0]}: {len(ref)} and {len(act)} fields, {len(header)} columns')
                return
            differ = [i for i in range(len(header)) if ref[i] != act[i]]
            core = [i for i in differ if i not in ndpi]
            if core:
                core_rows += 1
                if core_rows <= SHOWN:
                    self.problems.append(f'flow {ref[0]}: ' + ', '.join(
                        f'{header[i]} {ref[i]!r} with {reference.label}, {act[i]!r}' for i in core[:3]))
            if len(core) < len(differ):
                self.ndpi_rows += 1
                if len(self.ndpi_shown) < SHOWN:
                    self.ndpi_shown.append(f'flow {ref[0]}: ' + ', '.join(
                        f'{header[i]} {ref[i]!r} -> {act[i]!r}' for i in differ if i in ndpi))
        if core_rows > SHOWN:
            self.problems.append(f'... {core_rows} flows in all differ outside the nDPI columns')


class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, problems):
        if problems:
            self.failed += 1
            print(f'FAIL {name}')
            for p in problems:
                print(f'    {p}')
        else:
            self.passed += 1
            print(f'ok   {name}')
        sys.stdout.flush()


def ndpi_problems(ndpi_rows, flows):
    if flows and ndpi_rows > MAX_NDPI_SHARE * flows:
        return [f'{ndpi_rows} of {flows} flows differ in nDPI columns, more than {MAX_NDPI_SHARE:.1%}']
    return []


def too_few(flows):
    """Identical but truncated output would pass a comparison."""
    return [f'{flows} flows, fewer than the {FLOWS} written'] if flows < FLOWS else []


def check_generated(report, nfcore, capture, build, pool):
    runs = {n: pool.submit(Run, nfcore, [capture], OPTIONS, n) for n in METERS}
    again = pool.submit(Run, nfcore, [capture], OPTIONS, 2)
    reference = runs[1].result()
    for n in METERS[1:]:
        c = Comparison(reference, runs[n].result())
        print(f'generated capture, -j {n}: {c.ndpi_rows} of {c.flows} flows differ from -j 1 in nDPI columns')
        for line in c.ndpi_shown:
            print(f'    {line}')
        short = too_few(c.flows) if not c.problems else []
        report.check(f'generated capture: -j {n} = -j 1', c.problems + short + ndpi_problems(c.ndpi_rows, c.flows))
    first, second = runs[2].result(), again.result()
    problems = [f'{r.label}: {r.error}' for r in (first, second) if r.error is not None]
    if not problems and (first.stdout != second.stdout or first.status != second.status):
        problems.append('two runs with -j 2 differ')
    if not problems:
        problems += too_few(len(rows(first.stdout)[1]))
    report.check('generated capture: -j 2 twice, byte-identical', problems)

    # packet_digest folds every field and byte of every packet shown to plugins: the meters rebuild each packet
    # from the table's work item, and must show plugins exactly what the table saw.
    plugins = ['--plugin', os.path.join(build, 'examples', 'ack_count.so'),
               '--plugin', os.path.join(build, 'plugins', 'splt.so') + ':sequence_length=5,accounting_mode=0',
               '--plugin', os.path.join(build, 'tests', 'sdk', 'packet_digest.so')]
    with_plugins = {n: pool.submit(Run, nfcore, [capture], OPTIONS + plugins, n) for n in (1, 3)}
    c = Comparison(with_plugins[1].result(), with_plugins[3].result())
    print(f'generated capture with plugins, -j 3: {c.ndpi_rows} of {c.flows} flows differ from -j 1 in nDPI columns')
    short = too_few(c.flows) if not c.problems else []
    report.check('generated capture with plugins: -j 3 = -j 1',
                 c.problems + short + ndpi_problems(c.ndpi_rows, c.flows))


def write_odd_packets(path):
    """Packets whose work item cannot be taken from the flow's key and ipsize alone: frames of more than 64 KB,
    whose payload lies past the 16-bit ipsize, and an IPv4 and an IPv6 packet that share a flow (their 16 address
    bytes are equal). Before each large frame, enough one-packet flows of full-size packets (each one copied for
    nDPI) that the copies wrap around a meter's byte ring."""
    def eth(ethertype):
        return bytes.fromhex('020000000001020000000002') + struct.pack('!H', ethertype)

    def tcp(sport, dport, payload):
        return struct.pack('!HHIIBBHHH', sport, dport, 1, 0, 5 << 4, 0x18, 1000, 0, 0) + payload

    def ipv4(src, dst, l4):
        return struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), 0, 0, 64, 6, 0, src, dst) + l4

    def ipv6(src, dst, l4):
        return struct.pack('!IHBB16s16s', 6 << 28, len(l4), 6, 64, src, dst) + l4

    a, b = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    frames = []
    for round_ in range(3):
        frames += [eth(0x800) + ipv4(a, b, tcp(10000 + i, 80, bytes([round_]) * 1448)) for i in range(6000)]
        large = eth(0x800) + ipv4(a, b, tcp(2000 + round_, 80, bytes([0xab + round_]) * 100))
        frames.append(large + bytes(14 + 65536 + 40 - len(large)))
    c, d = bytes([10, 0, 1, 1]), bytes([10, 0, 1, 2])
    frames.append(eth(0x800) + ipv4(c, d, tcp(2222, 80, b'x' * 10)))
    frames.append(eth(0x86dd) + ipv6(c + bytes(12), d + bytes(12), tcp(2222, 80, b'y' * 10)))
    frames.append(eth(0x86dd) + ipv6(d + bytes(12), c + bytes(12), tcp(80, 2222, b'z' * 10)))
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for i, frame in enumerate(frames):
            f.write(struct.pack('<IIII', 1_700_000_000 + i // 1000, i % 1000 * 1000, len(frame), len(frame)) + frame)


def check_odd_packets(report, nfcore, capture, build):
    digest = ['--plugin', os.path.join(build, 'tests', 'sdk', 'packet_digest.so')]
    runs = {n: Run(nfcore, [capture], OPTIONS + digest, n) for n in (1, 2)}
    c = Comparison(runs[1], runs[2])
    report.check('large frames and IPv4/IPv6 sharing a flow, with plugins: -j 2 = -j 1',
                 c.problems + ndpi_problems(c.ndpi_rows, c.flows))


def shared_pcaps():
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.environ.get('NFC_SHARED_DIR') or os.path.join(here, '..', '..', '..', 'shared')
    return os.path.join(shared, 'conformance', 'nfstream', 'pcaps')


def check_conformance(report, nfcore, pcaps, pool, options, meters, label):
    names = sorted(n for n in os.listdir(pcaps) if os.path.isfile(os.path.join(pcaps, n)))
    runs = {(name, n): pool.submit(Run, nfcore, [os.path.join(pcaps, name)], options, n)
            for name in names for n in meters}
    for n in meters[1:]:
        problems, ndpi_rows, flows, captures = [], 0, 0, 0
        for name in names:
            c = Comparison(runs[name, 1].result(), runs[name, n].result())
            problems += [f'{name}: {p}' for p in c.problems]
            ndpi_rows += c.ndpi_rows
            flows += c.flows
            captures += c.ndpi_rows > 0
            for line in c.ndpi_shown[:1]:
                print(f'    {name}: {line}')
        print(f'{label}, -j {n}: {ndpi_rows} of {flows} flows in {captures} of {len(names)} captures '
              f'differ from -j 1 in nDPI columns')
        report.check(f'{label}: -j {n} = -j 1', problems + ndpi_problems(ndpi_rows, flows))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('nfcore')
    ap.add_argument('tools')
    ap.add_argument('--build')
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    build = args.build or os.path.dirname(os.path.abspath(args.tools))
    report = Report()

    with tempfile.TemporaryDirectory(prefix='nfc-meters-') as tmp, ThreadPoolExecutor(args.jobs) as pool:
        capture = os.path.join(tmp, 'traffic.pcap')
        subprocess.run([os.path.join(args.tools, 'make_traffic_pcap'), '--flows', str(FLOWS), '--concurrency', '2000',
                        capture], check=True, timeout=TIMEOUT_S)
        check_generated(report, args.nfcore, capture, build, pool)
        odd = os.path.join(tmp, 'odd.pcap')
        write_odd_packets(odd)
        check_odd_packets(report, args.nfcore, odd, build)
        pcaps = shared_pcaps()
        if os.path.isdir(pcaps):
            check_conformance(report, args.nfcore, pcaps, pool, OPTIONS, METERS, 'conformance captures')
            # With one dissection, nDPI goes on reading a flow's packets for as long as it wants more.
            check_conformance(report, args.nfcore, pcaps, pool, ['--n-dissections', '1'], (1, 2),
                              'conformance captures, --n-dissections 1')
        else:
            print(f'SKIPPED: the conformance captures part (-j 1 to 4 on nfstream\'s captures): not found at {pcaps} '
                  '(set NFC_SHARED_DIR to the shared folder)')

    print(f'meters identical: {report.passed} passed, {report.failed} failed')
    return 1 if report.failed else 0


if __name__ == '__main__':
    sys.exit(main())
