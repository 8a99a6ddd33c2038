"""What the tests expect of docs/IPFIX.md's table: each CSV column's information element and its value there."""
import datetime

# The standard elements (RFC 5103 reverse ones for dst2src); every other column is an enterprise element named as
# the column. An address column's element is IPv4's or IPv6's by the flow's version.
STANDARD = {
    'id': 'flowId',
    'expiration_id': 'flowEndReason',
    'src_ip': ('sourceIPv4Address', 'sourceIPv6Address'),
    'dst_ip': ('destinationIPv4Address', 'destinationIPv6Address'),
    'src_mac': 'sourceMacAddress',
    'dst_mac': 'destinationMacAddress',
    'src_port': 'sourceTransportPort',
    'dst_port': 'destinationTransportPort',
    'protocol': 'protocolIdentifier',
    'ip_version': 'ipVersion',
    'vlan_id': 'vlanId',
    'bidirectional_first_seen_ms': 'flowStartMilliseconds',
    'bidirectional_last_seen_ms': 'flowEndMilliseconds',
    'bidirectional_duration_ms': 'flowDurationMilliseconds',
    'dst2src_first_seen_ms': 'reverseFlowStartMilliseconds',
    'dst2src_last_seen_ms': 'reverseFlowEndMilliseconds',
    'dst2src_duration_ms': 'reverseFlowDurationMilliseconds',
    'src2dst_packets': 'packetDeltaCount',
    'dst2src_packets': 'reversePacketDeltaCount',
    'application_name': 'applicationName',
}
for flag in ('syn', 'urg', 'ack', 'psh', 'rst', 'fin'):
    STANDARD[f'src2dst_{flag}_packets'] = f'tcp{flag.capitalize()}TotalCount'
    STANDARD[f'dst2src_{flag}_packets'] = f'reverseTcp{flag.capitalize()}TotalCount'
# By accounting mode: wire bytes (0) and RFC 7012's IP bytes (1, plus 40 per IPv6 packet).
OCTETS = {0: ('layer2OctetDeltaCount', 'reverseLayer2OctetDeltaCount'),
          1: ('octetDeltaCount', 'reverseOctetDeltaCount')}
# flowEndReason's codes for nfcore's expiration_id.
END_REASON = {'0': '1', '1': '2', '2': '3', '3': '5', '-1': '4'}
IDLE_TIMEOUT_MS = 120000  # nfstream's default


def end_reason(row, capture_end_ms, idle_timeout_ms=IDLE_TIMEOUT_MS):
    """flowEndReason of a CSV row: a flow still idle-less when the capture ended was ended by it (4, forced end),
    its expiration_id staying nfstream's 0. (A flow idle for longer but queued behind a busy older one, spec 5.4,
    also ends with the capture: a run whose idle timeout outlasts the capture has no such flow.)"""
    if row['expiration_id'] == '0' and capture_end_ms - int(row['bidirectional_last_seen_ms']) < idle_timeout_ms:
        return '4'
    return END_REASON[row['expiration_id']]


def element(column, row, accounting_mode=0):
    """The element that holds `column` of the CSV row `row`."""
    if column in ('src2dst_bytes', 'dst2src_bytes') and accounting_mode in OCTETS:
        return OCTETS[accounting_mode][column.startswith('dst2src')]
    name = STANDARD.get(column, column)
    if isinstance(name, tuple):
        return name[row['ip_version'] == '6']
    return name


def ms_text(ms):
    """A dateTimeMilliseconds as ipfixDump prints it (UTC)."""
    t = datetime.datetime.fromtimestamp(int(ms) / 1000, datetime.timezone.utc)
    return t.strftime('%Y-%m-%d %H:%M:%S.') + f'{int(ms) % 1000:03d}'
