#!/usr/bin/python3
"""Trains a random forest that tells a flow's nDPI application category from its statistics.

usage: train.py FLOWS_DIR OUT_DIR [flow|capture]

FLOWS_DIR holds one nfcore CSV per capture (--statistical-analysis --splt-analysis 8). The label is nDPI's
application_category_name, kept only where nDPI found it by inspecting the payload (application_is_guessed 0)
and said something (not "Unspecified"); categories with fewer than MIN_FLOWS flows or MIN_CAPTURES captures are
left out. A quarter of the flows is held out for test: drawn flow by flow, stratified by class (the default),
or whole captures at a time (capture: StratifiedGroupKFold, one fold of four), which asks the model to
recognise traffic from captures it has never seen.

Writes to OUT_DIR: model.pkl (the fitted classifier), features.txt (the feature list joined by ';', as the
onnx plugin takes it), test_captures.txt (the captures holding test flows), meta.json (features, classes,
test flows as "capture id", test accuracy) and test.npz (test X, y).
"""
import csv
import glob
import json
import os
import pickle
import sys

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import StratifiedGroupKFold, train_test_split

# Core columns as nfcore writes them, and the first 8 elements of two SPLT lists (-1 past the flow's end).
FEATURES = [
    "protocol", "dst_port",
    "bidirectional_duration_ms", "bidirectional_packets", "bidirectional_bytes",
    "src2dst_packets", "src2dst_bytes", "dst2src_packets", "dst2src_bytes",
    "bidirectional_min_ps", "bidirectional_mean_ps", "bidirectional_stddev_ps", "bidirectional_max_ps",
    "src2dst_mean_ps", "src2dst_max_ps", "dst2src_mean_ps", "dst2src_max_ps",
    "bidirectional_mean_piat_ms", "bidirectional_max_piat_ms",
    "bidirectional_syn_packets", "bidirectional_psh_packets", "bidirectional_rst_packets",
    "bidirectional_fin_packets",
] + [f"splt_direction[{i}]" for i in range(8)] + [f"splt_ps[{i}]" for i in range(8)]

MIN_FLOWS = 30
MIN_CAPTURES = 3


def feature_value(row, name):
    """A core column, or element i of a list column written as name[i]."""
    if name.endswith("]"):
        column, index = name[:-1].split("[")
        return float(json.loads(row[column])[int(index)])
    return float(row[name])


def load(flows_dir):
    """(X, labels, captures, flow ids) for the flows that carry a usable label."""
    X, y, groups, ids = [], [], [], []
    for path in sorted(glob.glob(os.path.join(flows_dir, "*.csv"))):
        capture = os.path.basename(path)[:-len(".csv")]
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                label = row["application_category_name"]
                if row["application_is_guessed"] != "0" or label in ("", "Unspecified"):
                    continue
                X.append([feature_value(row, name) for name in FEATURES])
                y.append(label)
                groups.append(capture)
                ids.append(int(row["id"]))
    return np.array(X, dtype=np.float32), np.array(y), np.array(groups), np.array(ids)


def main(flows_dir, out_dir, split="flow"):
    X, y, groups, ids = load(flows_dir)
    classes, counts = np.unique(y, return_counts=True)
    kept = [c for c, n in zip(classes, counts)
            if n >= MIN_FLOWS and len(set(groups[y == c])) >= MIN_CAPTURES]
    mask = np.isin(y, kept)
    X, y, groups, ids = X[mask], y[mask], groups[mask], ids[mask]

    if split == "capture":
        train, test = next(StratifiedGroupKFold(4, shuffle=True, random_state=0).split(X, y, groups))
    else:
        train, test = train_test_split(np.arange(len(y)), test_size=0.25, stratify=y, random_state=0)
    test_captures = sorted(set(groups[test]))
    print(f"{len(y)} labelled flows in {len(set(groups))} captures, {len(kept)} classes: {', '.join(kept)}")
    print(f"train: {len(train)} flows from {len(set(groups[train]))} captures; "
          f"test: {len(test)} flows from {len(test_captures)} captures")

    model = RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=-1)
    model.fit(X[train], y[train])
    accuracy = accuracy_score(y[test], model.predict(X[test]))
    print(f"test accuracy: {accuracy:.4f}")

    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "model.pkl"), "wb") as f:
        pickle.dump(model, f)
    with open(os.path.join(out_dir, "features.txt"), "w") as f:
        f.write(";".join(FEATURES) + "\n")
    with open(os.path.join(out_dir, "test_captures.txt"), "w") as f:
        f.write("".join(c + "\n" for c in test_captures))
    with open(os.path.join(out_dir, "meta.json"), "w") as f:
        json.dump({"features": FEATURES, "classes": list(model.classes_), "split": split,
                   "test_flows": [f"{groups[i]} {ids[i]}" for i in test], "test_accuracy": accuracy}, f, indent=1)
    np.savez(os.path.join(out_dir, "test.npz"), X=X[test], y=y[test])


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[3:] not in ([], ["flow"], ["capture"]):
        sys.exit(__doc__)
    main(*sys.argv[1:])
