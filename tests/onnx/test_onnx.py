"""The onnx plugin against models built here (models.py), whose predictions are computed again with numpy from
nfcore's own CSV columns, for every flow of several captures.

usage: test_onnx.py NFCORE BUILD_DIR ORT_DIR SUITE
  generated    the build's sample.pcap, and a capture of the build's make_traffic_pcap when it has one
  conformance  several of the shared conformance captures (exit 77 when they are absent)
  errors       refused setups: one line on standard error, exit status 2

Cases: two models side by side (tensor probabilities; index and string labels), a ZipMap classifier and an
int64-labelled LinearClassifier, a feature from another plugin, prediction at the 3rd packet with SPLT elements,
and at the 3rd packet ending the flow (expire_on_predict=1: the flows split, expiration_id -1).
"""
import csv
import io
import json
import math
import os
import subprocess
import sys
import tempfile

import models

HERE = os.path.dirname(os.path.abspath(__file__))
STATISTICS = ["--statistical-analysis", "--splt-analysis", "4"]
CONFORMANCE_CAPTURES = ["1kxun.pcap", "443-chrome.pcap", "4in6tunnel.pcap", "KakaoTalk_chat.pcap", "bittorrent.pcap",
                        "dhcp.pcap", "quic.pcap", "wechat.pcap"]


def tree(split_a, split_b, model=models.Tree):
    """Two trees over 3 features, split on feature 1 at split_a and split_b; no two paths give tied classes."""
    return model([(0, 6.5, (1, split_a, [0.5, 0.1, 0.2], [0.1, 0.6, 0.05]), [0.05, 0.1, 0.7]),
                  (2, 3.5, [0.25, 0.02, 0.01], (1, split_b, [0.01, 0.3, 0.02], [0.02, 0.01, 0.35]))],
                 ["web", "dns", "other"])


LINEAR = models.Linear([[0.02, 0.0, -0.01], [1e-5, 0.0, 0.0], [0.0, 0.002, -0.002], [0.0, 0.003, 0.0]],
                       [0.0, -0.5, 0.3])
LINEAR_INT = models.LinearInt([[0.1, -0.05, 0.0], [1e-4, -2e-4, 5e-5], [-0.002, 0.001, 0.003]], [0.3, 0.0, -0.3],
                              [10, 20, 30])
EARLY = models.Linear([[0.002, 0.0], [0.0, 0.002], [0.003, 0.0], [0.2, 0.0], [0.0, 0.001]], [0.0, 0.0])


class Onnx:
    """One --plugin onnx.so:... of a case."""

    def __init__(self, model, features, at="expire", name=None, expire_on_predict=False):
        self.model, self.features, self.at, self.name = model, features, at, name
        self.expire_on_predict = expire_on_predict
        self.column = "udps.%s_" % (name or "onnx")

    def spec(self, build, path):
        spec = "%s/plugins/onnx.so:model=%s,features=%s,at=%s" % (build, path, ";".join(self.features), self.at)
        if self.name:
            spec += ",name=" + self.name
        if self.expire_on_predict:
            spec += ",expire_on_predict=1"
        return spec


CASES = {
    "side_by_side": ([], ["-j", "2"], [
        Onnx(LINEAR, ["bidirectional_packets", "src2dst_bytes", "bidirectional_mean_ps", "splt_ps[2]"], name="lin"),
        Onnx(tree(100, 443), ["protocol", "dst_port", "bidirectional_packets"], name="tree")]),
    "zipmap_int_labels": ([], [], [
        Onnx(tree(1000, 8000, models.TreeZipMap), ["protocol", "src_port", "src2dst_packets"], name="zip"),
        Onnx(LINEAR_INT, ["dst2src_packets", "bidirectional_duration_ms", "src2dst_max_ps"], name="int")]),
    "plugin_field": (["iat.so", "maximum_iat_ms.so"], [], [
        Onnx(tree(1, 30), ["protocol", "maximum_iat_ms", "bidirectional_packets"])]),
    "at_3": ([], [], [
        Onnx(EARLY, ["splt_ps[0]", "splt_ps[1]", "splt_ps[2]", "splt_direction[1]", "dst_port"], at=3)]),
    "at_3_expire": ([], [], [
        Onnx(tree(100, 443), ["protocol", "dst_port", "bidirectional_packets"], at=3, expire_on_predict=True)]),
}


def nfcore_env():
    env = dict(os.environ)
    env["LSAN_OPTIONS"] = "suppressions=%s/lsan.supp:print_suppressions=0" % HERE
    return env


def meter(nfcore, pcap, args):
    """nfcore's CSV rows, after checking that it ran cleanly (no sanitizer report, no failed prediction)."""
    run = subprocess.run([nfcore, "-r", pcap] + STATISTICS + args, capture_output=True, text=True, env=nfcore_env())
    if run.returncode != 0 or run.stderr:
        raise AssertionError("nfcore %s exited %d: %s" % (" ".join(args), run.returncode, run.stderr[-3000:]))
    return list(csv.DictReader(io.StringIO(run.stdout)))


