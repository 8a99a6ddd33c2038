#!/bin/sh
# Provisions ONNX Runtime for the onnx plugin into DEST (default: third_party/onnxruntime, git-ignored):
#   DEST/include/  the C API headers, from Debian trixie's libonnxruntime-dev (1.21; downloaded through a private
#                  apt index and unpacked, never installed: the system keeps its own release)
#   DEST/lib/libonnxruntime.so.1  from the npm package onnxruntime-node (needs glibc >= 2.28); the plugin loads it
#                  with dlopen, and the 1.21 header works with this newer library
# and the Debian packages the plugin's tests build their models with (python3-onnx, python3-numpy).
# Does only what is missing: seconds when npm is there, a few minutes on a bare machine. Run as root.
# usage: scripts/install-onnxruntime.sh [DEST]
set -eu
cd "$(dirname "$0")/.."
ORT_NPM_VERSION=1.30.0
HEADER_SUITE=trixie
dest=${1:-third_party/onnxruntime}
header=$dest/include/onnxruntime_c_api.h
library=$dest/lib/libonnxruntime.so.1

apt_updated=no
apt_install() {
    missing=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    if [ $apt_updated = no ]; then
        apt-get update -qq
        apt_updated=yes
    fi
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

apt_install python3-onnx python3-numpy
[ -f "$header" ] && [ -f "$library" ] && exit 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# The first Debian mirror that serves this system's release, from the one-line or the deb822 sources.
mirror() {
    # shellcheck disable=SC1091
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [ -n "$codename" ] || return 1
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v c="$codename" '$1 == "deb" {
            line = $0; sub(/\[[^]]*\]/, "", line); split(line, w)
            if (w[3] == c) { print w[2]; exit }
        }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v c="$codename" 'function flush() { if (deb && on && suite && uri != "") { print uri; found = 1; exit } }
            /^[ \t]*$/ { flush(); deb = 0; on = 1; suite = 0; uri = ""; next }
            /^#/ { next }
            { key = tolower($1) }
            key == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
            key == "enabled:" { on = tolower($2) != "no" }
            key == "suites:" { for (i = 2; i <= NF; i++) if ($i == c) suite = 1 }
            key == "uris:" { uri = $2 }
            BEGIN { on = 1 }
            END { if (!found) flush() }' "$f"
    done
}

if [ ! -f "$header" ]; then
    uri=$(mirror | head -n 1)
    if [ -z "$uri" ]; then
        echo "install-onnxruntime: no Debian mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d" >&2
        exit 1
    fi
    echo "fetching libonnxruntime-dev from $uri $HEADER_SUITE"
    mkdir -p "$tmp/etc/sources.list.d" "$tmp/etc/preferences.d" "$tmp/state/lists/partial" \
        "$tmp/cache/archives/partial" "$tmp/deb"
    : >"$tmp/etc/sources.list"
    cat >"$tmp/etc/sources.list.d/$HEADER_SUITE.sources" <<EOF
Types: deb
URIs: $uri
Suites: $HEADER_SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    # Every apt folder points into $tmp, so the system's own index and cache are left as they are.
    set -- -qq -o Dir::Etc::SourceList="$tmp/etc/sources.list" -o Dir::Etc::SourceParts="$tmp/etc/sources.list.d" \
        -o Dir::Etc::PreferencesParts="$tmp/etc/preferences.d" -o Dir::State="$tmp/state" \
        -o Dir::State::Lists="$tmp/state/lists" -o Dir::State::status=/var/lib/dpkg/status \
        -o Dir::Cache="$tmp/cache" -o Acquire::Languages=none -o APT::Sandbox::User=root
    apt-get "$@" update
    (cd "$tmp/deb" && apt-get "$@" download libonnxruntime-dev)
    dpkg-deb -x "$tmp"/deb/libonnxruntime-dev_*.deb "$tmp/root"
    # Moved into place whole, so that an interrupted copy is never taken for the headers.
    rm -rf "$dest/include" "$dest/include.part"
    mkdir -p "$dest"
    cp -R "$tmp/root/usr/include/onnxruntime" "$dest/include.part"
    mv "$dest/include.part" "$dest/include"
fi

if [ ! -f "$library" ]; then
    case $(uname -m) in
    x86_64) arch=x64 ;;
    aarch64) arch=arm64 ;;
    *) echo "install-onnxruntime: onnxruntime-node ships no library for $(uname -m)" >&2; exit 1 ;;
    esac
    command -v npm >/dev/null 2>&1 || apt_install npm
    echo "fetching onnxruntime-node@$ORT_NPM_VERSION"
    (cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_NPM_VERSION" >/dev/null)
    packaged=package/bin/napi-v6/linux/$arch/libonnxruntime.so.1
    tar -xzf "$tmp/onnxruntime-node-$ORT_NPM_VERSION.tgz" -C "$tmp" "$packaged"
    mkdir -p "$dest/lib"
    # Copied under another name first, for the same reason.
    cp "$tmp/$packaged" "$library.part"
    mv "$library.part" "$library"
fi
echo "ONNX Runtime in $dest"
