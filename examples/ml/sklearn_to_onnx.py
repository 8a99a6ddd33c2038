#!/usr/bin/python3
"""Converts a fitted scikit-learn RandomForestClassifier to an ONNX model of one TreeEnsembleClassifier node.

usage: sklearn_to_onnx.py MODEL.pkl OUT.onnx

The model (domain ai.onnx.ml, opset 3) takes `input`, float [N, F] in the order the forest was trained on, and
gives `label`, string [N], and `probabilities`, float [N, C] in the order of the forest's classes_. Both are
plain tensors (no ZipMap).

sklearn's predict_proba averages, over the trees, the class fractions of the leaf each tree reaches. Here every
leaf carries, for every class, the weight fraction / n_trees, and the node adds up the weights of the leaves it
reaches (post_transform NONE), which is that average. Splits are "go left when x <= threshold" in both. sklearn
compares a float32 feature with a float64 threshold while ONNX stores float32 thresholds, so each threshold is
rounded down to the largest float32 not above it: for any float32 x the comparison then comes out the same.
"""
import pickle
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

ML_OPSET = 3


def float32_at_or_below(values):
    """The largest float32 <= each float64 value."""
    rounded = values.astype(np.float32)
    above = rounded.astype(np.float64) > values
    rounded[above] = np.nextafter(rounded[above], np.float32(-np.inf))
    return rounded


def convert(forest, n_features=None):
    n_features = n_features or forest.n_features_in_
    classes = [str(c) for c in forest.classes_]
    n_trees = len(forest.estimators_)
    nodes = {k: [] for k in ("treeids", "nodeids", "featureids", "modes", "values", "truenodeids",
                             "falsenodeids")}
    leaves = {k: [] for k in ("treeids", "nodeids", "ids", "weights")}

    for t, estimator in enumerate(forest.estimators_):
        tree = estimator.tree_
        is_leaf = tree.children_left == -1
        n = tree.node_count
        nodes["treeids"] += [t] * n
        nodes["nodeids"] += range(n)
        nodes["featureids"] += np.where(is_leaf, 0, tree.feature).tolist()
        nodes["modes"] += ["LEAF" if leaf else "BRANCH_LEQ" for leaf in is_leaf]
        nodes["values"] += np.where(is_leaf, 0, float32_at_or_below(tree.threshold)).tolist()
        nodes["truenodeids"] += np.where(is_leaf, 0, tree.children_left).tolist()
        nodes["falsenodeids"] += np.where(is_leaf, 0, tree.children_right).tolist()

        value = tree.value[:, 0, :]  # [node, class]: weighted sample counts (or fractions)
        fractions = value / value.sum(axis=1, keepdims=True)
        for node in np.flatnonzero(is_leaf):
            leaves["treeids"] += [t] * len(classes)
            leaves["nodeids"] += [int(node)] * len(classes)
            leaves["ids"] += range(len(classes))
            leaves["weights"] += (fractions[node] / n_trees).tolist()

    node = helper.make_node(
        "TreeEnsembleClassifier", ["input"], ["label", "probabilities"], domain="ai.onnx.ml",
        classlabels_strings=classes, post_transform="NONE",
        nodes_treeids=nodes["treeids"], nodes_nodeids=nodes["nodeids"],
        nodes_featureids=nodes["featureids"], nodes_modes=nodes["modes"], nodes_values=nodes["values"],
        nodes_truenodeids=nodes["truenodeids"], nodes_falsenodeids=nodes["falsenodeids"],
        class_treeids=leaves["treeids"], class_nodeids=leaves["nodeids"], class_ids=leaves["ids"],
        class_weights=leaves["weights"])
    graph = helper.make_graph(
        [node], "random_forest",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", n_features])],
        [helper.make_tensor_value_info("label", TensorProto.STRING, ["N"]),
         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", len(classes)])])
    model = helper.make_model(graph, producer_name="nfcore-examples-ml",
                              opset_imports=[helper.make_opsetid("", 13),
                                             helper.make_opsetid("ai.onnx.ml", ML_OPSET)])
    onnx.checker.check_model(model, full_check=True)
    return model


def main(model_path, out_path):
    with open(model_path, "rb") as f:
        forest = pickle.load(f)
    model = convert(forest)
    onnx.save(model, out_path)
    print(f"{out_path}: {len(forest.estimators_)} trees, {forest.n_features_in_} features, "
          f"{len(forest.classes_)} classes")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
