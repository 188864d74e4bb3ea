"""Paddle 1.8 names that minigrad does not provide, each with the reason and what to use instead.

minigrad runs Paddle's *dygraph* programs. Static-graph machinery (Program, Executor, feeding),
LoD tensors and sequence ops, object-detection ops and static-mode distributed training are out
of its scope. A program that reaches for one of these names gets a `DygraphOnlyError` that says
so and what to use, rather than a bare AttributeError:

    fluid.Executor(place)
    DygraphOnlyError: fluid.Executor is not supported by minigrad, which runs dygraph programs
    only (Executor is static-graph machinery). Instead: call the layers directly inside
    `with fluid.dygraph.guard():`.

Each module that carries Paddle names ends with `__getattr__ = unsupported.module_getattr(...)`,
which hands out a stand-in class for the names listed here; calling it (or instantiating it)
raises. `isinstance(x, fluid.LoDTensor)` still works (it is False). The coverage table in
`docs/paddle18-coverage.md` is generated from this table and the package itself.
"""

__all__ = ["DygraphOnlyError", "OUT_OF_SCOPE", "module_getattr", "stand_in", "is_stand_in"]


class DygraphOnlyError(NotImplementedError):
    """A Paddle 1.8 name minigrad deliberately does not provide (see `minigrad.unsupported`)."""


STATIC = "static-graph machinery"
LOD = "LoD tensors and sequence ops"
DETECTION = "object-detection op"
DISTRIBUTED = "static-mode distributed training"
GPU = "GPU-only (cuDNN) op"
SELECTED_ROWS = "SelectedRows (sparse gradients are dense in minigrad)"
LATER_CONV3D = "not yet in minigrad: waits for the N-d convolution core"
LATER_PARALLEL = "not yet in minigrad: data-parallel training on MPI is a later issue"

_GUARD = "call the layers directly inside `with fluid.dygraph.guard():`"
_SAVE = "fluid.dygraph.save_dygraph / fluid.dygraph.load_dygraph"
_TO_VARIABLE = "fluid.dygraph.to_variable(ndarray) on padded dense arrays"
_LOOP = "write the loop or condition in Python; dygraph runs it eagerly"

