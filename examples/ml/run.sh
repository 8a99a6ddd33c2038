#!/bin/sh
# The flow classification example, step by step: extract, train, convert, predict (no argument: all four).
#   extract  meter every capture with nfcore into $ML_OUT/flows/CAPTURE.csv
#   train    fit a random forest on nDPI's categories (train.py), a quarter of the flows held out for test
#   convert  write model.onnx (sklearn_to_onnx.py) and check it against scikit-learn (test_sklearn_to_onnx.py)
#   predict  meter the captures holding test flows with the onnx plugin and print the confusion matrix (confusion.py)
# Environment: ML_OUT (default build/ml), NFCORE (default build/nfcore), NFC_SHARED_DIR (default ../shared),
# ML_SPLIT (flow, the default, or capture: how train.py holds out its test set).
set -eu
cd "$(dirname "$0")/../.."
here=examples/ml
out=${ML_OUT:-build/ml}
nfcore=${NFCORE:-build/nfcore}
python=/usr/bin/python3   # Debian's, which has python3-sklearn and python3-onnx
pcaps=${NFC_SHARED_DIR:-../shared}/conformance/nfstream/pcaps
options="--statistical-analysis --splt-analysis 8 -j 1"

# The captures to learn from, one path a line: nfstream's test captures, or else captures generated here.
list_captures() {
    if [ -d "$pcaps" ]; then
        find "$pcaps" -maxdepth 1 -type f | sort
        return
    fi
    echo "no conformance captures at $pcaps: using generated ones (synthetic traffic, accuracy means little)" >&2
    generator=$(dirname "$nfcore")/tools/make_traffic_pcap
    if [ ! -x "$generator" ]; then
        generator=$out/make_traffic_pcap
        cc -O2 tools/make_traffic_pcap.c tools/pcap_writer.c -o "$generator"
    fi
    mkdir -p "$out/pcaps"
    for seed in 1 2 3 4 5 6; do
        "$generator" --flows 1000 --concurrency 100 --seed "$seed" "$out/pcaps/traffic-$seed.pcap"
        echo "$out/pcaps/traffic-$seed.pcap"
    done
}

extract() {
    rm -rf "$out/flows" && mkdir -p "$out/flows"
    list_captures >"$out/captures.txt"
    while read -r capture; do
        # shellcheck disable=SC2086
        "$nfcore" -r "$capture" $options -o "$out/flows/$(basename "$capture").csv" ||
            [ $? -eq 1 ]  # 1: damaged records in the capture, its flows are still written
    done <"$out/captures.txt"
    echo "$(wc -l <"$out/captures.txt") captures metered into $out/flows/"
}

train() {
    rm -f "$out/model.onnx"  # made from an older model
    "$python" "$here/train.py" "$out/flows" "$out" "${ML_SPLIT:-flow}"
}

convert() {
    "$python" "$here/sklearn_to_onnx.py" "$out/model.pkl" "$out/model.onnx"
    "$python" "$here/test_sklearn_to_onnx.py" | tail -n 1  # the synthetic cases
    "$python" "$here/test_sklearn_to_onnx.py" "$out/model.pkl" "$out/test.npz"
}

predict() {
    rm -rf "$out/predicted" && mkdir -p "$out/predicted"
    plugin="onnx.so:model=$out/model.onnx,features=$(cat "$out/features.txt"),at=expire"
    while read -r capture; do
        name=$(basename "$capture")
        grep -qxF "$name" "$out/test_captures.txt" || continue
        # shellcheck disable=SC2086
        "$nfcore" --plugin "$plugin" -r "$capture" $options -o "$out/predicted/$name.csv" ||
            [ $? -eq 1 ]
    done <"$out/captures.txt"
    "$python" "$here/confusion.py" "$out" "$out"/predicted/*.csv
}

[ $# -gt 0 ] || set -- extract train convert predict
for step in "$@"; do
    case $step in
    extract | train | convert | predict) echo "== $step" && $step ;;
    *) echo "usage: $0 [extract|train|convert|predict]..." >&2 && exit 2 ;;
    esac
done
