#!/usr/bin/python3
"""Checks sklearn_to_onnx against scikit-learn with a small numpy evaluator of the TreeEnsembleClassifier node.

usage: test_sklearn_to_onnx.py                          forests fitted here on synthetic data
       test_sklearn_to_onnx.py MODEL.pkl TEST.npz       the model train.py wrote, on its test set

The evaluator reads only the ONNX graph: it walks every tree from its root (BRANCH_LEQ: true branch when
x <= value), adds the class weights of the leaves reached and takes the label of the largest sum. Its
probabilities must equal predict_proba to 1e-6 and its labels must equal predict.
"""
import pickle
import sys

import numpy as np
import onnx
from onnx import helper

from sklearn_to_onnx import convert


def evaluate(model, X):
    """(labels, probabilities) of the model's one TreeEnsembleClassifier node on the float32 rows X."""
    (node,) = model.graph.node
    assert node.op_type == "TreeEnsembleClassifier" and node.domain == "ai.onnx.ml"
    a = {attr.name: helper.get_attribute_value(attr) for attr in node.attribute}
    assert a.get("post_transform", b"NONE") == b"NONE"
    labels = np.array([s.decode() for s in a["classlabels_strings"]])
    X = np.asarray(X, dtype=np.float32)
    scores = np.zeros((len(X), len(labels)))

    tree_ids = np.array(a["nodes_treeids"])
    for t in np.unique(tree_ids):
        rows = tree_ids == t
        index = {n: i for i, n in enumerate(np.array(a["nodes_nodeids"])[rows])}
        feature = np.array(a["nodes_featureids"])[rows]
        value = np.array(a["nodes_values"], dtype=np.float32)[rows]
        leaf = np.array(a["nodes_modes"])[rows] == b"LEAF"
        assert all(m in (b"LEAF", b"BRANCH_LEQ") for m in np.array(a["nodes_modes"])[rows])
        true_next = np.array([index.get(n, 0) for n in np.array(a["nodes_truenodeids"])[rows]])
        false_next = np.array([index.get(n, 0) for n in np.array(a["nodes_falsenodeids"])[rows]])
        children = set(true_next[~leaf]) | set(false_next[~leaf])
        (root,) = [i for i in range(len(leaf)) if i not in children]

        at = np.full(len(X), root)
        while not leaf[at].all():
            inner = ~leaf[at]
            go_true = X[inner, feature[at[inner]]] <= value[at[inner]]
            at[inner] = np.where(go_true, true_next[at[inner]], false_next[at[inner]])

        weights = np.zeros((len(leaf), len(labels)))
        mine = np.array(a["class_treeids"]) == t
        for n, c, w in zip(np.array(a["class_nodeids"])[mine], np.array(a["class_ids"])[mine],
                           np.array(a["class_weights"], dtype=np.float32)[mine]):
            weights[index[n], c] += w
        scores += weights[at]
    return labels[scores.argmax(axis=1)], scores


def check(forest, X, name):
    model = convert(forest)
    onnx.checker.check_model(model, full_check=True)
    labels, probabilities = evaluate(model, X)
    diff = np.abs(probabilities - forest.predict_proba(X)).max()
    same = (labels == forest.predict(X).astype(str)).mean()
    ok = diff <= 1e-6 and same == 1.0
    print(f"{'ok' if ok else 'FAILED'}: {name}: {len(X)} rows, max |onnx - predict_proba| = {diff:.2e}, "
          f"labels equal to predict on {same:.2%}")
    return ok


def synthetic():
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier
    results = []
    for n_classes, kwargs in ((5, {}), (2, {}), (3, {"max_depth": 4, "bootstrap": False})):
        X, y = make_classification(600, 12, n_informative=8, n_classes=n_classes, random_state=n_classes)
        # Integers above 2**23: the thresholds halfway between two of them are not float32 values.
        X = (np.round(X * 3) + 2**23).astype(np.float32)
        names = np.array(["class-%d" % c for c in range(n_classes)])
        forest = RandomForestClassifier(n_estimators=25, random_state=0, **kwargs).fit(X[:400], names[y[:400]])
        for rows, part in ((slice(400, None), "held out"), (slice(None, 400), "training")):
            results.append(check(forest, X[rows], f"{n_classes} classes {kwargs or ''} ({part})"))
    return results


def main(argv):
    if len(argv) == 2:
        with open(argv[0], "rb") as f:
            forest = pickle.load(f)
        results = [check(forest, np.load(argv[1])["X"], argv[0])]
    elif not argv:
        results = synthetic()
    else:
        sys.exit(__doc__)
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
