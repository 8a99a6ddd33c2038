#!/usr/bin/env python3
"""Live capture on the loopback interface, end to end.

Proves that `nfcore -i lo`, capturing a TCP connection and a UDP exchange that this script runs on 127.0.0.1:

1. writes exactly one flow per conversation, with the right ports, addresses and protocol, and per-direction
   packet and byte counts equal to what was sent: UDP wire bytes are 14 (Ethernet header on lo) + 20 + 8 +
   payload per datagram; TCP packet counts are the segments the kernel reports for the client socket
   (TCP_INFO), TCP payload bytes (--accounting-mode 3) are exactly the bytes each side wrote, and the flag
   counters show one SYN and one FIN per direction, one PSH per message and no RST;
2. writes those flows, still in its table (idle timeout 120 s), when SIGINT arrives, and exits with status 0;
3. expires an idle flow on the wall clock while no packet arrives: with --idle-timeout 1 --max-nflows 1 and a
   single datagram, nfcore ends by itself, no sooner than 1 s after the datagram.

4. reopens its -o file on SIGHUP, as log rotation needs it: the file renamed away, SIGHUP gives a new file of the
   same name with its header at once, though no packet comes; flows that ended before (idle timeout 1 s) are in the
   renamed file, the later ones in the new file, each exactly once. Without -o, SIGHUP is ignored, and SIGTERM
   ends the run as SIGINT does: every open flow written, status 0. With two meter threads (-j 2), the main thread
   alone takes SIGINT, SIGTERM and SIGHUP: the library's threads block them.

Usage: test_live_capture.py NFCORE [sigint|idle|sighup]: every part by default, or only the one named.
Exits 77 (skipped) when nfcore cannot capture on lo.
"""
import csv
import os
import platform
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
LOCALHOST = '127.0.0.1'
TIMEOUT = 5.0                        # bound on every single wait
DELIVERY = 1.0                       # packets reach nfcore up to 250 ms (its read timeout) after they are sent,
                                     # and SIGINT stops the reading at once
BLIND_STARTUP = 1.0                  # when /proc cannot show that capture started (it takes well under 0.1 s)
TCP_REQUESTS = [100, 1, 1000, 4000]  # client message sizes; the server answers each before the next is sent
TCP_REPLIES = [200, 2, 3000, 10]
UDP_OUT = [10, 100, 1000]            # client to server datagrams
UDP_BACK = [20, 200]                 # server to client datagrams
ETH_IP_UDP = 14 + 20 + 8
POLL_SYSCALLS = {'x86_64': {'7', '271'}, 'aarch64': {'73'}}   # poll, ppoll


class Skip(Exception):
    pass


class Nfcore:
    """One nfcore process capturing on lo into its own CSV file: with -o, or on its standard output."""

    def __init__(self, binary, directory, name, args, to_stdout=False):
        self.path = os.path.join(directory, name + '.csv')
        self.err = open(os.path.join(directory, name + '.err'), 'w+')
        self.out = open(self.path, 'w') if to_stdout else None
        output = [] if to_stdout else ['-o', self.path]
        self.proc = subprocess.Popen([binary, '-i', 'lo'] + output + args, stdin=subprocess.DEVNULL,
                                     stdout=self.out or subprocess.DEVNULL, stderr=self.err)

    def stderr(self):
        self.err.seek(0)
        return self.err.read().strip()

    def capturing(self):
        """True once nfcore holds a packet socket and one of its threads (the one that reads packets) waits in
        poll(): its capture is active and filtered. None when /proc does not show it (a process with file
        capabilities is not dumpable)."""
        pid = self.proc.pid
        try:
            links = {os.readlink(f'/proc/{pid}/fd/{fd}') for fd in os.listdir(f'/proc/{pid}/fd')}
            with open('/proc/net/packet') as f:
                packet_sockets = {'socket:[%s]' % line.split()[-1] for line in list(f)[1:] if line.strip()}
            polling = False
            for tid in os.listdir(f'/proc/{pid}/task'):
                with open(f'/proc/{pid}/task/{tid}/wchan') as f:
                    wchan = f.read()
                with open(f'/proc/{pid}/task/{tid}/syscall') as f:
                    syscall = f.read().split()[0]
                polling |= 'poll' in wchan or syscall in POLL_SYSCALLS.get(platform.machine(), ())
        except PermissionError:
            return None
        except (OSError, IndexError):
            return False
        return polling and bool(links & packet_sockets)

    def wait_capturing(self):
        start = time.monotonic()
        while True:
            ready = self.capturing()
            waited = time.monotonic() - start
            if ready or ready is None and waited > BLIND_STARTUP:
                return
            rc = self.proc.poll()
            if rc is not None:
                err = self.stderr()
                if rc == 2 and ('cannot capture' in err or 'cannot open interface' in err):
                    raise Skip(err)
                raise AssertionError(f'nfcore exited with status {rc} before capturing: {err}')
            if waited > TIMEOUT:
                raise AssertionError('nfcore did not start capturing on lo within %.0f s' % TIMEOUT)
            time.sleep(0.02)

    def wait_exit(self, timeout=TIMEOUT, why=''):
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError('nfcore did not exit within %.0f s%s' % (timeout, why)) from None
        assert rc == 0, f'nfcore exited with status {rc}: {self.stderr()}'

    def stop(self):
        """SIGINT, then the flows it wrote, by protocol."""
        self.proc.send_signal(signal.SIGINT)
        self.wait_exit()
        return self.flows()

    def flows(self):
        with open(self.path, newline='') as f:
            rows = list(csv.DictReader(f))
        by_protocol = {int(r['protocol']): r for r in rows}
        assert len(rows) == len(by_protocol), f'{len(rows)} flows for protocols {sorted(by_protocol)}'
        return by_protocol

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.err.close()
        if self.out:
            self.out.close()


