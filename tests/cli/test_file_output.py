#!/usr/bin/env python3
"""The command's -o with --flows-per-file and --rotate-files, on the build's sample.pcap (8 flows).

Chunk k of FILE.csv is FILE.k.csv, each chunk with the header; the rows of the chunks, in order, are the rows of the
unchunked CSV; --rotate-files K writes chunk k to FILE.<k mod K>.csv, overwriting it; either option without -o is
refused with exit status 2.

Usage: test_file_output.py NFCORE SAMPLE_PCAP
"""
import os
import subprocess
import sys
import tempfile
import unittest

NFCORE = SAMPLE = None
FLOWS = 8  # sample.pcap's flows (tools/make_sample_pcap)


def run(*args):
    return subprocess.run([NFCORE, '-r', SAMPLE, *args], capture_output=True, text=True)


def read(path):
    with open(path) as f:
        return f.read()


class FileOutput(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.plain = run().stdout
        self.lines = self.plain.splitlines(keepends=True)
        self.assertEqual(len(self.lines), 1 + FLOWS)
        self.assertTrue(self.lines[0].startswith('id,expiration_id,src_ip,'))

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def files(self):
        return sorted(os.listdir(self.dir))

    def test_plain_output_is_standard_output(self):
        self.assertEqual(run('-o', self.path('flows.csv')).returncode, 0)
        self.assertEqual(read(self.path('flows.csv')), self.plain)
        self.assertEqual(self.files(), ['flows.csv'])

    def test_chunks_have_the_header_and_the_rows_in_order(self):
        self.assertEqual(run('-o', self.path('flows.csv'), '--flows-per-file', '3').returncode, 0)
        self.assertEqual(self.files(), ['flows.0.csv', 'flows.1.csv', 'flows.2.csv'])
        header, rows = self.lines[0], self.lines[1:]
        for k, expected in enumerate([rows[0:3], rows[3:6], rows[6:8]]):
            self.assertEqual(read(self.path(f'flows.{k}.csv')), header + ''.join(expected))

    def test_one_chunk_when_every_flow_fits(self):
        self.assertEqual(run('-o', self.path('flows.csv'), '--flows-per-file', str(FLOWS)).returncode, 0)
        self.assertEqual(self.files(), ['flows.0.csv'])
        self.assertEqual(read(self.path('flows.0.csv')), self.plain)

    def test_rotation_overwrites(self):
        self.assertEqual(run('-o', self.path('flows.csv'), '--flows-per-file', '3', '--rotate-files', '2').returncode,
                         0)
        self.assertEqual(self.files(), ['flows.0.csv', 'flows.1.csv'])
        header, rows = self.lines[0], self.lines[1:]
        self.assertEqual(read(self.path('flows.0.csv')), header + ''.join(rows[6:8]))  # chunk 2
        self.assertEqual(read(self.path('flows.1.csv')), header + ''.join(rows[3:6]))  # chunk 1

    def test_a_path_without_csv_gets_it_appended(self):
        self.assertEqual(run('-o', self.path('flows'), '--flows-per-file', '5').returncode, 0)
        self.assertEqual(self.files(), ['flows.0.csv', 'flows.1.csv'])

    def test_json_lines_chunks(self):
        self.assertEqual(run('-f', 'jsonl', '-o', self.path('flows.jsonl'), '--flows-per-file', '4').returncode, 0)
        self.assertEqual(self.files(), ['flows.0.jsonl', 'flows.1.jsonl'])
        whole = run('-f', 'jsonl').stdout.splitlines(keepends=True)
        self.assertEqual(len(whole), FLOWS)
        self.assertEqual(read(self.path('flows.0.jsonl')) + read(self.path('flows.1.jsonl')), ''.join(whole))

    def test_options_without_output_are_refused(self):
        for option, message in (('--flows-per-file', 'nfcore: --flows-per-file needs -o FILE\n'),
                                ('--rotate-files', 'nfcore: --rotate-files needs -o FILE\n')):
            r = run(option, '2')
            self.assertEqual((r.returncode, r.stdout, r.stderr), (2, '', message))

    def test_zero_is_refused(self):
        r = run('-o', self.path('flows.csv'), '--flows-per-file', '0')
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, "nfcore: --flows-per-file: '0' is not a whole number of at least 1\n")
        self.assertEqual(self.files(), [])

    def test_unwritable_output_is_a_usage_error(self):
        r = run('-o', self.path('missing/flows.csv'))
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr, f"nfcore: {self.path('missing/flows.csv')}: No such file or directory\n")


if __name__ == '__main__':
    NFCORE, SAMPLE = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=1)
