#!/usr/bin/python3
"""Runs one pytest suite for ctest: pytest's exit status, or 77 (ctest's SKIP_RETURN_CODE) when every test of the
suite was skipped, e.g. a conformance suite without ../shared, so that ctest reports it skipped, not passed.

usage: run_suite.py TEST_FILE [pytest options...]
"""
import sys

import pytest


class Outcomes:
    def __init__(self) -> None:
        self.ran = 0
        self.skipped = 0

    def pytest_runtest_logreport(self, report) -> None:
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            self.ran += 1
            self.skipped += report.outcome == "skipped"

    def pytest_collectreport(self, report) -> None:
        if report.outcome == "skipped":  # a module skipped as a whole
            self.skipped += 1


def main() -> int:
    outcomes = Outcomes()
    status = pytest.main(["-q", "-rs", "-p", "no:cacheprovider", *sys.argv[1:]], plugins=[outcomes])
    # A module skipped as a whole leaves nothing collected (status 5).
    done = status in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
    if done and outcomes.skipped and outcomes.skipped >= outcomes.ran:
        return 77
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