def bound(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.settimeout(TIMEOUT)
    s.bind((LOCALHOST, 0))
    return s


def recv_exact(s, n):
    data = b''
    while len(data) < n:
        chunk = s.recv(n - len(data))
        assert chunk, 'connection closed early'
        data += chunk
    return data


def tcp_exchange(listener, client):
    """Runs the request/reply exchange and a clean close; returns the client's (segments out, segments in)."""
    failure = []

    def serve():
        try:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(TIMEOUT)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                for request, reply in zip(TCP_REQUESTS, TCP_REPLIES):
                    recv_exact(conn, request)
                    conn.sendall(b'r' * reply)
                assert conn.recv(1) == b'', 'client sent more than expected'
        except Exception as e:  # reported by the main thread
            failure.append(e)

    server = threading.Thread(target=serve)
    server.start()
    try:
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.connect(listener.getsockname())
        for request, reply in zip(TCP_REQUESTS, TCP_REPLIES):
            client.sendall(b'q' * request)
            recv_exact(client, reply)
        client.shutdown(socket.SHUT_WR)
        assert client.recv(1) == b'', 'server sent more than expected'   # its FIN, which the kernel has ACKed
        info = client.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
        assert len(info) >= 144, 'TCP_INFO has no segment counters (Linux 4.2 or later needed)'
    finally:
        server.join(TIMEOUT)
    assert not server.is_alive(), 'TCP server thread hung'
    if failure:
        raise failure[0]
    return struct.unpack_from('II', info, 136)   # tcpi_segs_out, tcpi_segs_in


def udp_exchange(server, client):
    for size in UDP_OUT:
        client.sendto(b'u' * size, server.getsockname())
        assert len(server.recv(65536)) == size
    for size in UDP_BACK:
        server.sendto(b'd' * size, client.getsockname())
        assert len(client.recv(65536)) == size


def check_ends(flow, protocol, src_port, dst_port):
    assert flow['src_ip'] == LOCALHOST and flow['dst_ip'] == LOCALHOST, (flow['src_ip'], flow['dst_ip'])
    assert (int(flow['src_port']), int(flow['dst_port'])) == (src_port, dst_port), \
        (protocol, flow['src_port'], flow['dst_port'], src_port, dst_port)
    assert (flow['protocol'], flow['ip_version'], flow['expiration_id']) == (str(protocol), '4', '0')


def check_counts(flow, what, **expected):
    actual = {name: int(flow[name]) for name in expected}
    assert actual == expected, f'{what}: got {actual}, expected {expected}'


def test_sigint_flush(binary, directory):
    sockets = []
    runs = []
    try:
        for kind in (socket.SOCK_STREAM, socket.SOCK_STREAM, socket.SOCK_DGRAM, socket.SOCK_DGRAM):
            sockets.append(bound(kind))
        listener, tcp_client, udp_server, udp_client = sockets
        listener.listen(1)
        tp, tc = listener.getsockname()[1], tcp_client.getsockname()[1]
        up, uc = udp_server.getsockname()[1], udp_client.getsockname()[1]
        bpf = f'host {LOCALHOST} and ((tcp and port {tp} and port {tc}) or (udp and port {up} and port {uc}))'
        # Without tunnel decoding: a random UDP port may be one of the tunnel ports (TZSP's 37008 is ephemeral).
        common = ['--bpf-filter', bpf, '--no-decode-tunnels', '--statistical-analysis']
        wire = Nfcore(binary, directory, 'wire', common + ['--accounting-mode', '0'])
        runs.append(wire)
        payload = Nfcore(binary, directory, 'payload', common + ['--accounting-mode', '3'])
        runs.append(payload)
        wire.wait_capturing()
        payload.wait_capturing()

        segs_out, segs_in = tcp_exchange(listener, tcp_client)
        udp_exchange(udp_server, udp_client)
        time.sleep(DELIVERY)
        wire_flows, payload_flows = wire.stop(), payload.stop()
    finally:
        for s in sockets:
            s.close()
        for run in runs:
            run.close()

    for flows in (wire_flows, payload_flows):
        assert sorted(flows) == [6, 17], f'expected one TCP and one UDP flow, got protocols {sorted(flows)}'
        check_ends(flows[6], 6, tc, tp)
        check_ends(flows[17], 17, uc, up)
        check_counts(flows[6], 'TCP packets', src2dst_packets=segs_out, dst2src_packets=segs_in,
                     bidirectional_packets=segs_out + segs_in)
        check_counts(flows[17], 'UDP packets', src2dst_packets=len(UDP_OUT), dst2src_packets=len(UDP_BACK),
                     bidirectional_packets=len(UDP_OUT) + len(UDP_BACK))

    out, back = sum(UDP_OUT) + ETH_IP_UDP * len(UDP_OUT), sum(UDP_BACK) + ETH_IP_UDP * len(UDP_BACK)
    check_counts(wire_flows[17], 'UDP wire bytes', src2dst_bytes=out, dst2src_bytes=back,
                 bidirectional_bytes=out + back, src2dst_max_ps=max(UDP_OUT) + ETH_IP_UDP,
                 dst2src_min_ps=min(UDP_BACK) + ETH_IP_UDP)
    check_counts(payload_flows[17], 'UDP payload bytes', src2dst_bytes=sum(UDP_OUT), dst2src_bytes=sum(UDP_BACK))
    check_counts(payload_flows[6], 'TCP payload bytes', src2dst_bytes=sum(TCP_REQUESTS),
                 dst2src_bytes=sum(TCP_REPLIES), bidirectional_bytes=sum(TCP_REQUESTS) + sum(TCP_REPLIES),
                 src2dst_max_ps=max(TCP_REQUESTS), dst2src_max_ps=max(TCP_REPLIES))
    # Every TCP packet but the client's SYN carries an ACK; each message is one PSH segment.
    check_counts(wire_flows[6], 'TCP flags', src2dst_syn_packets=1, dst2src_syn_packets=1,
                 src2dst_fin_packets=1, dst2src_fin_packets=1, bidirectional_rst_packets=0,
                 src2dst_psh_packets=len(TCP_REQUESTS), dst2src_psh_packets=len(TCP_REPLIES),
                 src2dst_ack_packets=segs_out - 1, dst2src_ack_packets=segs_in)
    # Wire size = Ethernet 14 + IPv4 20 + TCP header (20..60) + payload.
    for direction, segments in (('src2dst', segs_out), ('dst2src', segs_in)):
        headers = int(wire_flows[6][direction + '_bytes']) - int(payload_flows[6][direction + '_bytes'])
        assert 54 * segments <= headers <= 94 * segments, f'TCP {direction}: {headers} header bytes'


def test_idle_expiry(binary, directory):
    run = None
    sockets = []
    try:
        for _ in range(2):
            sockets.append(bound(socket.SOCK_DGRAM))
        udp_server, udp_client = sockets
        up, uc = udp_server.getsockname()[1], udp_client.getsockname()[1]
        bpf = f'host {LOCALHOST} and udp and port {up} and port {uc}'
        run = Nfcore(binary, directory, 'idle',
                     ['--bpf-filter', bpf, '--no-decode-tunnels', '--idle-timeout', '1', '--max-nflows', '1'])
        run.wait_capturing()
        sent = time.monotonic()
        udp_client.sendto(b'i' * 64, udp_server.getsockname())
        run.wait_exit(1 + TIMEOUT, ': its only flow, idle for 1 s, was not expired on the wall clock')
        waited = time.monotonic() - sent
        flows = run.flows()
    finally:
        for s in sockets:
            s.close()
        if run:
            run.close()
    assert waited >= 0.99, f'flow expired {waited:.3f} s after its only packet, before the 1 s idle timeout'
    assert sorted(flows) == [17], f'expected one UDP flow, got protocols {sorted(flows)}'
    check_ends(flows[17], 17, uc, up)
    check_counts(flows[17], 'idle UDP flow', bidirectional_packets=1, dst2src_packets=0,
                 bidirectional_bytes=64 + ETH_IP_UDP)


def csv_rows(path):
    """The rows of a CSV file that starts with nfcore's header and holds no other."""
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    assert rows and rows[0][:2] == ['id', 'expiration_id'], f'{path} does not start with the header: {rows[:1]}'
    assert all(row[:2] != ['id', 'expiration_id'] for row in rows[1:]), f'{path} holds a second header'
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def wait_until(what, done):
    start = time.monotonic()
    while not done():
        if time.monotonic() - start > TIMEOUT:
            raise AssertionError(f'{what} within {TIMEOUT:.0f} s')
        time.sleep(0.05)


def one_datagram_flows(server, clients):
    """A flow per client: one datagram to the server. Returns the clients' ports."""
    for client in clients:
        client.sendto(b'h' * 32, server.getsockname())
        server.recv(65536)
    return {client.getsockname()[1] for client in clients}


def lines_in(path):
    try:
        with open(path) as f:
            return f.read().count('\n')
    except FileNotFoundError:
        return 0


def ports(rows):
    return sorted(int(r['src_port']) for r in rows)


HUP_BEFORE, HUP_AFTER = 5, 4   # flows ended before the rotation, flows still open at SIGINT


def signal_takers(pid):
    """The threads of process pid that take SIGINT, SIGTERM and SIGHUP (blocking none of them)."""
    takers = []
    for tid in os.listdir(f'/proc/{pid}/task'):
        with open(f'/proc/{pid}/task/{tid}/status') as f:
            blocked = int(re.search(r'^SigBlk:\s*([0-9a-f]+)$', f.read(), re.M).group(1), 16)
        if not any(blocked >> (sig - 1) & 1 for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)):
            takers.append(int(tid))
    return takers


