"""What the IPFIX round trips share: the captures they run on (the build's sample, and conformance captures when
../shared is there) and their report."""
import os
import tempfile
from typing import Callable


def run(label: str, sample: str, shared: str | None, conformance: list[str],
        check: Callable[[str, str], list[str]]) -> int:
    """Checks each capture with check(capture, scratch folder), prints the differences; 1 when there are any."""
    captures = [sample]
    pcaps = os.path.join(shared, 'conformance', 'nfstream', 'pcaps') if shared else ''
    if os.path.isdir(pcaps):
        captures += [os.path.join(pcaps, c) for c in conformance]
    else:
        print('note: ../shared/conformance absent: the sample capture alone')
    with tempfile.TemporaryDirectory() as tmp:
        problems = [p for pcap in captures for p in check(pcap, tmp)]
    for p in problems[:40]:
        print(p)
    print(f'{label}: {len(captures)} captures, {len(problems)} differences')
    return 1 if problems else 0
