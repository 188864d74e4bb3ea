# Names 1.8 programs use at the top of fluid (fluid/__init__.py imports dygraph.nn and layers).
import numpy as np
import paddle.fluid as fluid
from diffreport import report

names = ["Linear", "Conv2D", "Conv2DTranspose", "Pool2D", "BatchNorm", "Embedding", "Dropout",
         "Layer", "LayerList", "Sequential", "ParamAttr", "CPUPlace", "CUDAPlace",
         "in_dygraph_mode", "enable_dygraph", "disable_dygraph", "save_dygraph", "load_dygraph",
         "one_hot",
         "default_main_program", "default_startup_program", "is_compiled_with_cuda", "Variable",
         "initializer", "layers", "dygraph", "optimizer", "regularizer", "clip", "io",
         "unique_name", "data", "embedding"]
report("present", {name: hasattr(fluid, name) for name in names})
report("dygraph_names", {name: hasattr(fluid.dygraph, name) for name in [
    "Linear", "Conv2D", "Conv2DTranspose", "Pool2D", "BatchNorm", "Embedding", "Dropout",
    "Layer", "LayerList", "Sequential", "ParameterList", "to_variable", "guard", "no_grad",
    "grad", "save_dygraph", "load_dygraph", "PiecewiseDecay", "NoamDecay", "CosineDecay",
    "ExponentialDecay", "PolynomialDecay", "LinearLrWarmup", "NaturalExpDecay",
    "InverseTimeDecay", "ReduceLROnPlateau", "TracedLayer", "declarative", "jit", "nn", "base",
    "GRUUnit", "LayerNorm", "GroupNorm", "PRelu", "BilinearTensorProduct", "Conv3D",
    "SpectralNorm", "InstanceNorm", "TreeConv", "NCE", "Flatten", "enabled", "prepare_context",
    "DataParallel", "ParallelEnv", "BackwardStrategy", "Conv3DTranspose", "Pool2D"]})
report("initializer_names", {name: hasattr(fluid.initializer, name) for name in [
    "Constant", "Uniform", "Normal", "TruncatedNormal", "Xavier", "MSRA", "Bilinear",
    "NumpyArrayInitializer", "ConstantInitializer", "UniformInitializer", "NormalInitializer",
    "XavierInitializer", "MSRAInitializer", "TruncatedNormalInitializer",
    "BilinearInitializer"]})
report("optimizer_names", {name: hasattr(fluid.optimizer, name) for name in [
    "SGD", "Momentum", "Adagrad", "Adam", "Adamax", "RMSProp", "Adadelta", "Ftrl", "Lamb",
    "LarsMomentum", "DecayedAdagrad", "DGCMomentumOptimizer", "ModelAverage",
    "ExponentialMovingAverage", "LookaheadOptimizer", "RecomputeOptimizer", "SGDOptimizer",
    "MomentumOptimizer", "AdamOptimizer", "AdagradOptimizer", "RMSPropOptimizer"]})
with fluid.dygraph.guard():
    linear = fluid.Linear(2, 3, param_attr=fluid.ParamAttr(
        initializer=fluid.initializer.Constant(0.5)))
    report("fluid_Linear", linear(fluid.dygraph.to_variable(np.ones((1, 2), "float32"))))
    report("is_layer", isinstance(linear, fluid.dygraph.Layer))
