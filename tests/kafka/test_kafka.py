"""nfcore --kafka against librdkafka's mock cluster (3 brokers on 127.0.0.1, started and stopped by each test),
its messages read back by two independent clients: kcat and python3-confluent-kafka.

Environment: NFCORE, MOCK_CLUSTER (tests/kafka/mock_cluster.c), SAMPLE_PCAP, MAKE_TRAFFIC_PCAP; NFC_SHARED_DIR
(default ../../../shared) for a conformance capture, used when present."""
import json
import os
import signal
import socket
import subprocess
import time

import pytest
from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

NFCORE = os.environ['NFCORE']
TOPIC = 'flows'
PARTITIONS = 6
HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get('NFC_SHARED_DIR') or os.path.join(HERE, '..', '..', '..', 'shared')
SHARED_PCAP = os.path.join(SHARED, 'conformance', 'nfstream', 'pcaps', 'bittorrent.pcap')


class Cluster:
    """The mock cluster process: its bootstrap address, and brokers taken down and brought back on demand."""

    def __init__(self):
        self.proc = subprocess.Popen([os.environ['MOCK_CLUSTER'], TOPIC, str(PARTITIONS)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.bootstrap = self.proc.stdout.readline().strip()
        assert self.bootstrap.count('127.0.0.1:') == 3, self.bootstrap

    def command(self, line):
        self.proc.stdin.write(line + '\n')
        self.proc.stdin.flush()
        assert self.proc.stdout.readline() == 'ok\n'

    def stop(self):
        self.proc.stdin.close()
        assert self.proc.wait(timeout=30) == 0


@pytest.fixture
def cluster():
    c = Cluster()
    yield c
    c.stop()


def nfcore(*args, timeout=120):
    return subprocess.run([NFCORE, *args], capture_output=True, text=True, timeout=timeout)


def murmur2(data):
    """Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2), as Java's default partitioner hashes keys."""
    m, h = 0x5BD1E995, 0x9747B28C ^ len(data)
    for i in range(0, len(data) // 4 * 4, 4):
        k = (int.from_bytes(data[i:i + 4], 'little') * m) & 0xFFFFFFFF
        k = ((k ^ (k >> 24)) * m) & 0xFFFFFFFF
        h = ((h * m) & 0xFFFFFFFF) ^ k
    tail = data[len(data) // 4 * 4:]
    if tail:
        for i in reversed(range(len(tail))):
            h ^= tail[i] << (8 * i)
        h = (h * m) & 0xFFFFFFFF
    h = ((h ^ (h >> 13)) * m) & 0xFFFFFFFF
    return h ^ (h >> 15)


def test_murmur2_matches_kafka():
    # Values from Kafka's UtilsTest.testMurmur2 (Java's signed ints, taken modulo 2^32).
    assert murmur2(b'21') == -973932308 & 0xFFFFFFFF
    assert murmur2(b'foobar') == -790332482 & 0xFFFFFFFF
    assert murmur2(b'a-little-bit-long-string') == -985981536 & 0xFFFFFFFF
    assert murmur2(b'a-little-bit-longer-string') == -1486304829 & 0xFFFFFFFF
    assert murmur2(b'lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8') == -58897971 & 0xFFFFFFFF
    assert murmur2(bytes([ord('a'), ord('b'), ord('c')])) == 479470107


def read_kcat(bootstrap):
    """(partition, key, headers, payload) of every message, by kcat's JSON envelope."""
    out = subprocess.run(['kcat', '-C', '-b', bootstrap, '-t', TOPIC, '-e', '-q', '-J'], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    messages = []
    for line in out.splitlines():
        m = json.loads(line)
        h = m.get('headers') or []
        messages.append((m['partition'], m['key'], dict(zip(h[::2], h[1::2])), m['payload']))
    return messages


def read_confluent(bootstrap):
    """(partition, key, headers, payload) of every message, read from the start of each partition to its end."""
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'nfcore-test', 'enable.auto.commit': False,
                  'enable.partition.eof': True})
    c.assign([TopicPartition(TOPIC, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
    at_end, messages = set(), []
    deadline = time.monotonic() + 60
    while len(at_end) < PARTITIONS:
        assert time.monotonic() < deadline, 'the consumer did not reach the end of every partition'
        m = c.poll(1)
        if m is None:
            continue
        if m.error():
            assert m.error().code() == KafkaError._PARTITION_EOF, m.error()
            at_end.add(m.partition())
            continue
        at_end.discard(m.partition())
        key = m.key().decode() if m.key() is not None else None
        messages.append((m.partition(), key, {k: v.decode() for k, v in m.headers() or []}, m.value().decode()))
    c.close()
    return messages


def check_messages(messages, lines, keyed, probe_id):
    """The messages hold the JSON lines, each exactly once, in order within a partition, with their key and
    header; keyed ones sit in the partition Java's partitioner gives their key."""
    assert lines, 'no flow written'
    assert sorted(p for _, _, _, p in messages) == sorted(lines)
    for partition, key, headers, payload in messages:
        flow = json.loads(payload)
        if keyed:
            assert key == flow['community_id'] and key.startswith('1:')
            assert partition == (murmur2(key.encode()) & 0x7FFFFFFF) % PARTITIONS
        else:
            assert key is None
        assert headers == ({'probe_id': probe_id} if probe_id else {})
    for p in range(PARTITIONS):
        ids = [json.loads(payload)['id'] for partition, _, _, payload in messages if partition == p]
        assert ids == sorted(ids)


def captures():
    yield os.environ['SAMPLE_PCAP']
    if os.path.exists(SHARED_PCAP):
        yield SHARED_PCAP
    else:
        print(f'conformance capture not found at {SHARED_PCAP} (set NFC_SHARED_DIR): the sample capture only')


@pytest.mark.parametrize('pcap', list(captures()), ids=os.path.basename)
def test_messages_equal_jsonl(cluster, tmp_path, pcap):
    out = tmp_path / 'flows.jsonl'
    r = nfcore('-r', pcap, '--community-id', '--probe-id', 'probe-7', '-o', str(out), '-f', 'jsonl', '-v',
               '--kafka', f'brokers={cluster.bootstrap},topic={TOPIC}')
    assert r.returncode == 0, r.stderr
    lines = out.read_text().splitlines()
    assert f'nfcore: Kafka: {len(lines)} messages delivered, 0 dropped (queue full), 0 failed\n' in r.stderr
    for read in (read_kcat, read_confluent):
        check_messages(read(cluster.bootstrap), lines, keyed=True, probe_id='probe-7')


def test_kafka_alone_writes_nothing_else_and_key_none(cluster, tmp_path):
    """Without --community-id the key defaults to none; key=none says so with the column on; no probe id, no
    header; --kafka alone leaves standard output empty."""
    pcap = os.environ['SAMPLE_PCAP']
    r = nfcore('-r', pcap, '--kafka', f'brokers={cluster.bootstrap},topic={TOPIC},linger.ms=0')
    assert r.returncode == 0 and r.stdout == '' and r.stderr == '', r.stderr
    lines = nfcore('-r', pcap, '-f', 'jsonl').stdout.splitlines()
    check_messages(read_confluent(cluster.bootstrap), lines, keyed=False, probe_id=None)


def test_anonymized_columns_anonymized(cluster, tmp_path):
    key = tmp_path / 'key'
    key.write_text('ab' * 64)
    args = ['-r', os.environ['SAMPLE_PCAP'], '--anonymize', 'src_ip,dst_ip', '--anonymize-key-file', str(key)]
    r = nfcore(*args, '--kafka', f'brokers={cluster.bootstrap},topic={TOPIC},key=none')
    assert r.returncode == 0, r.stderr
    lines = nfcore(*args, '-f', 'jsonl').stdout.splitlines()
    assert all(len(json.loads(line)['src_ip']) == 128 for line in lines)
    check_messages(read_kcat(cluster.bootstrap), lines, keyed=False, probe_id=None)


def test_broker_down_and_back_loses_and_repeats_nothing(cluster, tmp_path):
    """Broker 2 down from the start and broker 3 taken down while messages flow, both brought back: every message
    is written once (the idempotent producer's retries are not written twice)."""
    pcap = tmp_path / 'traffic.pcap'
    subprocess.run([os.environ['MAKE_TRAFFIC_PCAP'], '--flows', '20000', '--concurrency', '2000', str(pcap)],
                   check=True, capture_output=True)
    out = tmp_path / 'flows.jsonl'
    proc = subprocess.Popen([NFCORE, '-r', str(pcap), '--community-id', '-o', str(out), '-f', 'jsonl', '-v',
                             '--kafka', f'brokers={cluster.bootstrap},topic={TOPIC}'],
                            stderr=subprocess.PIPE, text=True)
    cluster.command('down 2')
    time.sleep(0.1)
    cluster.command('down 3')
    time.sleep(2)
    assert proc.poll() is None, 'nfcore did not wait for the partitions of the brokers down'
    cluster.command('up 2')
    cluster.command('up 3')
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    lines = out.read_text().splitlines()
    assert len(lines) >= 20000
    assert f'nfcore: Kafka: {len(lines)} messages delivered, 0 dropped (queue full), 0 failed\n' in stderr
    check_messages(read_confluent(cluster.bootstrap), lines, keyed=True, probe_id=None)


def test_sigterm_awaits_deliveries(cluster, tmp_path):
    """SIGTERM stops metering, not the deliveries: with broker 2 down, nfcore waits for its partitions once
    stopped, and every flow written to the file reaches the topic once broker 2 is back."""
    pcap = tmp_path / 'traffic.pcap'
    subprocess.run([os.environ['MAKE_TRAFFIC_PCAP'], '--flows', '20000', '--concurrency', '2000', str(pcap)],
                   check=True, capture_output=True)
    cluster.command('down 2')
    out = tmp_path / 'flows.jsonl'
    proc = subprocess.Popen([NFCORE, '-r', str(pcap), '--community-id', '-o', str(out), '-f', 'jsonl', '-v',
                             '--kafka', f'brokers={cluster.bootstrap},topic={TOPIC}'],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not (out.exists() and out.stat().st_size):  # metering has begun: the signal is nfcore's to handle
        assert time.monotonic() < deadline and proc.poll() is None, 'nfcore wrote no flow'
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    time.sleep(1.5)
    assert proc.poll() is None, 'nfcore did not wait for the partitions of broker 2'
    cluster.command('up 2')
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    lines = out.read_text().splitlines()
    assert f'nfcore: Kafka: {len(lines)} messages delivered, 0 dropped (queue full), 0 failed\n' in stderr
    check_messages(read_kcat(cluster.bootstrap), lines, keyed=True, probe_id=None)


def partition_of(line):
    return (murmur2(json.loads(line)['community_id'].encode()) & 0x7FFFFFFF) % PARTITIONS


def test_undelivered_messages_counted_as_failed(cluster, tmp_path):
    """A broker down for good: the messages of the partitions it leads (partition P's leader is P % 3 + 1) are not
    delivered within --kafka-timeout, counted as failed with exit status 1; the others are delivered."""
    pcap = os.environ['SAMPLE_PCAP']
    lines = nfcore('-r', pcap, '--community-id', '-f', 'jsonl').stdout.splitlines()
    broker = partition_of(lines[0]) % 3 + 1
    lost = sum(partition_of(line) % 3 + 1 == broker for line in lines)
    cluster.command(f'down {broker}')
    r = nfcore('-r', pcap, '--community-id', '--kafka-timeout', '2', '--kafka',
               f'brokers={cluster.bootstrap},topic={TOPIC}')
    assert r.returncode == 1, r.stderr
    assert r.stderr == (f'nfcore: Kafka: {len(lines) - lost} messages delivered, 0 dropped (queue full), {lost} '
                        f'failed: {lost} message{"s" if lost > 1 else ""} not delivered within 2 s\n')
    cluster.command(f'up {broker}')
    assert len(read_kcat(cluster.bootstrap)) == len(lines) - lost


def test_full_queue_drops_rather_than_waits(cluster):
    """A queue of one message whose partition's leader is down: the first flow waits in it (failed at the timeout),
    every later one finds it full and is dropped, counted; exit status 1."""
    pcap = os.environ['SAMPLE_PCAP']
    lines = nfcore('-r', pcap, '--community-id', '-f', 'jsonl').stdout.splitlines()
    cluster.command(f'down {partition_of(lines[0]) % 3 + 1}')
    r = nfcore('-r', pcap, '--community-id', '--kafka-timeout', '1', '--kafka',
               f'brokers={cluster.bootstrap},topic={TOPIC},queue.buffering.max.messages=1')
    assert r.returncode == 1, r.stderr
    assert r.stderr == (f'nfcore: Kafka: 0 messages delivered, {len(lines) - 1} dropped (queue full), 1 failed: '
                        f'1 message not delivered within 1 s\n')


def closed_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_unreachable_broker_is_one_line_and_exit_2():
    brokers = f'127.0.0.1:{closed_port()}'
    start = time.monotonic()
    r = nfcore('-r', os.environ['SAMPLE_PCAP'], '--kafka-timeout', '2', '--kafka', f'brokers={brokers},topic=t')
    assert time.monotonic() - start < 10
    assert r.returncode == 2 and r.stdout == ''
    assert r.stderr.count('\n') == 1 and r.stderr.startswith(f'nfcore: Kafka: no answer from the brokers {brokers}')


@pytest.mark.parametrize('args,message', [
    (['--kafka', 'topic=t'], 'nfcore: --kafka: brokers is missing'),
    (['--kafka', 'brokers=127.0.0.1:1'], 'nfcore: --kafka: topic is missing'),
    (['--kafka', '127.0.0.1:1,topic=t'], "nfcore: --kafka: '127.0.0.1:1' is not NAME=VALUE"),
    (['--kafka', 'brokers=127.0.0.1:1,topic='], 'nfcore: --kafka: topic has an empty value'),
    (['--kafka', 'brokers=127.0.0.1:1,topic=t,key=src_ip'], "nfcore: --kafka: key: unknown key 'src_ip'"),
    (['--kafka', 'brokers=127.0.0.1:1,topic=t,topic=u'], 'nfcore: --kafka: topic is given twice'),
    (['--kafka', 'brokers=a:1,topic=t', '--kafka', 'brokers=a:1,topic=t'], 'nfcore: --kafka is given twice'),
    (['--kafka', 'brokers=127.0.0.1:1,topic=t', '--kafka-timeout', '0'], 'nfcore: --kafka-timeout: '),
    (['--probe-id', 'p'], 'nfcore: --probe-id needs --kafka'),
    (['--kafka', 'brokers=127.0.0.1:1,topic=t,no.such.property=1'],
     'nfcore: Kafka: No such configuration property: "no.such.property"'),
    (['--kafka', 'brokers=127.0.0.1:1,topic=t,key=community_id'],
     'nfcore: Kafka: key=community_id needs the community_id column (--community-id)'),
])
def test_bad_kafka_options_are_one_line_and_exit_2(args, message):
    r = nfcore('-r', os.environ['SAMPLE_PCAP'], *args)
    assert r.returncode == 2 and r.stdout == ''
    assert r.stderr.count('\n') == 1 and r.stderr.startswith(message), r.stderr
