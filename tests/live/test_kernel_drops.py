#!/usr/bin/env python3
"""The kernel's drops on a live capture are counted and said.

nfcore captures lo with the smallest capture buffer libpcap allows (--socket-buffer-size 1: one 256 KiB block)
and is stopped (SIGSTOP) while this script sends SENT datagrams of 1000 bytes, far more than the buffer holds; it
then runs on and is interrupted. On lo the kernel puts each datagram in the buffer twice (sent and received;
libpcap skips the sent copy), so: 2 * SENT = 2 * packets read + packets dropped, to one packet (the buffer may
fill between a datagram's two copies). Checked: nfcore exits 0, its one flow has the packets it read, and both its
closing warning and its -v summary give the drops, the same number.

Usage: test_kernel_drops.py NFCORE. Exits 77 (skipped) when nfcore cannot capture on lo.
"""
import os
import re
import signal
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_live_capture import DELIVERY, LOCALHOST, SKIP, Nfcore, Skip, bound  # noqa: E402

SENT = 3000
SIZE = 1000


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory() as directory:
        server = bound(socket.SOCK_DGRAM)
        client = bound(socket.SOCK_DGRAM)
        port = server.getsockname()[1]
        nf = Nfcore(binary, directory, 'drops', ['-v', '--socket-buffer-size', '1', '--bpf-filter',
                                                 f'udp and host {LOCALHOST} and port {port}'])
        try:
            nf.wait_capturing()
            os.kill(nf.proc.pid, signal.SIGSTOP)
            try:
                for _ in range(SENT):
                    client.sendto(b'd' * SIZE, (LOCALHOST, port))
            finally:
                os.kill(nf.proc.pid, signal.SIGCONT)
            time.sleep(DELIVERY)
            flows = nf.stop()
            err = nf.stderr()
        finally:
            nf.close()
            server.close()
            client.close()
    warning = re.search(r'^nfcore: warning: (\d+) packets dropped by the kernel before they were read', err, re.M)
    summary = re.search(r"^nfcore: (\d+) packets dropped by the kernel \(libpcap's ps_drop \+ ps_ifdrop\)$", err, re.M)
    read = re.search(r'^nfcore: (\d+) packets \(', err, re.M)
    assert warning and summary and read, f'no drop warning or summary: {err}'
    dropped, packets = int(warning.group(1)), int(read.group(1))
    assert int(summary.group(1)) == dropped, err
    assert list(flows) == [17] and int(flows[17]['bidirectional_packets']) == packets, (flows, err)
    assert 0 < packets < SENT, f'{packets} of {SENT} datagrams read: the buffer did not overflow'
    assert 2 * SENT - 2 * packets - dropped in (0, 1), f'{packets} read and {dropped} dropped of 2 x {SENT}'
    print(f'{packets} of {SENT} datagrams read, {dropped} copies dropped by the kernel, said in the warning and '
          'the summary')


if __name__ == '__main__':
    try:
        main()
    except Skip as e:
        print(f'SKIP: nfcore may not capture on lo here: {e}')
        sys.exit(SKIP)
