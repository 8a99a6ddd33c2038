"""Live capture on lo (skipped without the permission to capture): a flow expires on the wall clock while no packet
arrives, and Ctrl+C while the loop waits for packets stops the capture, yields the flows still open, then ends the
loop normally."""
import json
import os
import signal
import socket
import threading
import time

import pytest

import nfcore
from nfcore import NFStreamer

PORT = 47123


def capture_or_skip(streamer):
    """The streamer's iterator, started; skips the test when lo cannot be captured."""
    flows = iter(streamer)
    try:
        first = next(flows)
    except nfcore.EngineError as error:
        pytest.skip(f"cannot capture on lo: {error}")
    return first, flows


def send_later(datagrams, delay_s, then=None):
    """Sends the datagrams to 127.0.0.1:PORT (a socket listens there, so no ICMP answers) after delay_s."""
    def run():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver, \
             socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            receiver.bind(("127.0.0.1", PORT))
            time.sleep(delay_s)
            for size in datagrams:
                sender.sendto(b"x" * size, ("127.0.0.1", PORT))
            time.sleep(0.5)
            if then:
                then()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_idle_expiry_on_the_wall_clock():
    streamer = NFStreamer("lo", bpf_filter=f"udp and port {PORT}", idle_timeout=1, max_nflows=1, n_dissections=0)
    thread = send_later([10, 20], 1.0)
    started = time.monotonic()
    try:
        flow, rest = capture_or_skip(streamer)
    finally:
        thread.join()
    assert time.monotonic() - started >= 2.0  # the datagrams after 1 s, then 1 s of silence
    assert (flow.dst_port, flow.protocol, flow.src2dst_packets, flow.dst2src_packets) == (PORT, 17, 2, 0)
    assert flow.src2dst_bytes == 2 * (14 + 20 + 8) + 10 + 20
    assert list(rest) == []


def test_ctrl_c_yields_the_open_flows_then_ends():
    streamer = NFStreamer("lo", bpf_filter=f"udp and port {PORT}", n_dissections=0)
    thread = send_later([1, 2, 3], 1.0, then=lambda: os.kill(os.getpid(), signal.SIGINT))
    try:
        flow, rest = capture_or_skip(streamer)  # the flow is open until Ctrl+C (idle timeout 120 s)
        assert list(rest) == []
    finally:
        thread.join()
    assert (flow.id, flow.dst_port, flow.src2dst_packets, flow.expiration_id) == (0, PORT, 3, 0)


def test_performance_report(capsys):
    streamer = NFStreamer("lo", bpf_filter=f"udp and port {PORT}", idle_timeout=2, max_nflows=1, n_dissections=0,
                          n_meters=2, performance_report=1)
    thread = send_later([5] * 4, 0.5)  # the flow expires 2 s after the datagrams: reports at 1 s and 2 s
    try:
        flow, rest = capture_or_skip(streamer)
        assert list(rest) == []
    finally:
        thread.join()
    assert flow.src2dst_packets == 4
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) >= 2
    reports = [json.loads(line) for line in lines]
    for report in reports:
        assert list(report) == ["flows_expired", "packets_processed", "packets_ignored",
                                "packets_dropped_filtered_by_kernel", "meters_packets_processing_balance"]
        assert report["flows_expired"] in (0, 1) and report["packets_ignored"] == 0
        assert len(report["meters_packets_processing_balance"]) == 2
        assert sum(report["meters_packets_processing_balance"]) == report["packets_processed"] <= 4
    assert reports[-1]["packets_processed"] == 4
