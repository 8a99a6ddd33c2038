#!/bin/sh
# The SDK and the library as a third party uses them: installs the build into a scratch prefix, builds
# examples/ack_count.c outside the tree against the installed header (with pkg-config, then with
# find_package(nfcore)) and meters the project's sample capture with the installed nfcore; then builds a program
# that counts the sample capture's flows through the installed shared library, with each of the two as well.
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
libdir=$(dirname "$PKG_CONFIG_PATH")
# A library built with the sanitizers runs only in a program built with them.
sanitize=
if readelf -d "$libdir/libnfcore.so" | grep -q 'NEEDED.*libasan'; then
    sanitize=-fsanitize=address,undefined
fi

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

# An embedder: engine, flows, close, through libnfcore.so. sample.pcap holds 8 flows (see above).
mkdir "$tmp/embed"
cat >"$tmp/embed/count_flows.c" <<'C'
#include <stdio.h>

#include <nfcore/nfcore.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    struct nfc_config cfg;
    nfc_config_defaults(&cfg);
    cfg.files = (const char *const[]){argv[1]};
    cfg.n_files = 1;
    char err[256];
    struct nfc_engine *eng = nfc_engine_open(&cfg, err, sizeof err);
    if (!eng) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    const struct nfc_flow *flow;
    enum nfc_next next;
    unsigned long flows = 0;
    while ((next = nfc_engine_next(eng, &flow)) == NFC_NEXT_FLOW)
        flows++;
    nfc_engine_close(eng);
    printf("%lu\n", flows);
    return next == NFC_NEXT_END ? 0 : 1;
}
C
check_embedder() {
    readelf -d "$1" | grep -q 'NEEDED.*\[libnfcore\.so\.' || fail "$2: not linked to libnfcore.so"
    flows=$("$1" "$build/sample.pcap") || fail "$2: exit status $?"
    [ "$flows" = 8 ] || fail "$2: $flows flows in sample.pcap, expected 8"
}
cd "$tmp/embed"
# shellcheck disable=SC2046,SC2086 # the flags are words
cc $sanitize $(pkg-config --cflags nfcore) count_flows.c -o count_flows $(pkg-config --libs nfcore) \
    -Wl,-rpath,"$libdir"
check_embedder ./count_flows "count_flows built with pkg-config"

cat >CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(count_flows C)
find_package(nfcore REQUIRED)
add_executable(count_flows count_flows.c)
target_link_libraries(count_flows PRIVATE nfcore::shared)
CMAKE
"$cmake" -S . -B build -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="$sanitize" >/dev/null
"$cmake" --build build >/dev/null
check_embedder build/count_flows "count_flows built with find_package(nfcore)"