def test_sighup_reopen(binary, directory):
    runs = []
    sockets = []
    try:
        for _ in range(1 + HUP_BEFORE + HUP_AFTER):
            sockets.append(bound(socket.SOCK_DGRAM))
        server, clients = sockets[0], sockets[1:]
        bpf = f'host {LOCALHOST} and udp and port {server.getsockname()[1]}'
        args = ['--bpf-filter', bpf, '--no-decode-tunnels']
        run = Nfcore(binary, directory, 'rotated', args + ['--idle-timeout', '1', '-j', '2'])
        runs.append(run)
        quiet = Nfcore(binary, directory, 'stdout', args, to_stdout=True)
        runs.append(quiet)
        run.wait_capturing()
        quiet.wait_capturing()
        assert len(os.listdir(f'/proc/{run.proc.pid}/task')) >= 3, 'nfcore -j 2 runs no meter threads'
        takers = signal_takers(run.proc.pid)
        assert takers == [run.proc.pid], f'threads taking SIGINT/SIGTERM/SIGHUP: {takers}, main {run.proc.pid}'
        before = one_datagram_flows(server, clients[:HUP_BEFORE])
        wait_until('the first flows were not written on their idle timeout',
                   lambda: lines_in(run.path) == 1 + HUP_BEFORE)
        rotated = run.path + '.1'
        os.rename(run.path, rotated)
        run.proc.send_signal(signal.SIGHUP)
        quiet.proc.send_signal(signal.SIGHUP)
        wait_until('no new file with its header after SIGHUP', lambda: lines_in(run.path) == 1)
        after = one_datagram_flows(server, clients[HUP_BEFORE:])
        time.sleep(DELIVERY)
        assert quiet.proc.poll() is None, f'nfcore without -o ended on SIGHUP: {quiet.proc.returncode}'
        run.proc.send_signal(signal.SIGINT)
        quiet.proc.send_signal(signal.SIGTERM)   # the same end as SIGINT: every open flow written, status 0
        for r in runs:
            r.wait_exit()
        first, second, unrotated = csv_rows(rotated), csv_rows(run.path), csv_rows(quiet.path)
    finally:
        for s in sockets:
            s.close()
        for r in runs:
            r.close()
    assert ports(first) == sorted(before), f'renamed file: ports {ports(first)}, expected {sorted(before)}'
    assert ports(second) == sorted(after), f'new file: ports {ports(second)}, expected {sorted(after)}'
    assert ports(unrotated) == sorted(before | after), f'standard output: ports {ports(unrotated)}'


PARTS = {'sigint': test_sigint_flush, 'idle': test_idle_expiry, 'sighup': test_sighup_reopen}


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[2:] and sys.argv[2] not in PARTS:
        sys.exit('usage: test_live_capture.py NFCORE [sigint|idle|sighup]')
    parts = sys.argv[2:] or list(PARTS)
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as directory:
        try:
            for part in parts:
                PARTS[part](sys.argv[1], directory)
        except Skip as e:
            print(f'skipped: nfcore cannot capture on lo: {e}')
            return SKIP
    print('live capture on lo (%s): ok (%.1f s)' % (', '.join(parts), time.monotonic() - start))
    return 0


if __name__ == '__main__':
    sys.exit(main())
