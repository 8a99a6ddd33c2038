#!/usr/bin/env python3
"""The ja4 plugin on make_ja4_pcap.py's capture: exact udps.ja4 and udps.ja4s of every flow.

Usage: test_ja4.py NFCORE JA4_PLUGIN

How each expected value was worked out (hashes: `printf '%s' TEXT | sha256sum`, first 12 hex digits):

Main hellos (ports 50001 over IPv4, 50002 over IPv6; FoxIO's published JA4 example plus GREASE):
  ClientHello: supported_versions {5a5a, 0304, 0303} -> 13; SNI -> d; 15 ciphers without GREASE 2a2a;
  16 extensions without GREASE 0a0a and 1a1a; first ALPN "h2" -> h2.
  ciphers sorted:   002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9
                    -> 8daaf6152771e33e...
  extensions sorted without 0000 and 0010, "_", signature algorithms in order without GREASE 4a4a:
                    0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601
                    -> e5627efa2ab19723...
  ja4  = t13d1516h2_8daaf6152771_e5627efa2ab1 (the value the JA4 specification gives for these lists)
  ServerHello: supported_versions 0304 -> 13; 2 extensions; no ALPN -> 00; cipher 1301.
  extensions in order: 002b,0033 -> a56c5b993250...
  ja4s = t130200_1301_a56c5b993250

SMTP STARTTLS (port 50003; each hello follows plaintext):
  ClientHello: no supported_versions, legacy 0303 -> 12; no SNI -> i; ciphers c02f,c030,009c,00ff
  (GREASE fafa dropped) -> 04; extensions 000a,000b,0010,0023 (GREASE baba dropped) -> 04; "http/1.1" -> h1.
  ciphers sorted:   009c,00ff,c02f,c030 -> fe3406f53c8c...
  extensions sorted without 0010, no signature algorithms so no "_": 000a,000b,0023 -> a875e5012fde...
  ja4  = t12i0404h1_fe3406f53c8c_a875e5012fde
  ServerHello (its record goes on into the next segment): legacy 0303 -> 12; 3 extensions; "http/1.1" -> h1;
  cipher c02f; extensions in order: ff01,0010,000b -> 26b1f9d0693b...
  ja4s = t1203h1_c02f_26b1f9d0693b

Split ClientHello (port 50004): no ja4. ServerHello from FoxIO's published JA4S example: legacy 0303 -> 12;
  4 extensions; no ALPN; cipher c030; 0005,0017,ff01,0000 -> 4e8089b08790...
  ja4s = t120400_c030_4e8089b08790 (the value the JA4S specification gives)

Malformed ClientHello (port 50005): no ja4; no ServerHello.

TLS 1.0 hellos without extensions (port 50006):
  ClientHello: legacy 0301 -> 10; i; 2 ciphers; 0 extensions; 00.
  ciphers sorted: 002f,0035 -> f54dd463d39b...; empty extension list -> 000000000000
  ja4  = t10i020000_f54dd463d39b_000000000000
  ServerHello, after an alert record in its segment: 10; 0 extensions; 00; cipher 002f; empty extension list
  -> 000000000000
  ja4s = t100000_002f_000000000000

Non-alphanumeric ALPN (port 50007, IPv6): legacy 0303 -> 12; SNI -> d; cipher 1301 (GREASE 0a0a dropped) -> 01;
  extensions 0000,0010 -> 02; first ALPN value 30 ab: its last byte is not alphanumeric, so the first and last
  hex digits "3" and "b" -> 3b.
  ciphers: 1301 -> 0f2cb44170f4...; extensions without 0000 and 0010: none -> 000000000000
  ja4  = t12d01023b_0f2cb44170f4_000000000000; no ServerHello.
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_ja4_pcap  # noqa: E402

EXPECTED = {  # client port: (ip_version, udps.ja4, udps.ja4s); None: the column is empty
    50001: (4, "t13d1516h2_8daaf6152771_e5627efa2ab1", "t130200_1301_a56c5b993250"),
    50002: (6, "t13d1516h2_8daaf6152771_e5627efa2ab1", "t130200_1301_a56c5b993250"),
    50003: (4, "t12i0404h1_fe3406f53c8c_a875e5012fde", "t1203h1_c02f_26b1f9d0693b"),
    50004: (4, None, "t120400_c030_4e8089b08790"),
    50005: (4, None, None),
    50006: (4, "t10i020000_f54dd463d39b_000000000000", "t100000_002f_000000000000"),
    50007: (6, "t12d01023b_0f2cb44170f4_000000000000", None),
}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: test_ja4.py NFCORE JA4_PLUGIN")
    nfcore, plugin = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "ja4.pcap")
        make_ja4_pcap.build().write(pcap)
        run = subprocess.run([nfcore, "-r", pcap, "--plugin", plugin, "-f", "jsonl", "--n-dissections", "0"],
                             capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"nfcore failed with status {run.returncode}:\n{run.stderr}")
    got = {}
    for line in run.stdout.splitlines():
        flow = json.loads(line)
        got[flow["src_port"]] = (flow["ip_version"], flow["udps.ja4"], flow["udps.ja4s"])
    failures = [f"port {port}: expected {EXPECTED.get(port)}, got {got.get(port)}"
                for port in sorted(set(EXPECTED) | set(got)) if EXPECTED.get(port) != got.get(port)]
    if failures:
        sys.exit("\n".join(failures))
    print(f"ok: {len(got)} flows")


if __name__ == "__main__":
    main()