def feature(row, name):
    """A feature as nfcore's CSV shows it: a column, a list element (name[i]) or a plugin's udps. column."""
    if name.endswith("]"):
        base, index = name[:-1].split("[")
        items = json.loads(row[base])
        return float(items[int(index)]) if int(index) < len(items) else math.nan
    cell = row[name] if name in row else row["udps." + name]
    return float(cell) if cell != "" else math.nan


def check_row(plugin, row):
    """Returns whether the row holds a prediction, after checking it against the model computed here."""
    label, probability = row[plugin.column + "label"], row[plugin.column + "probability"]
    packets = int(row["bidirectional_packets"])
    due = plugin.at == "expire" or packets >= plugin.at
    if plugin.expire_on_predict:
        assert packets <= plugin.at, "flow of %d packets not ended at the %d-th" % (packets, plugin.at)
        assert (row["expiration_id"] == "-1") == due, \
            "expiration_id %s for %d packets" % (row["expiration_id"], packets)
    if not due:
        assert label == "" and probability == "", "prediction %s/%s before packet %s" % (label, probability, plugin.at)
        return False
    x = [feature(row, name) for name in plugin.features]
    p = plugin.model.probabilities(x)
    labels = [str(v) for v in plugin.model.labels]
    assert label in labels, "label %r not among %s (features %s)" % (label, labels, x)
    # the label is the most probable class; float32 rounding may reorder classes within 1e-6 of each other
    assert p[labels.index(label)] >= p.max() - 1e-6, "label %s for probabilities %s (features %s)" % (label, p, x)
    assert abs(float(probability) - p.max()) <= 1e-5 * max(1.0, abs(p.max())), \
        "probability %s, computed %s (features %s)" % (probability, p.max(), x)
    return True


def run_case(nfcore, build, models_dir, pcap, name):
    extra, args, plugins = CASES[name]
    specs = []
    for p in extra:
        specs += ["--plugin", "%s/examples/%s" % (build, p)]
    for i, plugin in enumerate(plugins):
        path = os.path.join(models_dir, "%s_%d.onnx" % (name, i))
        if not os.path.exists(path):
            plugin.model.save(path)
        specs += ["--plugin", plugin.spec(build, path)]
    rows = meter(nfcore, pcap, args + specs)
    predicted = [0] * len(plugins)
    labels = [set() for _ in plugins]
    for row in rows:
        for i, plugin in enumerate(plugins):
            try:
                if check_row(plugin, row):
                    predicted[i] += 1
                    labels[i].add(row[plugin.column + "label"])
            except AssertionError as e:
                raise AssertionError("%s, flow %s: %s" % (name, row["id"], e)) from None
    if any(p.expire_on_predict for p in plugins):
        # the flows split, but every packet is still counted once
        whole = meter(nfcore, pcap, args)
        assert sum(int(r["bidirectional_packets"]) for r in rows) == sum(int(r["bidirectional_packets"]) for r in whole)
        assert len(rows) >= len(whole)
    return len(rows), predicted, labels


def run_suite(nfcore, build, pcaps):
    failures = 0
    with tempfile.TemporaryDirectory() as models_dir:
        for name in CASES:
            seen = None
            for pcap in pcaps:
                try:
                    flows, predicted, labels = run_case(nfcore, build, models_dir, pcap, name)
                except AssertionError as e:
                    print("FAIL %s on %s: %s" % (name, os.path.basename(pcap), e))
                    failures += 1
                    continue
                print("ok   %s on %s: %d flows, %s predictions" % (name, os.path.basename(pcap), flows, predicted))
                seen = labels if seen is None else [a | b for a, b in zip(seen, labels)]
            # a model answering the same class for every flow would prove little
            if seen and any(len(s) < 2 for s in seen):
                print("FAIL %s: a model gave a single label over all captures: %s" % (name, seen))
                failures += 1
    return failures


def generated_captures(build, tmp):
    pcaps = [os.path.join(build, "sample.pcap")]
    tool = os.path.join(build, "tools", "make_traffic_pcap")
    if os.access(tool, os.X_OK):
        pcap = os.path.join(tmp, "traffic.pcap")
        subprocess.run([tool, "--flows", "2000", "--concurrency", "200", "--seed", "7", pcap], check=True)
        pcaps.append(pcap)
    return pcaps


