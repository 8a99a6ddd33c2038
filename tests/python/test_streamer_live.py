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

@pytest.fixture
def receiver():
    """A UDP socket on a free port of 127.0.0.1, so that the datagrams sent there get no ICMP answer and the
    capture's filter sees no one else's traffic."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock


def capture_or_skip(streamer):
    """The streamer's iterator, started; skips the test when lo cannot be captured."""
    flows = iter(streamer)
    try:
        first = next(flows)
    except nfcore.EngineError as error:
        pytest.skip(f"cannot capture on lo: {error}")
    return first, flows


def send_later(port, datagrams, delay_s, then=None):
    """Sends the datagrams to 127.0.0.1:port after delay_s, from a thread."""
    def run():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            time.sleep(delay_s)
            for size in datagrams:
                sender.sendto(b"x" * size, ("127.0.0.1", port))
            time.sleep(0.5)
            if then:
                then()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def on_port(port, **parameters):
    return NFStreamer("lo", bpf_filter=f"udp and dst port {port}", n_dissections=0, **parameters)


def test_idle_expiry_on_the_wall_clock(receiver):
    port = receiver.getsockname()[1]
    streamer = on_port(port, idle_timeout=1, max_nflows=1)
    thread = send_later(port, [10, 20], 1.0)
    started = time.monotonic()
    try:
        flow, rest = capture_or_skip(streamer)
    finally:
        thread.join()
    assert time.monotonic() - started >= 2.0  # the datagrams after 1 s, then 1 s of silence
    assert (flow.dst_port, flow.protocol, flow.src2dst_packets, flow.dst2src_packets) == (port, 17, 2, 0)
    assert flow.src2dst_bytes == 2 * (14 + 20 + 8) + 10 + 20
    assert list(rest) == []


def test_ctrl_c_yields_the_open_flows_then_ends(receiver):
    port = receiver.getsockname()[1]
    streamer = on_port(port)
    thread = send_later(port, [1, 2, 3], 1.0, then=lambda: os.kill(os.getpid(), signal.SIGINT))
    try:
        flow, rest = capture_or_skip(streamer)  # the flow is open until Ctrl+C (idle timeout 120 s)
        assert list(rest) == []
    finally:
        thread.join()
    assert (flow.id, flow.dst_port, flow.src2dst_packets, flow.expiration_id) == (0, port, 3, 0)


def test_performance_report(receiver, capsys):
    port = receiver.getsockname()[1]
    streamer = on_port(port, idle_timeout=2, max_nflows=1, n_meters=2, performance_report=1)
    thread = send_later(port, [5] * 4, 0.5)  # the flow expires 2 s after the datagrams: reports at 1 s and 2 s
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


def test_flow_dropped_while_another_thread_waits_in_the_engine(receiver):
    # A flow object that dies while its engine waits for packets (without the GIL) is given back once the wait
    # is over: libnfcore's calls on one engine come from one thread at a time.
    port = receiver.getsockname()[1]
    streamer = on_port(port, idle_timeout=1, max_nflows=2)
    first = send_later(port, [7], 0.5)
    flow, rest = capture_or_skip(streamer)
    first.join()
    handed = []
    waiter = threading.Thread(target=lambda: handed.extend(rest))  # waits in the engine for the second flow
    waiter.start()
    time.sleep(0.3)
    assert flow.src2dst_bytes == 14 + 20 + 8 + 7
    del flow  # released while the engine is busy
    send_later(port, [9, 9], 0.2).join()
    waiter.join()
    assert [(f.id, f.src2dst_packets, f.src2dst_bytes) for f in handed] == [(1, 2, 2 * (14 + 20 + 8 + 9))]
