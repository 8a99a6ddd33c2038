#!/usr/bin/python3
"""Runs one libFuzzer target: replays its inputs, fuzzes it for a short smoke test, or runs a campaign.

usage: run_fuzzer.py --target BIN --seeds DIR --regressions DIR --known FILE replay
       run_fuzzer.py ... smoke --seconds N --work DIR
       run_fuzzer.py ... campaign --seconds N --work DIR --findings DIR [--extra DIR]

replay    every seed and regression input once; the inputs of the known issues (known_issues.txt) must either pass
          or fail as listed.
smoke     fuzzes for N seconds from the seeds and regression inputs, in a fresh corpus under DIR; a crash, leak or
          hang fails the test unless its report matches a known issue.
campaign  fuzzes for N seconds in all, keeping the corpus in DIR/corpus across runs; each finding is copied to the
          findings folder and the fuzzer started again until the time is spent. Prints one JSON line of figures
          (executions per second, libFuzzer's final cov and ft, findings), also appended to DIR/summary.jsonl.
          --extra adds a folder of further seeds (local captures that are not committed).
Exit status: 0 when nothing new was found, 1 otherwise.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import time

# libFuzzer's limits for every run: a hang is an input that takes more than TIMEOUT seconds.
TIMEOUT = 25
COMMON = ['-timeout=%d' % TIMEOUT, '-rss_limit_mb=4096', '-print_final_stats=1']
# Captures beyond this size only slow the pipeline down (nDPI's set-up dominates each input).
PER_TARGET = {'pipeline': ['-max_len=65536']}
STATUS = re.compile(r'^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/\S+.* exec/s: (\d+)', re.M)
SUMMARY = re.compile(r'^SUMMARY: (.*)$', re.M)
FRAME = re.compile(r'^\s*#\d+ 0x[0-9a-f]+ in (.*)$', re.M)


def load_known(path):
    """[(id, compiled pattern)] of the known issues: lines `ID PATTERN`, the pattern a regular expression searched
    for in a report's first stack frames; '#' starts a comment."""
    known = []
    for line in open(path):
        line = line.split('#', 1)[0].strip()
        if line:
            ident, pattern = line.split(None, 1)
            known.append((ident, re.compile(pattern)))
    return known


def classify(log, known):
    """(what was found, the known issue it is or None) from a fuzzer's output."""
    summary = SUMMARY.findall(log)
    kind = summary[-1] if summary else 'fuzzer exited abnormally'
    frames = '\n'.join(FRAME.findall(log)[:12])
    for ident, pattern in known:
        if pattern.search(frames) or pattern.search(kind):
            return kind, ident
    return kind, None


def environment():
    env = dict(os.environ)
    symbolizer = shutil.which('llvm-symbolizer') or '/usr/lib/llvm-14/bin/llvm-symbolizer'
    if os.path.exists(symbolizer):
        env.setdefault('ASAN_SYMBOLIZER_PATH', symbolizer)
    # Reports name the plugin or library in each frame; UBSan's stop the run (as -fno-sanitize-recover does).
    env.setdefault('UBSAN_OPTIONS', 'print_stacktrace=1:halt_on_error=1')
    return env


def run(args, extra, corpora, log_path):
    name = os.path.basename(args.target).removeprefix('fuzz_')
    cmd = [args.target] + COMMON + PER_TARGET.get(name, []) + extra + [c for c in corpora if os.path.isdir(c)]
    with open(log_path, 'w') as log:
        rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, env=environment())
    return rc, open(log_path, errors='replace').read()


def replay(args, known):
    log_path = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'fuzz-replay-%d.log' % os.getpid())
    rc, log = run(args, ['-runs=0'], [args.seeds, args.regressions], log_path)
    os.unlink(log_path)
    if rc != 0:
        print(log[-20000:])
        print('replay failed: %s' % classify(log, known)[0])
        return 1
    ran = re.findall(r'^#(\d+)\s+DONE', log, re.M)
    print('replayed %s inputs' % (ran[-1] if ran else '?'))
    status = 0
    for path in sorted(glob.glob(os.path.join(os.path.dirname(args.known), 'known', os.path.basename(
            args.target).removeprefix('fuzz_'), '*'))):
        out = subprocess.run([args.target] + COMMON + [path], capture_output=True, text=True, errors='replace',
                             env=environment())
        log = out.stdout + out.stderr
        kind, ident = classify(log, known) if out.returncode else ('passes', 'none')
        print('known input %s: %s (%s)' % (os.path.basename(path), kind, ident or 'NOT a known issue'))
        if out.returncode and not ident:
            print(log[-20000:])
            status = 1
    return status


