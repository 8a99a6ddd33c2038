"""The onnx plugin's test models, built with python3-onnx, and the same models computed again with numpy.

Each model takes one float input [N, F] and is a classifier of one of the shapes the plugin reads:
  Linear        MatMul + Add + Softmax: probabilities [N, C] alone (the label is the index of the largest)
  LinearInt     ai.onnx.ml LinearClassifier, int64 labels: label [N], probabilities [N, C]
  Tree          ai.onnx.ml TreeEnsembleClassifier, string labels: label [N], probabilities [N, C]
  TreeZipMap    the same followed by ZipMap: label [N], a sequence of maps {label: probability}
predict(x) gives (label, probability) for one row of features, computed in float32 as ONNX Runtime does.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper

OPSETS = [helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 3)]


def _save(path, nodes, n_features, outputs, initializers=()):
    graph = helper.make_graph(
        nodes, "nfcore_test",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [None, n_features])],
        outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=OPSETS, producer_name="nfcore tests")
    model.ir_version = 8  # what ONNX Runtime 1.21 and later all read
    onnx.checker.check_model(model)
    onnx.save(model, path)


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


class Linear:
    """softmax(x W + b), W [F, C]."""

    def __init__(self, weights, bias):
        self.w = np.asarray(weights, dtype=np.float32)
        self.b = np.asarray(bias, dtype=np.float32)
        self.labels = list(range(self.w.shape[1]))

    def save(self, path):
        f, c = self.w.shape
        _save(path, [
            helper.make_node("MatMul", ["input", "W"], ["scores"]),
            helper.make_node("Add", ["scores", "B"], ["logits"]),
            helper.make_node("Softmax", ["logits"], ["probabilities"], axis=-1),
        ], f, [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, c])], [
            helper.make_tensor("W", TensorProto.FLOAT, [f, c], self.w.flatten().tolist()),
            helper.make_tensor("B", TensorProto.FLOAT, [c], self.b.tolist()),
        ])

    def probabilities(self, x):
        return _softmax(np.asarray(x, dtype=np.float32) @ self.w + self.b)

    def predict(self, x):
        p = self.probabilities(x)
        return int(np.argmax(p)), float(p.max())


class LinearInt(Linear):
    """ai.onnx.ml LinearClassifier with a SOFTMAX post-transform and int64 class labels."""

    def __init__(self, weights, bias, labels):
        super().__init__(weights, bias)
        self.labels = list(labels)

    def save(self, path):
        f, c = self.w.shape
        _save(path, [helper.make_node(
            "LinearClassifier", ["input"], ["label", "probabilities"], domain="ai.onnx.ml",
            coefficients=self.w.T.flatten().tolist(), intercepts=self.b.tolist(),
            classlabels_ints=self.labels, post_transform="SOFTMAX")], f, [
            helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, c]),
        ])

    def predict(self, x):
        p = self.probabilities(x)
        return self.labels[int(np.argmax(p))], float(p.max())


class Tree:
    """A TreeEnsembleClassifier with string labels and no post-transform: the probabilities are the sums of the
    weights of the leaves reached, one leaf per tree. A tree is a nested tuple: (feature, threshold, left, right)
    for a node (left when x <= threshold), or a list of C weights for a leaf."""

    zipmap = False

    def __init__(self, trees, labels):
        self.trees = trees
        self.labels = list(labels)

    def _attributes(self):
        """The node's attributes, its nodes numbered depth-first within each tree."""
        nodes, leaves = [], []  # [tree, id, feature, threshold, mode, true id, false id], (tree, id, class, weight)

        def add(tree_id, node):
            node_id = sum(1 for n in nodes if n[0] == tree_id)
            if isinstance(node, list):
                nodes.append([tree_id, node_id, 0, 0.0, "LEAF", 0, 0])
                leaves.extend((tree_id, node_id, c, float(w)) for c, w in enumerate(node))
            else:
                feature, threshold, left, right = node
                record = [tree_id, node_id, feature, float(threshold), "BRANCH_LEQ", 0, 0]
                nodes.append(record)
                record[5] = add(tree_id, left)
                record[6] = add(tree_id, right)
            return node_id

        for tree_id, tree in enumerate(self.trees):
            add(tree_id, tree)
        attrs = {}
        for i, name in enumerate(("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
                                  "nodes_truenodeids", "nodes_falsenodeids")):
            attrs[name] = [n[i] for n in nodes]
        for i, name in enumerate(("class_treeids", "class_nodeids", "class_ids", "class_weights")):
            attrs[name] = [leaf[i] for leaf in leaves]
        return attrs

    def n_features(self):
        def deepest(node):
            return -1 if isinstance(node, list) else max(node[0], deepest(node[2]), deepest(node[3]))
        return 1 + max(deepest(t) for t in self.trees)

    def save(self, path):
        probabilities = "probabilities" if not self.zipmap else "scores"
        nodes = [helper.make_node("TreeEnsembleClassifier", ["input"], ["label", probabilities], domain="ai.onnx.ml",
                                  classlabels_strings=self.labels, post_transform="NONE", **self._attributes())]
        outputs = [helper.make_tensor_value_info("label", TensorProto.STRING, [None])]
        if self.zipmap:
            nodes.append(helper.make_node("ZipMap", ["scores"], ["probabilities"], domain="ai.onnx.ml",
                                          classlabels_strings=self.labels))
            maps = onnx.TypeProto()  # seq(map(string, float)), written out: python3-onnx 1.12 has no helper for maps
            maps.sequence_type.elem_type.map_type.key_type = TensorProto.STRING
            maps.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
            outputs.append(helper.make_value_info("probabilities", maps))
        else:
            outputs.append(helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, len(self.labels)]))
        _save(path, nodes, self.n_features(), outputs)

    def probabilities(self, x):
        x = np.asarray(x, dtype=np.float32)
        total = np.zeros(len(self.labels), dtype=np.float32)
        for node in self.trees:
            while not isinstance(node, list):
                feature, threshold, left, right = node
                node = left if x[feature] <= np.float32(threshold) else right
            total += np.asarray(node, dtype=np.float32)
        return total

    def predict(self, x):
        p = self.probabilities(x)
        return self.labels[int(np.argmax(p))], float(p.max())


class TreeZipMap(Tree):
    zipmap = True
