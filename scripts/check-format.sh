#!/bin/sh
# Checks that the C sources follow .clang-format: lists every file clang-format would change and fails if there is
# one. Exits 77 (ctest's "skipped") when clang-format is not installed. Usage: check-format.sh [SOURCE_DIR]
set -eu
cd "${1:-$(dirname "$0")/..}"
command -v clang-format >/dev/null 2>&1 || { echo "clang-format not found: skipped"; exit 77; }
unformatted=0
for f in $(find core cli plugins examples sdk tools python tests/unit tests/sdk fuzz -name '*.[ch]' | sort); do
    if ! clang-format --style=file "$f" | cmp -s "$f" -; then
        echo "not formatted: $f"
        unformatted=$((unformatted + 1))
    fi
done
[ "$unformatted" -eq 0 ] || { echo "$unformatted files differ from clang-format's output (clang-format -i FILE)"; exit 1; }