def errors(nfcore, build, ort_dir):
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        tree_path = os.path.join(tmp, "tree.onnx")
        tree(100, 443).save(tree_path)
        garbage = os.path.join(tmp, "garbage.onnx")
        with open(garbage, "wb") as f:
            f.write(bytes(range(256)) * 8)
        plugin = "%s/plugins/onnx.so:" % build
        tree3 = "model=%s,features=protocol;dst_port;bidirectional_packets" % tree_path
        library = os.path.join(ort_dir, "lib", "libonnxruntime.so.1")
        cases = [
            ("missing model", STATISTICS, ["model=%s/none.onnx,features=protocol,at=expire" % tmp], {},
             "model %s/none.onnx: No such file or directory" % tmp),
            ("wrong input size", STATISTICS, ["model=%s,features=protocol;dst_port,at=expire" % tree_path], {},
             "%s: the model takes 3 features, features= names 2" % tree_path),
            ("unknown feature", STATISTICS, ["model=%s,features=protocol;no_such_column;dst_port,at=1" % tree_path], {},
             "unknown feature 'no_such_column'"),
            ("statistic off", ["--splt-analysis", "4"],
             ["model=%s,features=protocol;bidirectional_mean_ps;dst_port,at=expire" % tree_path], {},
             "unknown feature 'bidirectional_mean_ps'"),
            ("SPLT off", ["--statistical-analysis"],
             ["model=%s,features=protocol;splt_ps[2];dst_port,at=expire" % tree_path], {},
             "unknown feature 'splt_ps'"),
            ("garbage model", STATISTICS, ["model=%s,features=protocol,at=expire" % garbage], {},
             "%s: loading the model: " % garbage),
            ("bad at", STATISTICS, [tree3 + ",at=0"], {}, "argument at: '0' is neither 'expire' nor a packet count"),
            ("expire_on_predict at expiry", STATISTICS, [tree3 + ",at=expire,expire_on_predict=1"], {}, "needs at=N"),
            ("name", STATISTICS, [tree3 + ",at=1,name=a.b"], {}, "argument name: 'a.b'"),
            ("same name twice", STATISTICS, [tree3 + ",at=1", tree3 + ",at=2"], {},
             "'onnx_label' clashes"),
            ("no runtime", STATISTICS, [tree3 + ",at=1,ort_library=%s/none.so" % tmp], {},
             "cannot load ONNX Runtime: %s/none.so" % tmp),
            ("no runtime from the environment", STATISTICS, [tree3 + ",at=1"], {"NFCORE_ONNXRUNTIME": tmp + "/none.so"},
             "cannot load ONNX Runtime: %s/none.so" % tmp),
            ("not a runtime", STATISTICS, [tree3 + ",at=1,ort_library=%s/plugins/splt.so" % build], {},
             "no OrtGetApiBase(): not ONNX Runtime"),
        ]
        for what, options, specs, env, expected in cases:
            command = [nfcore, "-r", os.path.join(build, "sample.pcap")] + options
            for spec in specs:
                command += ["--plugin", plugin + spec]
            run = subprocess.run(command, capture_output=True, text=True, env={**nfcore_env(), **env})
            lines = run.stderr.strip().split("\n")
            if run.returncode == 2 and len(lines) == 1 and lines[0].startswith("nfcore: plugin onnx: ") and \
                    expected in lines[0]:
                print("ok   %s: %s" % (what, lines[0]))
            else:
                print("FAIL %s: exit %d, expected one line with %r, got:\n%s" % (what, run.returncode, expected,
                                                                                 run.stderr))
                failures += 1
        # the runtime named by ort_library= and by NFCORE_ONNXRUNTIME, rather than the one found at build time
        for what, args, env in [("ort_library", ",ort_library=" + library, {}),
                                ("NFCORE_ONNXRUNTIME", "", {"NFCORE_ONNXRUNTIME": library})]:
            run = subprocess.run([nfcore, "-r", os.path.join(build, "sample.pcap"), "--plugin",
                                  plugin + tree3 + ",at=expire" + args], capture_output=True, text=True,
                                 env={**nfcore_env(), **env})
            ok = run.returncode == 0 and not run.stderr and '"web"' in run.stdout
            print("%s runtime from %s" % ("ok  " if ok else "FAIL", what) + ("" if ok else ": " + run.stderr))
            failures += not ok
    return failures


def main():
    nfcore, build, ort_dir, suite = sys.argv[1:5]
    with tempfile.TemporaryDirectory() as tmp:
        if suite == "errors":
            failures = errors(nfcore, build, ort_dir)
        elif suite == "generated":
            failures = run_suite(nfcore, build, generated_captures(build, tmp))
        else:
            shared = os.environ.get("NFC_SHARED_DIR", os.path.join(HERE, "..", "..", "..", "shared"))
            folder = os.path.join(shared, "conformance", "nfstream", "pcaps")
            pcaps = [os.path.join(folder, p) for p in CONFORMANCE_CAPTURES if os.path.exists(os.path.join(folder, p))]
            if not pcaps:
                print("skipped: conformance captures not found at %s (set NFC_SHARED_DIR to the shared folder)"
                      % folder)
                return 77
            failures = run_suite(nfcore, build, pcaps)
    print("onnx %s: %s" % (suite, "all passed" if not failures else "%d failed" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
