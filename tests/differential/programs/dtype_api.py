# How 1.8 programs look at dtypes: str(v.dtype), comparisons with VarType, astype, layers.cast.
import numpy as np
import paddle.fluid as fluid
from diffreport import report

with fluid.dygraph.guard():
    v = fluid.dygraph.to_variable(np.ones((2,), "float32"))
    i = fluid.dygraph.to_variable(np.ones((2,), "int64"))
    checks = [
        ("str_dtype", lambda: str(v.dtype)),
        ("str_int_dtype", lambda: str(i.dtype)),
        ("eq_vartype_fp32", lambda: v.dtype == fluid.core.VarDesc.VarType.FP32),
        ("eq_vartype_int64", lambda: i.dtype == fluid.core.VarDesc.VarType.INT64),
        ("ne_vartype", lambda: v.dtype != fluid.core.VarDesc.VarType.FP64),
        ("convert_dtype", lambda: fluid.data_feeder.convert_dtype(v.dtype)),
        ("cast_to_str", lambda: fluid.layers.cast(v, "float16")),
        ("cast_to_numpy_dtype", lambda: fluid.layers.cast(v, np.float64)),
        ("parameter_dtype", lambda: str(fluid.dygraph.Linear(2, 2).weight.dtype)),
        ("linear_float64", lambda: fluid.dygraph.Linear(2, 2, dtype="float64")(
            fluid.dygraph.to_variable(np.ones((1, 2), "float64"))).numpy().dtype.name),
    ]
    for name, check in checks:
        try:
            report(name, check())
        except Exception as error:      # noqa: BLE001 - one missing name costs one key
            report(name, error)
