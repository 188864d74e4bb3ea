# What save_dygraph writes: Paddle 1.8 pickles (loading can run code); minigrad writes .npz.
import os
import pickle

import numpy as np
import paddle.fluid as fluid
from diffreport import report

with fluid.dygraph.guard():
    linear = fluid.dygraph.Linear(2, 2, param_attr=fluid.ParamAttr(
        initializer=fluid.initializer.NumpyArrayInitializer(np.eye(2, dtype="float32"))))
    fluid.save_dygraph(linear.state_dict(), "checkpoint")
    report("files", sorted(os.listdir(".")))
    try:
        with open("checkpoint.pdparams", "rb") as stream:
            loaded = pickle.load(stream)
        report("pickle_loads", sorted(loaded.keys()))
    except Exception as error:      # noqa: BLE001 - which kind of error is the point
        report("pickle_loads", error)
