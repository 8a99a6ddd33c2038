#!/usr/bin/python3
"""Compares the onnx plugin's labels with nDPI's on the flows that train.py held out for test.

usage: confusion.py OUT_DIR PREDICTED.csv...

Each PREDICTED.csv is nfcore's output for one capture, named CAPTURE.csv, made with the onnx plugin (name onnx:
columns udps.onnx_label and udps.onnx_probability) and the options the training flows were made with. The flows
that count are the test flows listed in OUT_DIR/meta.json; their truth is nDPI's application_category_name.
Prints the confusion matrix (rows: nDPI, columns: the model), the accuracy beside the one train.py measured
and, as OUT_DIR holds model.pkl, how closely the plugin's outputs follow scikit-learn's on every flow.
"""
import csv
import json
import os
import pickle
import sys

import numpy as np

from train import feature_value

LABEL, PROBABILITY = "udps.onnx_label", "udps.onnx_probability"


def main(out_dir, paths):
    with open(os.path.join(out_dir, "meta.json")) as f:
        meta = json.load(f)
    with open(os.path.join(out_dir, "model.pkl"), "rb") as f:
        forest = pickle.load(f)
    classes, test = meta["classes"], set(meta["test_flows"])

    rows, seen = [], set()
    for path in paths:
        capture = os.path.basename(path)[:-len(".csv")]
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if LABEL not in row:
                    sys.exit(f"{path}: no column {LABEL}: was nfcore run with the onnx plugin?")
                key = f"{capture} {row['id']}"
                row["test"] = key in test
                seen.add(key)
                rows.append(row)
    if test - seen:
        print(f"warning: {len(test - seen)} test flows are missing from the predicted files")

    # The confusion matrix over the test flows; a label outside the classes (or none) counts as "?".
    columns = classes + ["?"]
    matrix = np.zeros((len(classes), len(columns)), dtype=int)
    for row in rows:
        if row["test"] and row["application_category_name"] in classes:
            predicted = row[LABEL] if row[LABEL] in classes else "?"
            matrix[classes.index(row["application_category_name"]), columns.index(predicted)] += 1
    width = max(len(c) for c in classes) + 4
    print("rows: nDPI's application_category_name; columns: udps.onnx_label, numbered as the rows")
    print(" " * width + "".join(f"{i:>6}" for i in range(len(classes))) + "     ?")
    for i, name in enumerate(classes):
        print(f"{i:>2} {name:<{width - 3}}" + "".join(f"{n:>6}" for n in matrix[i]))
    right, total = int(np.trace(matrix)), int(matrix.sum())
    print(f"accuracy: {right / max(total, 1):.4f} ({right} of {total} test flows); "
          f"train.py measured {meta['test_accuracy']:.4f} with scikit-learn")

    # The same features through scikit-learn, on every flow of the predicted files.
    X = np.array([[feature_value(row, name) for name in meta["features"]] for row in rows], dtype=np.float32)
    proba = forest.predict_proba(X)
    expected = forest.classes_[proba.argmax(axis=1)]
    same = np.mean([row[LABEL] == label for row, label in zip(rows, expected)])
    line = f"plugin vs scikit-learn on all {len(rows)} flows: labels equal on {same:.2%}"
    try:
        got = np.array([float(row[PROBABILITY]) for row in rows])
        line += f", max |probability - predict_proba of the label| = {np.abs(got - proba.max(axis=1)).max():.2e}"
    except (KeyError, ValueError):
        line += f" ({PROBABILITY} missing or not a number on some flow)"
    print(line)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
