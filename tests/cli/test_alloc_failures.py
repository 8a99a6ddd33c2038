#!/usr/bin/env python3
"""Allocation failures: the allocations of a run failed one at a time, through the hook of core/util/alloc.h.

A counting run (NFC_ALLOC_TRACE) numbers a run's allocations, nfcore's own and nDPI's once its module is set up,
and names each one's site (file:line, "nDPI flow" for nDPI's flow states, "nDPI" for its other blocks); it is made
twice, and must number them the same way both times (but with meter threads, whose allocations may interleave
otherwise: then N may name another site in another run, and every run is checked all the same). Then the run that
fails allocation N (NFC_FAIL_ALLOC=N) must end with:
- status 0, 1 or 2, and no sanitizer report (in the ASan build LeakSanitizer checks every run for leaks);
- with status 0, nothing on standard error and exactly the counting run's output: a failure the engine absorbs
  (a faster path not taken) loses nothing;
- otherwise one line on standard error, "nfcore: ..." (the error, or the warning that says what was lost);
- every row written complete: as many fields as the header has, the header the counting run's (a failed run's
  rows may differ: a packet dropped for want of a flow record, a flow left unlabelled).
Runs, in parallel (one per CPU), with --statistical-analysis --splt-analysis 10 unless said:
- the build's sample.pcap with the built-in plugins (splt, flow_slicer, dhcp, mdns): every N (about 300);
- sample.pcap with two meter threads, no plugins: every N (about 140);
- sample.pcap with --anonymize, --community-id and --splt-analysis 3 alone, one thread: every N (about 100);
- sample.pcap with an IPFIX file besides the CSV, --splt-analysis 3 alone, one thread: every N (about 90);
- a flood of one-packet flows with the plugins (about 40000 allocations): each site's first and last N and 60
  more evenly spread;
- mixed traffic with the plugins (about 16000): each site's first and last N and 60 more evenly spread among
  nDPI's own allocations, to probe nDPI's handling of its failures.
None of nDPI 4.2's failures crashed it (docs/ALLOCATION_FAILURES.md): one that does fails this test, with its stack.

Usage: test_alloc_failures.py NFCORE SAMPLE_PCAP MAKE_TRAFFIC_PCAP
"""
import collections
import concurrent.futures
import csv
import io
import os
import subprocess
import sys
import tempfile

FEATURES = ['--statistical-analysis', '--splt-analysis', '10']
PLUGINS = FEATURES + ['--plugin', 'splt.so', '--plugin', 'flow_slicer.so:limit=3', '--plugin', 'dhcp.so', '--plugin',
                      'mdns.so']
# Without plugins, two meter threads (with flow_slicer, which may end flows, everything runs on one thread).
METERS = FEATURES + ['-j', '2']
# Anonymised columns (a fixed key: each run draws one otherwise) and the Community ID, on one thread.
ANONYMIZED = ['--splt-analysis', '3', '--anonymize', 'src_ip,requested_server_name', '--community-id', '-j', '1']
KEY = '5a' * 64
# An IPFIX file besides the CSV (where the build has IPFIX): its records encoded from the same flows.
IPFIX = ['--splt-analysis', '3', '-j', '1', '--ipfix']
# Sanitizer reports must not pass for the command's own statuses 1 and 2.
SANITIZER_ENV = {'ASAN_OPTIONS': 'exitcode=86:detect_leaks=1', 'LSAN_OPTIONS': 'exitcode=87',
                 'UBSAN_OPTIONS': 'exitcode=88:print_stacktrace=1'}
# The second capture: one-packet flows, enough for the table to double its buckets (4096) and the pool to add
# blocks (1024 records each) while the flows are open. The third: HTTP, TLS, SSH, DNS and other flows, whose
# dissection makes nDPI allocate blocks of its own (site "nDPI", its flow states being "nDPI flow").
FLOOD_FLOWS = 5000
MIXED_FLOWS = 300
SPREAD = 60


def run(nfcore, pcap, args, out, env):
    sanitizers = {name: ':'.join(filter(None, [os.environ.get(name), value])) for name, value in SANITIZER_ENV.items()}
    return subprocess.run([nfcore, '-r', pcap, *args, '-o', out], capture_output=True, text=True,
                          env={**os.environ, **sanitizers, **env})


def rows_of(path):
    if not os.path.exists(path):
        return None, []
    with open(path, newline='') as f:
        text = f.read()
    if text and not text.endswith('\n'):
        return None, ['a row cut off at the end of the file']
    table = list(csv.reader(io.StringIO(text)))
    return table[0] if table else None, table[1:]


