#!/usr/bin/env python3
"""The command's --anonymize and --anonymize-key-file, on the build's sample.pcap (8 flows: IPv4 and IPv6, DNS,
HTTP, TLS, NTP, MDNS, ICMP) with the splt and ja4 plugins and the statistics.

An anonymised field is hashlib.blake2b(text, key=key, digest_size=64).hexdigest() of the field's text in the run
without --anonymize (an address, a float as Python prints it, a list as "[...]", a plugin's udps.* value); a missing
value stays missing (udps.ja4 of a flow without a ClientHello) while an empty string is hashed; every other field is
the same; the same key gives the same digests at -j 1 and -j 2 and from run to run, no key a new one each run.

Usage: test_anonymize.py NFCORE SAMPLE_PCAP
"""
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import unittest

NFCORE = SAMPLE = None
FLOWS = 8
BASE = ['--statistical-analysis', '--plugin', 'splt.so', '--plugin', 'ja4.so']
ANONYMIZED = ['src_ip', 'dst_mac', 'requested_server_name', 'bidirectional_mean_ps', 'udps.splt_ps', 'udps.ja4',
              'application_name']
KEY = bytes(range(64))


def run(*args, base=BASE):
    return subprocess.run([NFCORE, '-r', SAMPLE, *base, *args], capture_output=True, text=True)


def rows(*args, base=BASE):
    r = run(*args, base=base)
    assert r.returncode == 0, r.stderr
    table = list(csv.reader(io.StringIO(r.stdout)))
    assert len(table) == 1 + FLOWS, r.stdout
    return table[0], table[1:]


def digest(text, key=KEY):
    return hashlib.blake2b(text.encode(), key=key, digest_size=64).hexdigest()


class Anonymize(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.key_file = os.path.join(cls.tmp.name, 'key')
        with open(cls.key_file, 'w') as f:
            f.write(KEY.hex() + '\n')
        cls.header, cls.clear = rows()
        r = run('-f', 'jsonl')
        cls.json = [json.loads(line) for line in r.stdout.splitlines()]
        assert len(cls.json) == FLOWS

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def anonymized(self, *args):
        return rows('--anonymize', ','.join(ANONYMIZED), '--anonymize-key-file', self.key_file, *args)

    def check_digests(self, header, anonymized):
        self.assertEqual(header, self.header)
        index = {name: i for i, name in enumerate(header)}
        missing = hashed = 0
        for clear, anon, flow in zip(self.clear, anonymized, self.json):
            for i, name in enumerate(header):
                if name not in ANONYMIZED:
                    self.assertEqual(anon[i], clear[i], name)
                elif flow[name] is None:
                    self.assertEqual(anon[i], '', name)
                    missing += 1
                else:
                    self.assertEqual(anon[i], digest(clear[i]), f'{name} of {clear[i]!r}')
                    hashed += 1
        self.assertEqual(missing, FLOWS - 1)  # udps.ja4: the TLS flow alone has one
        self.assertEqual(hashed, FLOWS * len(ANONYMIZED) - missing)
        # the fields hashed, as nfstream's CSV holds them
        first = self.clear[0]
        self.assertEqual(first[index['src_ip']], '192.0.2.10')
        self.assertEqual(anonymized[0][index['src_ip']], digest('192.0.2.10'))
        tls = next(i for i, row in enumerate(self.clear) if row[index['udps.ja4']])
        self.assertEqual(self.clear[tls][index['udps.ja4']], 't13d0911h2_f91f431d341e_9ced094328c9')
        self.assertTrue(any(row[index['requested_server_name']] == '' for row in self.clear))  # NTP: empty, hashed
        self.assertTrue(any(row[index['udps.splt_ps']].startswith('[') for row in self.clear))
        self.assertTrue(any('.' in row[index['bidirectional_mean_ps']] for row in self.clear))

    def test_digests_at_one_and_two_workers(self):
        for workers in ('1', '2'):
            with self.subTest(workers=workers):
                header, anonymized = self.anonymized('-j', workers)
                self.check_digests(header, anonymized)

    def test_other_lines_are_byte_identical_without_anonymized_columns(self):
        r = run('--anonymize', 'udps.ja4', '--anonymize-key-file', self.key_file)
        clear = run().stdout.splitlines()
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0], clear[0])
        # flows with no ja4 have nothing to hash: their lines are the same bytes
        same = [a == b for a, b in zip(lines[1:], clear[1:])]
        self.assertEqual(same.count(True), FLOWS - 1)

    def test_workers_that_run_only_nDPI(self):
        # without plugins, a worker runs nDPI alone and the reading thread keeps the counters: still final at the end
        columns = ['bidirectional_packets', 'dst2src_bytes', 'bidirectional_mean_piat_ms', 'application_name']
        base = ['--statistical-analysis']
        header, clear = rows(base=base)
        for workers in ('1', '2'):
            with self.subTest(workers=workers):
                anon_header, anonymized = rows('-j', workers, '--anonymize', ','.join(columns),
                                               '--anonymize-key-file', self.key_file, base=base)
                self.assertEqual(anon_header, header)
                for clear_row, anon_row in zip(clear, anonymized):
                    for i, name in enumerate(header):
                        expected = digest(clear_row[i]) if name in columns else clear_row[i]
                        self.assertEqual(anon_row[i], expected, name)

    def test_same_key_same_digests(self):
        self.assertEqual(self.anonymized()[1], self.anonymized('-j', '2')[1])

    def test_without_a_key_each_run_draws_one(self):
        index = self.header.index('src_ip')
        first = rows('--anonymize', 'src_ip')[1]
        second = rows('--anonymize', 'src_ip')[1]
        self.assertEqual(len(first[0][index]), 128)
        self.assertNotEqual(first[0][index], second[0][index])
        self.assertNotEqual(first[0][index], digest('192.0.2.10'))
        # within a run, one key: the same address, the same digest
        self.assertEqual(first[0][index], first[1][index])

    def test_repeated_option_and_json_lines(self):
        r = run('-f', 'jsonl', '--anonymize', 'src_ip', '--anonymize', 'udps.ja4', '--anonymize-key-file',
                self.key_file)
        flows = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertEqual(len(flows), FLOWS)
        for clear, anon in zip(self.json, flows):
            self.assertEqual(anon['src_ip'], digest(clear['src_ip']))
            self.assertEqual(anon['udps.ja4'], None if clear['udps.ja4'] is None else digest(clear['udps.ja4']))
            self.assertEqual(anon['dst_ip'], clear['dst_ip'])

    def test_refusals(self):
        bad_key = os.path.join(self.tmp.name, 'short')
        with open(bad_key, 'w') as f:
            f.write('00ff\n')
        for args, message in (
                (['--anonymize', 'src_ip,nope'], "nfcore: anonymize: no column 'nope'\n"),
                (['--anonymize', 'id'], "nfcore: anonymize: the column 'id' cannot be anonymised\n"),
                (['--anonymize', 'src_ip', '--anonymize-key-file', bad_key],
                 f'nfcore: --anonymize-key-file: {bad_key}: a key is 128 hex digits (64 bytes), optionally '
                 'followed by a newline\n'),
                (['--anonymize-key-file', os.path.join(self.tmp.name, 'none')],
                 f"nfcore: --anonymize-key-file: {os.path.join(self.tmp.name, 'none')}: No such file or directory\n"),
        ):
            for workers in ('1', '2'):
                with self.subTest(args=args, workers=workers):
                    r = run('-j', workers, *args)
                    self.assertEqual((r.returncode, r.stdout, r.stderr), (2, '', message))


if __name__ == '__main__':
    NFCORE, SAMPLE = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=1)
