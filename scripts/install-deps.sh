#!/bin/sh
# Installs the Debian packages nfcore needs to build and test, when any is missing. Run as root.
set -eu
packages="build-essential cmake pkg-config libpcap-dev libndpi-dev libsodium-dev libgcrypt20-dev check python3 clang-format clang-14 libclang-rt-14-dev
python3-dev python3-numpy python3-pandas python3-pytest python3-dpkt
python3-sklearn python3-onnx python3-ipykernel jupyter-nbconvert python3-dask python3-distributed
libfixbuf-dev libfixbuf-tools nfdump librdkafka-dev kcat python3-confluent-kafka"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