def check(nfcore, pcap, args, n, site, baseline, tmp):
    """The run that fails allocation n: its status and its problems, as a list of lines (empty when it passed)."""
    out = os.path.join(tmp, f'{n}.csv')
    r = run(nfcore, pcap, args, out, {'NFC_FAIL_ALLOC': str(n)})
    problems = []
    what = f'N={n} ({site}): status {r.returncode}'
    lines = r.stderr.splitlines()
    if r.returncode not in (0, 1, 2):
        problems.append(f'{what}, not 0, 1 or 2')
    elif r.returncode == 0 and lines:
        problems.append(f'{what} but something on standard error')
    elif r.returncode != 0 and (len(lines) != 1 or not lines[0].startswith('nfcore: ')):
        problems.append(f'{what}, standard error not one "nfcore: " line')
    header, rows = rows_of(out)
    if header is None and rows:
        problems.append(f'{what}: {rows[0]}')
    elif header is not None:
        base_header, base_rows = baseline
        if header != base_header:
            problems.append(f'{what}: header differs from the counting run\'s')
        for row in rows:
            if len(row) != len(header):
                problems.append(f'{what}: a row of {len(row)} fields under a header of {len(header)}')
        if r.returncode == 0 and rows != base_rows:
            problems.append(f'{what} but its rows differ from the counting run\'s')
    elif r.returncode == 0:
        problems.append(f'{what} but no output file')
    if problems:
        problems += ['    ' + line for line in r.stderr.splitlines()[:40]]
    else:
        os.unlink(out) if os.path.exists(out) else None
    return r.returncode, problems


def count(nfcore, pcap, args, tmp, threads):
    """The counting run: each allocation's site in call order, and the output (header, rows). With meter threads
    their allocations may interleave otherwise in another run: N then names another site, every run is checked
    all the same."""
    trace = os.path.join(tmp, 'trace')
    out = os.path.join(tmp, 'baseline.csv')
    sites = None
    # Twice: the numbers must be the same from run to run for "fail N" to mean one site.
    for _ in range(2):
        r = run(nfcore, pcap, args, out, {'NFC_ALLOC_TRACE': trace})
        if r.returncode != 0 or r.stderr:
            sys.exit(f'the counting run of {pcap} failed: status {r.returncode}\n{r.stderr}')
        with open(trace) as f:
            numbered = sorted((int(n), site.strip()) for n, site in (line.split(' ', 1) for line in f))
        if [n for n, _ in numbered] != list(range(1, len(numbered) + 1)):
            sys.exit(f'the trace of {pcap} misses allocation numbers')
        again = [site for _, site in numbered]
        if sites is not None and again != sites and not threads:
            sys.exit(f'two counting runs of {pcap} numbered their allocations differently')
        sites = again
    baseline = rows_of(out)
    if not sites or not baseline[1]:
        sys.exit(f'the counting run of {pcap} made no allocation or wrote no flow')
    return sites, baseline


def sample(sites, spread, among):
    """Every N when spread is None; else each site's first and last allocation and `spread` N evenly apart, among
    the allocations of site `among` (all of them when None)."""
    if spread is None:
        return list(range(1, len(sites) + 1))
    pool = [n for n, site in enumerate(sites, 1) if among in (None, site)]
    chosen = {pool[len(pool) * k // spread] for k in range(spread)}
    first, last = {}, {}
    for n, site in enumerate(sites, 1):
        first.setdefault(site, n)
        last[site] = n
    return sorted(chosen | set(first.values()) | set(last.values()))


def fail_each(nfcore, pcap, args, spread=None, among=None, threads=False):
    """Fails the chosen N in turn for one capture and options (`threads`: with meter threads); returns the
    problems."""
    with tempfile.TemporaryDirectory() as tmp:
        sites, baseline = count(nfcore, pcap, args, tmp, threads)
        todo = [(n, sites[n - 1]) for n in sample(sites, spread, among)]
        how = ('every one' if spread is None else
               f'first and last of each site, the others evenly spread among {among or "all"}')
        print(f'{os.path.basename(pcap)} {" ".join(args)}: {len(sites)} allocations at {len(set(sites))} sites, '
              f'{len(baseline[1])} flows; failing {len(todo)} of them ({how})')
        problems, statuses = [], collections.Counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for status, found in pool.map(lambda t: check(nfcore, pcap, args, t[0], t[1], baseline, tmp), todo):
                statuses[status] += 1
                problems += found
        print('  statuses:', ', '.join(f'{n} runs {s}' for s, n in sorted(statuses.items())))
        return problems


def main():
    nfcore, sample_pcap, make_traffic_pcap = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        flood, mixed = os.path.join(tmp, 'flood.pcap'), os.path.join(tmp, 'mixed.pcap')
        subprocess.run([make_traffic_pcap, '--one-packet', '--flows', str(FLOOD_FLOWS), flood], check=True)
        subprocess.run([make_traffic_pcap, '--flows', str(MIXED_FLOWS), '--concurrency', '50', mixed], check=True)
        key = os.path.join(tmp, 'key')
        with open(key, 'w') as f:
            f.write(KEY)
        problems = (fail_each(nfcore, sample_pcap, PLUGINS) + fail_each(nfcore, sample_pcap, METERS, threads=True) +
                    fail_each(nfcore, sample_pcap, ANONYMIZED + ['--anonymize-key-file', key]) +
                    fail_each(nfcore, flood, PLUGINS, SPREAD) + fail_each(nfcore, mixed, PLUGINS, SPREAD, 'nDPI'))
        if '--ipfix' in subprocess.run([nfcore, '--help'], capture_output=True, text=True).stdout:
            problems += fail_each(nfcore, sample_pcap, IPFIX + [f'file:{os.path.join(tmp, "flows.ipfix")}'])
        else:
            print('IPFIX not built: its allocations not tried')
    for line in problems:
        print(line)
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
