#!/bin/sh
# The SDK as a third party uses it: installs the build into a scratch prefix, builds examples/ack_count.c outside
# the tree against the installed header (with pkg-config, then with find_package(nfcore)), and meters the
# project's sample capture with the installed nfcore.
# Usage: out_of_tree.sh BUILD_DIR SOURCE_DIR [CMAKE]
set -eu
build=$1
source=$2
cmake=${3:-cmake}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

fail() {
    echo "out_of_tree: $*" >&2
    exit 1
}

"$cmake" --install "$build" --prefix "$prefix" >/dev/null
pc=$(find "$prefix" -name nfcore.pc)
[ -n "$pc" ] || fail "no nfcore.pc installed"
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH

mkdir "$tmp/plugin"
cp "$source/examples/ack_count.c" "$tmp/plugin/"
cd "$tmp/plugin"
# shellcheck disable=SC2046 # the flags are words
cc -shared -fPIC $(pkg-config --cflags nfcore) ack_count.c -o ack_count.so

# Packets with the ACK flag per flow of sample.pcap, counted from tools/make_sample_pcap.c; flows come out in
# capture order, shown by their destination port:
#   53   DNS query and answer                                                   0
#   80   HTTP: SYN, SYN-ACK, ACK, request, response, ACK, FIN, FIN, ACK         8 of 9 (all but the SYN)
#   53   DNS                                                                    0
#   443  TLS: handshake 3, ClientHello, server flight, 2 client records,
#        server record, ACK, close 3                                            11 of 12
#   53   DNS over IPv6, 123 NTP, 5353 mDNS, 0 ICMP echo                         0
expected="53 0
80 8
53 0
443 11
53 0
123 0
5353 0
0 0"
"$prefix/bin/nfcore" --plugin ./ack_count.so -r "$build/sample.pcap" >flows.csv
# udps.ack_count is the last column; dst_port comes before any field holding free text.
actual=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "dst_port") port = i
                            if ($NF != "udps.ack_count") exit 1; next }
                  { print $port, $NF }' flows.csv) || fail "udps.ack_count is not the last column"
[ "$actual" = "$expected" ] || fail "dst_port and udps.ack_count per flow:
$actual
expected:
$expected"

# The same through find_package(nfcore): a plugin target that links nfcore::sdk alone.
mkdir "$tmp/cmake"
cp "$source/examples/ack_count.c" "$tmp/cmake/"
cat >"$tmp/cmake/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(ack_count C)
find_package(nfcore REQUIRED)
add_library(ack_count MODULE ack_count.c)
set_target_properties(ack_count PROPERTIES PREFIX "")
target_link_libraries(ack_count PRIVATE nfcore::sdk)
CMAKE
"$cmake" -S "$tmp/cmake" -B "$tmp/cmake/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
"$cmake" --build "$tmp/cmake/build" >/dev/null
"$prefix/bin/nfcore" --plugin "$tmp/cmake/build/ack_count.so" --describe | grep -q '^  udps.ack_count  *int$' ||
    fail "the plugin built with find_package(nfcore) does not describe udps.ack_count"
