# fluid.layers functions that create their own parameters in dygraph: fc, conv2d, batch_norm,
# embedding, conv2d_transpose (1.8 signatures, parameters from NumpyArrayInitializer).
import numpy as np
import paddle.fluid as fluid
from diffreport import report

rng = np.random.RandomState(53)


def attr(*shape):
    return fluid.ParamAttr(initializer=fluid.initializer.NumpyArrayInitializer(
        rng.uniform(-1, 1, shape).astype("float32")))


x_np = rng.uniform(-1, 1, (2, 3, 5, 5)).astype("float32")
L = fluid.layers

with fluid.dygraph.guard():
    x = fluid.dygraph.to_variable(x_np)
    for name, make in [
            ("fc", lambda: L.fc(x, size=4, param_attr=attr(75, 4), bias_attr=attr(4),
                                act="tanh")),
            ("fc_flatten2", lambda: L.fc(x, size=2, num_flatten_dims=2, param_attr=attr(25, 2),
                                         bias_attr=False)),
            ("conv2d", lambda: L.conv2d(x, num_filters=2, filter_size=3, padding=1,
                                        param_attr=attr(2, 3, 3, 3), bias_attr=attr(2))),
            ("conv2d_transpose", lambda: L.conv2d_transpose(
                x, num_filters=2, filter_size=2, stride=2, param_attr=attr(3, 2, 2, 2),
                bias_attr=False)),
            ("conv2d_transpose_output_size", lambda: L.conv2d_transpose(
                x, num_filters=2, output_size=[11, 11], stride=2, param_attr=attr(3, 2, 3, 3),
                bias_attr=False)),
            ("batch_norm", lambda: L.batch_norm(x, param_attr=attr(3), bias_attr=attr(3))),
            ("embedding", lambda: L.embedding(
                fluid.dygraph.to_variable(np.array([[1], [0], [2]], "int64")), size=[3, 2],
                param_attr=attr(3, 2))),
            ("pool2d", lambda: L.pool2d(x, pool_size=2, pool_type="max", pool_stride=2))]:
        try:
            report(name, make())
        except Exception as error:      # noqa: BLE001 - one missing function costs one key
            report(name, error)
