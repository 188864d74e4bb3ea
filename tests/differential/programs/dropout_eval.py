# Dropout in evaluation: downgrade_in_infer scales by (1 - p), upscale_in_train passes through;
# in training the kept values are x or x / (1 - p).
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(7)
x_np = rng.uniform(-1, 1, (3, 5)).astype("float32")

with fluid.dygraph.guard():
    x = fluid.dygraph.to_variable(x_np)
    x.stop_gradient = False
    report("p0_train", fluid.dygraph.Dropout(p=0.0)(x))
    ones = fluid.dygraph.to_variable(np.ones((200, 50), "float32"))
    kept = fluid.dygraph.Dropout(p=0.5)(ones).numpy()
    report("train_values_are_0_or_2", sorted(set(kept.ravel().tolist())))
    up = fluid.dygraph.Dropout(p=0.5, dropout_implementation="upscale_in_train")
    report("upscale_train_values", sorted(set(up(ones).numpy().ravel().tolist())))
    # 1.8's eval() switches the whole tracer to inference (eval_mode.py checks that); here only
    # the values matter.
    drop = fluid.dygraph.Dropout(p=0.3)
    drop.eval()
    report("downgrade_eval", drop(x).numpy())
    up = fluid.dygraph.Dropout(p=0.3, dropout_implementation="upscale_in_train")
    up.eval()
    report("upscale_eval", up(x).numpy())