# module -> {name: (reason, instead or None)}
OUT_OF_SCOPE = {
    "fluid": {
        "BuildStrategy": (STATIC, _GUARD),
        "CompiledProgram": (STATIC, _GUARD),
        "ExecutionStrategy": (STATIC, _GUARD),
        "Executor": (STATIC, _GUARD),
        "ParallelExecutor": (STATIC, _GUARD),
        "Program": (STATIC, _GUARD + "; fluid.default_main_program().random_seed still seeds"),
        "program_guard": (STATIC, _GUARD),
        "global_scope": (STATIC, "Layer.state_dict() for a model's values"),
        "scope_guard": (STATIC, _GUARD),
        "data": (STATIC, "fluid.dygraph.to_variable(ndarray)"),
        "DataFeeder": (STATIC, "fluid.io.DataLoader.from_generator(...) or to_variable"),
        "DataFeedDesc": (STATIC, "fluid.io.DataLoader.from_generator(...)"),
        "gradients": (STATIC, "fluid.dygraph.grad(outputs, inputs)"),
        "memory_optimize": (STATIC, "nothing: dygraph frees memory as it goes"),
        "release_memory": (STATIC, "nothing: dygraph frees memory as it goes"),
        "save": (STATIC, _SAVE),
        "load": (STATIC, _SAVE),
        "load_op_library": ("custom C++ operators", "an Op subclass in Python (minigrad.core.op)"),
        "create_lod_tensor": (LOD, _TO_VARIABLE),
        "create_random_int_lodtensor": (LOD, _TO_VARIABLE),
        "LoDTensor": (LOD, _TO_VARIABLE),
        "LoDTensorArray": (LOD, "a Python list of Variables"),
        "Tensor": (LOD, "fluid.dygraph.to_variable(ndarray)"),
        "DistributeTranspiler": (DISTRIBUTED, None),
        "DistributeTranspilerConfig": (DISTRIBUTED, None),
    },
    "fluid.dygraph": {
        "TracedLayer": (STATIC, "run the Layer itself; save its weights with save_dygraph"),
        "dygraph_to_static_code": (STATIC, "run the function as it is"),
        "dygraph_to_static_func": (STATIC, "run the function as it is"),
        "dygraph_to_static_output": (STATIC, "run the function as it is"),
        "dygraph_to_static_program": (STATIC, "run the function as it is"),
        "Tracer": ("Paddle's internal tracer", "fluid.dygraph.guard() installs minigrad's tape"),
        "ProgramTranslator": (STATIC, "run the function as it is"),
        "declarative": (STATIC, "run the function as it is"),
        "StaticModelRunner": (STATIC, "load weights with fluid.dygraph.load_dygraph"),
        "Conv3D": (LATER_CONV3D, None),
        "Conv3DTranspose": (LATER_CONV3D, None),
        "DataParallel": (LATER_PARALLEL, "one process: use the model itself"),
        "ParallelEnv": (LATER_PARALLEL, None),
        "prepare_context": (LATER_PARALLEL, None),
    },
    "fluid.layers": {
        # static-graph machinery
        "data": (STATIC, "fluid.dygraph.to_variable(ndarray)"),
        "py_reader": (STATIC, "fluid.io.DataLoader.from_generator(...)"),
        "create_py_reader_by_data": (STATIC, "fluid.io.DataLoader.from_generator(...)"),
        "double_buffer": (STATIC, "fluid.io.DataLoader.from_generator(use_double_buffer=True)"),
        "read_file": (STATIC, "iterate a fluid.io.DataLoader"),
        "load": (STATIC, _SAVE),
        "While": (STATIC, _LOOP + " (or fluid.layers.while_loop)"),
        "Switch": (STATIC, _LOOP + " (or fluid.layers.case)"),
        "IfElse": (STATIC, _LOOP + " (or fluid.layers.cond)"),
        "StaticRNN": (STATIC, "fluid.layers.rnn(cell, inputs) or a Python loop"),
        # LoD tensors and sequence ops
        **{name: (LOD, _TO_VARIABLE) for name in (
            "sequence_concat", "sequence_conv", "sequence_enumerate", "sequence_expand",
            "sequence_expand_as", "sequence_first_step", "sequence_last_step", "sequence_pad",
            "sequence_pool", "sequence_reshape", "sequence_reverse", "sequence_scatter",
            "sequence_slice", "sequence_softmax", "sequence_unpad", "lod_append", "lod_reset",
            "dynamic_gru", "dynamic_lstm", "dynamic_lstmp", "DynamicRNN", "linear_chain_crf",
            "crf_decoding", "chunk_eval", "warpctc", "edit_distance", "ctc_greedy_decoder",
            "im2sequence", "beam_search", "beam_search_decode", "reorder_lod_tensor_by_rank",
            "filter_by_instag")},
        "get_tensor_from_selected_rows": (SELECTED_ROWS, None),
        "merge_selected_rows": (SELECTED_ROWS, None),
        # object detection
        **{name: (DETECTION, None) for name in (
            "anchor_generator", "bipartite_match", "box_clip", "box_coder",
            "box_decoder_and_assign", "collect_fpn_proposals", "density_prior_box",
            "detection_output", "distribute_fpn_proposals", "generate_mask_labels",
            "generate_proposal_labels", "generate_proposals", "iou_similarity", "multi_box_head",
            "multiclass_nms", "polygon_box_transform", "prior_box", "prroi_pool", "psroi_pool",
            "retinanet_detection_output", "retinanet_target_assign", "roi_align",
            "roi_perspective_transform", "roi_pool", "rpn_target_assign", "ssd_loss",
            "target_assign", "yolo_box", "yolov3_loss", "deformable_conv",
            "deformable_roi_pooling")},
        "lstm": (GPU, "fluid.layers.rnn(fluid.layers.LSTMCell(...), inputs)"),
        "conv3d": (LATER_CONV3D, None),
        "conv3d_transpose": (LATER_CONV3D, None),
    },
    "fluid.optimizer": {
        "DGCMomentumOptimizer": ("GPU-only distributed optimizer", "fluid.optimizer.Momentum"),
        "RecomputeOptimizer": (STATIC, "the optimizer itself"),
        "ModelAverage": (STATIC, "fluid.optimizer.ExponentialMovingAverage(parameter_list=...)"),
        "PipelineOptimizer": (STATIC, "the optimizer itself"),

    },
    "fluid.dygraph.jit": {
        **{name: (STATIC, "run the Layer itself; save its weights with save_dygraph") for name in (
            "save", "load", "TracedLayer", "declarative", "ProgramTranslator", "SaveLoadConfig",
            "set_code_level", "set_verbosity", "dygraph_to_static_func")},
    },
    "fluid.io": {
        **{name: (STATIC, _SAVE) for name in (
            "save", "load", "save_params", "load_params", "save_persistables",
            "load_persistables", "save_vars", "load_vars", "save_inference_model",
            "load_inference_model", "load_program_state", "set_program_state",
            "get_program_parameter", "get_program_persistable_vars")},
    },
    "fluid.clip": {
        "ErrorClipByValue": (STATIC, "fluid.clip.GradientClipByValue as an optimizer's grad_clip"),
        "set_gradient_clip": (STATIC, "the optimizer's grad_clip= argument (1.8 dygraph refuses "
                                      "set_gradient_clip too)"),
    },
    "fluid.initializer": {},
    "fluid.regularizer": {},
}


def _message(module, name, reason, instead):
    text = (f"{module}.{name} is not supported by minigrad, which runs dygraph programs only "
            f"({name}: {reason}).")
    if reason.startswith("not yet"):
        text = f"{module}.{name} is {reason}."
    if instead:
        text += f" Instead: {instead}."
    return text


class _StandInType(type):
    def __getattr__(cls, name):
        # `TracedLayer.trace(...)`, `fluid.Executor.run`: class-level uses raise the same error.
        if name.startswith("__"):
            raise AttributeError(name)
        raise DygraphOnlyError(cls._message)


class _StandIn(metaclass=_StandInType):
    """Base of the stand-ins: instantiating or calling one raises its DygraphOnlyError."""

    _message = ""

    def __new__(cls, *args, **kwargs):
        raise DygraphOnlyError(cls._message)


_stand_ins = {}


def stand_in(module, name):
    """The stand-in class for `module.name` (e.g. "fluid.layers", "While"), or None."""
    entry = OUT_OF_SCOPE.get(module, {}).get(name)
    if entry is None:
        return None
    key = (module, name)
    if key not in _stand_ins:
        message = _message(module, name, *entry)
        _stand_ins[key] = type(name, (_StandIn,), {"_message": message, "__doc__": message,
                                                   "__module__": module})
    return _stand_ins[key]


def is_stand_in(value):
    return isinstance(value, type) and issubclass(value, _StandIn)


def module_getattr(modules, python_name):
    """A module-level `__getattr__` handing out the stand-ins of Paddle module(s) `modules`
    (a name such as "fluid.layers", or a tuple searched in order)."""
    modules = (modules,) if isinstance(modules, str) else tuple(modules)

    def __getattr__(name):
        for module in modules:
            found = stand_in(module, name)
            if found is not None:
                return found
        raise AttributeError(f"module {python_name!r} has no attribute {name!r}")
    return __getattr__