def smoke(args, known):
    shutil.rmtree(args.work, ignore_errors=True)
    corpus = os.path.join(args.work, 'corpus')
    os.makedirs(corpus)
    rc, log = run(args, ['-max_total_time=%d' % args.seconds, '-artifact_prefix=%s/' % args.work],
                  [corpus, args.seeds, args.regressions], os.path.join(args.work, 'fuzz.log'))
    stats = STATUS.findall(log)
    if rc == 0:
        print('no finding in %d s: %s' % (args.seconds, 'cov %s ft %s exec/s %s' % (stats[-1][1], stats[-1][2],
                                                                                   stats[-1][4]) if stats else ''))
        return 0
    kind, ident = classify(log, known)
    if ident:
        print('known issue %s: %s' % (ident, kind))
        return 0
    print(log[-30000:])
    print('FINDING: %s; input: %s' % (kind, ' '.join(glob.glob(os.path.join(args.work, '*-*')))))
    return 1


def campaign(args, known):
    corpus = os.path.join(args.work, 'corpus')
    artifacts = os.path.join(args.work, 'artifacts')
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(artifacts, exist_ok=True)
    os.makedirs(args.findings, exist_ok=True)
    start, execs, runs, findings, last = time.monotonic(), 0, 0, [], None
    while True:
        left = args.seconds - (time.monotonic() - start)
        if left < 5:
            break
        runs += 1
        before = set(os.listdir(artifacts))
        rc, log = run(args, ['-max_total_time=%d' % left, '-artifact_prefix=%s/' % artifacts],
                      [corpus, args.seeds, args.regressions] + ([args.extra] if args.extra else []),
                      os.path.join(args.work, 'run%d.log' % runs))
        stats = STATUS.findall(log)
        if stats:
            execs += int(stats[-1][0])
            last = stats[-1]
        if rc == 0:
            break
        kind, ident = classify(log, known)
        for artifact in sorted(set(os.listdir(artifacts)) - before):
            shutil.copy(os.path.join(artifacts, artifact), args.findings)
            shutil.copy(os.path.join(args.work, 'run%d.log' % runs), os.path.join(args.findings, artifact + '.log'))
            findings.append({'input': artifact, 'kind': kind, 'known': ident})
        if not stats and not findings:
            print(log[-5000:])
            break
    seconds = time.monotonic() - start
    figures = {'target': os.path.basename(args.target).removeprefix('fuzz_'), 'seconds': round(seconds),
               'executions': execs, 'exec_per_s': round(execs / seconds) if seconds else 0,
               'cov': int(last[1]) if last else 0, 'ft': int(last[2]) if last else 0,
               'corpus': int(last[3]) if last else 0, 'runs': runs, 'findings': findings}
    line = json.dumps(figures)
    print(line)
    with open(os.path.join(args.work, 'summary.jsonl'), 'a') as f:
        f.write(line + '\n')
    return 1 if any(not f['known'] for f in findings) else 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--target', required=True)
    p.add_argument('--seeds', required=True)
    p.add_argument('--regressions', required=True)
    p.add_argument('--known', required=True)
    p.add_argument('mode', choices=['replay', 'smoke', 'campaign'])
    p.add_argument('--seconds', type=int, default=15)
    p.add_argument('--work')
    p.add_argument('--findings')
    p.add_argument('--extra')
    args = p.parse_args()
    if args.mode != 'replay' and not args.work or args.mode == 'campaign' and not args.findings:
        p.error('%s needs --work%s' % (args.mode, ' and --findings' if args.mode == 'campaign' else ''))
    known = load_known(args.known)
    return {'replay': replay, 'smoke': smoke, 'campaign': campaign}[args.mode](args, known)


if __name__ == '__main__':
    sys.exit(main())
