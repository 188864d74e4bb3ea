# fluid.layers losses: values, shapes and gradients.
import numpy as np
import paddle.fluid as fluid
from diffreport import report_op

rng = np.random.RandomState(23)
L = fluid.layers
logits = rng.uniform(-2, 2, (4, 5)).astype("float32")
probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
label = np.array([[1], [4], [0], [4]], "int64")
label_ignored = np.array([[1], [-100], [0], [4]], "int64")
soft = rng.uniform(0, 1, (4, 5)).astype("float32")
soft /= soft.sum(1, keepdims=True)
targets = rng.uniform(0, 1, (4, 5)).astype("float32")
pred = rng.uniform(0.05, 0.95, (4, 1)).astype("float32")
binary = rng.randint(0, 2, (4, 1)).astype("float32")

with fluid.dygraph.guard():
    report_op("cross_entropy", lambda p: L.cross_entropy(p, fluid.dygraph.to_variable(label)),
              probs)
    report_op("cross_entropy_soft", lambda p, s: L.cross_entropy(p, s, soft_label=True),
              probs, soft)
    report_op("cross_entropy_ignore",
              lambda p: L.cross_entropy(p, fluid.dygraph.to_variable(label_ignored)), probs)
    report_op("softmax_ce", lambda z: L.softmax_with_cross_entropy(
        z, fluid.dygraph.to_variable(label)), logits)
    report_op("softmax_ce_soft", lambda z, s: L.softmax_with_cross_entropy(
        z, s, soft_label=True), logits, soft)
    report_op("softmax_ce_return_softmax", lambda z: L.softmax_with_cross_entropy(
        z, fluid.dygraph.to_variable(label), return_softmax=True), logits)
    report_op("softmax_ce_ignore", lambda z: L.softmax_with_cross_entropy(
        z, fluid.dygraph.to_variable(label_ignored)), logits, grad=False)
    report_op("softmax_ce_return_softmax_loss", lambda z: L.softmax_with_cross_entropy(
        z, fluid.dygraph.to_variable(label), return_softmax=True)[0], logits)
    report_op("sigmoid_ce", L.sigmoid_cross_entropy_with_logits, logits, targets)
    report_op("sigmoid_ce_normalize", lambda z, t: L.sigmoid_cross_entropy_with_logits(
        z, t, normalize=True), logits, targets)
    report_op("square_error_cost", L.square_error_cost, logits, targets)
    report_op("mse_loss", L.mse_loss, logits, targets)
    report_op("log_loss", L.log_loss, pred, binary)
    report_op("label_smooth", lambda s: L.label_smooth(s, epsilon=0.2), soft)
    seq_logits = rng.uniform(-2, 2, (2, 3, 4)).astype("float32")
    seq_label = rng.randint(0, 4, (2, 3, 1)).astype("int64")
    report_op("cross_entropy_3d", lambda p: L.cross_entropy(
        L.softmax(p), fluid.dygraph.to_variable(seq_label)), seq_logits)
    report_op("softmax_ce_3d", lambda z: L.softmax_with_cross_entropy(
        z, fluid.dygraph.to_variable(seq_label)), seq_logits)
    report_op("softmax_ce_axis1", lambda z: L.softmax_with_cross_entropy(
        z, fluid.dygraph.to_variable(rng.randint(0, 3, (2, 1, 4)).astype("int64")), axis=1),
        seq_logits)
