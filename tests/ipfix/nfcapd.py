"""nfdump's collector, nfcapd (1.7), on a free UDP port of 127.0.0.1: for the round trip test and the benchmark."""
import os
import signal
import socket
import subprocess
import time


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def start(directory):
    """nfcapd writing into `directory` (-B: a socket buffer that keeps up), once it says it is bound; another free
    port when one was taken meanwhile. Returns (process, port, log); its log is beside `directory`."""
    log = os.path.join(os.path.dirname(directory), 'nfcapd.log')
    for _ in range(5):
        port = free_udp_port()
        with open(log, 'w') as out:
            proc = subprocess.Popen(['nfcapd', '-b', '127.0.0.1', '-p', str(port), '-w', directory, '-B', '8388608',
                                     '-t', '3600'], stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            with open(log) as f:
                if 'Startup nfcapd.' in f.read():
                    return proc, port, log
            time.sleep(0.05)
        proc.kill()
        proc.wait()
    raise RuntimeError('nfcapd did not start')


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
