"""Differential tests: the same Paddle 1.8 programs under minigrad and under real Paddle 1.8.5.

Each file in programs/ is a Paddle 1.8 dygraph program as a Paddle user writes it
(`import paddle.fluid as fluid`), deterministic (seeded inputs, parameters from
NumpyArrayInitializer), that records what it computed with `diffreport.report(name, value)`.
runner.py runs all programs in one process per framework:
    - minigrad: this interpreter, with shim/ first on the path so `paddle.fluid` is minigrad;
    - Paddle 1.8.5: the interpreter named by MINIGRAD_PADDLE18_PYTHON (.ci/run sets one up);
      when the variable is unset the comparisons skip and say so.
Reports are compared key by key (diff_compare.py): dtypes and shapes exactly, float values within
a tolerance, errors by the fact that both raised.

DELIBERATE lists where minigrad does better than 1.8 on purpose. Such a key must still differ —
if it stops differing the table is out of date and the test fails — and the difference is printed
in the run's summary instead of failing. Every other difference fails.
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import pytest

from diff_compare import describe, differences

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHIM = os.path.join(HERE, "shim")
RUNNER = os.path.join(HERE, "runner.py")
PROGRAMS = sorted(glob.glob(os.path.join(HERE, "programs", "*.py")))
PADDLE_ENV = "MINIGRAD_PADDLE18_PYTHON"

DEFAULT_TOLERANCE = {"rtol": 1e-5, "atol": 1e-6}
# Looser tolerances where float32 rounding legitimately piles up: {program or (program, key): ...}.
TOLERANCES = {
    # Adam's second moment after two steps: squares of gradients that already carry the
    # float32 rounding of the first update.
    ("optimizer_state", "adam.linear_2.w_0_moment2_0"): {"rtol": 5e-5},
    ("optimizer_state", "adam_schedule.linear_3.w_0_moment2_0"): {"rtol": 5e-5},
    # Instance norm's input gradient on inputs of small spread: per-instance sums of terms ~10
    # cancel to entries ~0.04, which keep only float32's absolute precision.
    ("more_norm", "instance_norm_large_epsilon.grad0"): {"atol": 1e-5},
}

# (program, key) -> why minigrad differs from 1.8 on purpose. The key must exist on both sides and
# its values must differ.
DELIBERATE = {
    ("grad_accumulation", "after_two_backwards"):
        "gradients accumulate across backward() calls until cleared in minigrad (Paddle 2.0, "
        "PyTorch); 1.8 overwrote them",
    ("grad_accumulation", "retained_second"):
        "gradients accumulate across backward() calls until cleared in minigrad (Paddle 2.0, "
        "PyTorch); 1.8 overwrote them",
    ("guard_exception", "after_exception"):
        "minigrad's dygraph.guard() restores the mode when its block raises; 1.8's left dygraph "
        "mode on",
    ("file_format", "pickle_loads"):
        "minigrad's checkpoints are .npz archives loaded without pickle; 1.8's were pickles "
        "(loading one could run code)",
    ("conv2d_transpose", "output_size_tuple"):
        "Conv2DTranspose takes output_size as a tuple, as 1.8's docs say; 1.8.5 raised ValueError",
    ("paddle18_defects", "dropout_is_test"):
        "1.8.5 defect: in dygraph fluid.layers.dropout ignores is_test=True and drops at random "
        "unless the tracer is in eval mode; minigrad follows the docs",
    ("paddle18_defects", "dropout_upscale_is_test"):
        "1.8.5 defect: in dygraph fluid.layers.dropout ignores is_test=True and drops at random "
        "unless the tracer is in eval mode; minigrad follows the docs",
    ("paddle18_defects", "linear_warmup_start_lr"):
        "1.8.5 defect: LinearLrWarmup leaves start_lr out of the warm-up rate; minigrad follows "
        "the docs (start_lr + (end_lr - start_lr) * step / warmup_steps)",
    ("paddle18_defects", "reduce_mean_all_dims"):
        "1.8.5 defect: reduce_* with dim listing every dimension returns wrong values; minigrad "
        "reduces as the docs say",
    ("paddle18_defects", "reduce_sum_all_dims_keep"):
        "1.8.5 defect: reduce_* with dim listing every dimension returns wrong values; minigrad "
        "reduces as the docs say",
    ("paddle18_defects", "swish_beta"):
        "1.8.5 defect: in dygraph swish ignores beta; minigrad computes x * sigmoid(beta * x)",
    ("paddle18_defects", "swish_beta.grad0"):
        "1.8.5 defect: in dygraph swish ignores beta; minigrad computes x * sigmoid(beta * x)",
    ("paddle18_defects", "scale_act"):
        "1.8.5 defect: in dygraph scale ignores act; minigrad applies it as the docs say",
    ("paddle18_defects", "scale_act.grad0"):
        "1.8.5 defect: in dygraph scale ignores act; minigrad applies it as the docs say",
    ("paddle18_defects", "softmax_ce_ignore_index.grad0"):
        "1.8.5 defect: softmax_with_cross_entropy gives the logits of an ignored row a non-zero "
        "gradient although its loss is the constant 0; minigrad gives 0",
    ("paddle18_defects", "batch_norm_first_layer_backward"):
        "1.8.5 defect: backward through a BatchNorm whose input needs no gradient raises "
        "(BatchNormGrad wants X@GRAD); minigrad computes the parameters' gradients",
    ("paddle18_defects", "bilinear_kernel"):
        "1.8.5 defect: BilinearInitializer computes the kernel row with / instead of // under "
        "Python 3, so rows are fractional; minigrad gives the bilinear upsampling kernel",
    ("paddle18_defects", "batch_norm_use_global_stats_default_attr"):
        "1.8.5 defect: BatchNorm(use_global_stats=True) without param_attr raises AttributeError "
        "(it reads learning_rate from None); minigrad builds the layer",
    ("paddle18_defects", "batch_norm_is_test"):
        "1.8.5 defect: dygraph BatchNorm ignores is_test=True (normalises with batch statistics "
        "unless eval() was called); minigrad uses the running statistics as the docs say",
    ("paddle18_defects", "batch_norm_is_test_running_mean"):
        "1.8.5 defect: dygraph BatchNorm ignores is_test=True and updates the running mean; "
        "minigrad leaves it as the docs say",
    # Design choices of minigrad (docs/paddle18.md lists them).
    ("backward_misc", "second_backward_after_free"):
        "backward() frees the records it used (memory stays flat); a second backward through "
        "them is an error naming retain_graph=True, where 1.8.5 silently ran it again",
    **{("dtype_api", key): "a Variable's dtype is a numpy dtype ('float32'); 1.8.5 printed "
       "'VarType.FP32' (the two compare equal: VarType members are numpy dtypes)"
       for key in ("str_dtype", "str_int_dtype", "parameter_dtype")},
    ("embedding_sparse", "sparse.grad"):
        "Embedding(is_sparse=True) keeps a dense gradient; 1.8.5 returned (rows, values) pairs. "
        "The update is the same",
    **{("eval_mode", key): "eval() switches only that layer tree to inference; 1.8.5 put the "
       "whole tracer in inference mode, so unrelated layers lost their gradients"
       for key in ("b_out_stop_gradient_after_a_eval", "b_grad_after_a_eval")},
    ("functional_layers", "conv2d"):
        "1.8.5 defect: fluid.layers.conv2d in dygraph with groups=None (its default) fails "
        "('Cannot get attribute groups'); minigrad uses groups=1 as documented",
    **{("layer_api", key): "BatchNorm's running mean and variance are buffers (in state_dict, "
       "with 1.8's keys, not in parameters()); 1.8.5 listed them as untrainable parameters"
       for key in ("parameter_shapes", "parameter_names", "named_parameters")},
    **{("layers_loss", key): "a label that needs a gradient gets its true one; 1.8.5 gave "
       "labels none" for key in ("cross_entropy_soft.grad1", "softmax_ce_soft.grad1",
                                 "sigmoid_ce.grad1", "sigmoid_ce_normalize.grad1",
                                 "log_loss.grad1")},
    ("layers_loss", "softmax_ce_return_softmax.grad0"):
        "1.8.5 defect: with return_softmax=True the gradient through the returned softmax is "
        "dropped; minigrad adds it",
    **{("layers_misc", key): "integer and bool results take no gradient (stop_gradient=True, "
       "as in PyTorch); 1.8.5 marked them stop_gradient=False although none can flow"
       for key in ("argsort", "argsort_descending", "cast_int", "cast_bool")},
    **{("variable_ops", key): "integer and bool results take no gradient (stop_gradient=True, "
       "as in PyTorch); 1.8.5 marked them stop_gradient=False although none can flow"
       for key in ("lt", "ge", "eq", "astype_int")},
    **{("layers_misc", key): "topk's values are differentiable (the gradient goes to the "
       "picked entries); 1.8.5 gave them no gradient" for key in ("topk", "topk.grad0")},
    **{("trainable_false", key): "ParamAttr(trainable=False) freezes the parameter: "
       "stop_gradient=True and no gradient computed (Paddle 2.0, PyTorch); 1.8.5 computed the "
       "gradient and only skipped the update. The weights after a step are the same"
       for key in ("weight_stop_gradient", "weight_grad", "all_frozen_out_stop_gradient")},
    # more_* programs: the fluid.layers functions of the compatibility issue.
    ("more_norm", "layer_norm"):
        "1.8.5 refuses fluid.layers.layer_norm in dygraph ('please use LayerNorm instead'); "
        "minigrad provides it (the values are compared against 1.8.5's dygraph.LayerNorm)",
    ("more_norm", "data_norm_slot_dim.grad0"):
        "1.8.5 defect: data_norm with slot_dim passes dy * scale back to the slots its forward "
        "set to the constant 0; minigrad gives them the derivative, 0",
    ("more_norm", "l2_normalize_axis_out_of_range"):
        "1.8.5 defect: l2_normalize with an axis outside the input's rank returns zeros "
        "without complaint; minigrad raises ValueError",
    **{("more_image", key): "integer and bool results take no gradient (stop_gradient=True, "
       "as in PyTorch); 1.8.5 marked the int32 mask stop_gradient=False although none can flow"
       for key in ("adaptive_pool2d_max_index", "adaptive_pool2d_upsample_index",
                   "adaptive_pool3d_max_index", "adaptive_pool2d_ties_index")},
    ("more_creation_random", "uniform_random_float64.dtype"):
        "1.8.5 defect: in dygraph uniform_random ignores dtype and returns float32; minigrad "
        "returns the dtype asked for",
    ("more_creation_random", "embedding_padding_idx_too_big"):
        "1.8.5 does not check padding_idx, which its docs require in [-vocab_size, vocab_size) "
        "(outside it no row is padded); minigrad raises ValueError",
    **{("more_rnn", key): "1.8.5 defect: gru_unit's backward uses only the gradient of hidden "
       "and drops the gradients reaching reset_hidden_pre and gate; minigrad adds them"
       for key in ("gru_unit_all_outputs.grad0", "gru_unit_all_outputs.grad1")},
    ("more_rnn", "gru_unit_activations"):
        "1.8.5 defect: gru_unit computes with tanh and sigmoid whatever activation and "
        "gate_activation say; minigrad applies the ones given",
    ("more_rnn", "lstm_cell_activations"):
        "1.8.5 defect: LSTMCell computes with sigmoid and tanh whatever gate_activation and "
        "activation say; minigrad applies the ones given",
    # 1.8.5 defects found by the new_* programs (the compatibility functions).
    ("new_math_logic", "increment_new.grad0"):
        "1.8.5 defect: increment(in_place=False)'s backward op undoes the increment instead of "
        "passing the gradient, so x gets none; minigrad gives d(x + value)/dx = 1",
    **{("new_indexing", key): "1.8.5 defect: scatter passes the whole output gradient to input, "
       "also to the rows the index replaces (they do not depend on input); minigrad gives them 0"
       for key in ("scatter_overwrite.grad0", "scatter_add.grad0", "scatter_int32_index.grad0")},
    **{("new_padding_rearrange", key): "1.8.5 defect: shuffle_channel's backward applies the "
       "forward shuffle to the gradient instead of its inverse (right only when group ** 2 == "
       "C); minigrad's is the derivative"
       for key in ("shuffle_channel.grad0", "shuffle_channel_g3.grad0")},
    ("new_activations", "hard_swish_options.grad0"):
        "1.8.5 defect: hard_swish's gradient where x + offset >= threshold is 1 instead of "
        "threshold / scale (the same only with the defaults); minigrad's is the derivative",
    ("new_activations", "soft_relu_clipped.grad0"):
        "1.8.5 defect: soft_relu's gradient below -threshold is sigmoid(-threshold) instead of 0 "
        "(the input is clipped there); minigrad's is the derivative",
    # -- i13 normalisation layers (dygraph LayerNorm, GroupNorm, InstanceNorm, SpectralNorm) --
    **{("i13_norm_layers", key): "1.8.5 defect: GroupNorm creates no gain and bias unless "
       "param_attr / bias_attr is given, contrary to its docs; minigrad creates them"
       for key in ("group_norm_default.params", "group_norm_default.state_dict_keys")},
    ("i13_norm_layers", "group_norm_default.grad0"):
        "1.8.5 defect: without a gain group_norm's input gradient is wrong; minigrad's (with "
        "the documented gain of ones) is the derivative",
    **{("i13_norm_layers", key): "1.8.5 defect: group_norm reads a 3-D input as 4-D and "
       "computes wrong values and NaN gradients (the docs' own example is 3-D); minigrad "
       "normalises each group over its channels and length"
       for key in ("group_norm_3d", "group_norm_3d.grad0", "group_norm_3d.param_grad0",
                   "group_norm_3d.param_grad1")},
    ("i13_norm_layers", "spectral_norm.grad0"):
        "1.8.5 defect: spectral_norm's backward is not the derivative; minigrad's is, with the "
        "iterated u and v held fixed (as PyTorch)",
    # -- i13 optimizers --
    **{("i13_optimizers", key): "1.8.5 defect: Adadelta moves the parameter by "
       "sqrt((new avg_squared_update + eps) / (avg_squared_grad + eps)) * g, not by the step its "
       "avg_squared_update accumulates; minigrad takes the documented step (PyTorch's with lr=1)"
       for key in ("adadelta.losses", "adadelta.weight", "adadelta.bias",
                   "adadelta.state.bias__avg_squared_grad_0",
                   "adadelta.state.weight__avg_squared_grad_0",
                   "adadelta_options.losses", "adadelta_options.weight", "adadelta_options.bias",
                   "adadelta_options.state.bias__avg_squared_grad_0",
                   "adadelta_options.state.bias__avg_squared_update_0",
                   "adadelta_options.state.weight__avg_squared_grad_0",
                   "adadelta_options.state.weight__avg_squared_update_0")},
    **{("i13_optimizers", "ftrl_l2_only." + key): "1.8.5 defect: Ftrl passes l1 as the "
       "kernel's l2, so its l2 has no effect; minigrad uses l2 as documented"
       for key in ("losses", "weight", "bias", "state.bias_linear_0", "state.bias_squared_0",
                   "state.weight_linear_0", "state.weight_squared_0")},
    # -- i13 layers-other: PRelu, GRUUnit, NCE, TreeConv (programs/i13_layers_other.py) --
    **{("i13_layers_other", key): "1.8.5 defect: GRUUnit's backward uses only the gradient of "
       "hidden and drops those reaching reset_hidden_pre and gate; minigrad adds them"
       for key in ("gru_all_outputs.grad0", "gru_all_outputs.grad1")},
    **{("i13_layers_other", key): "1.8.5 defect: dygraph GRUUnit ignores origin_mode; minigrad "
       "uses h = u * h_prev + (1 - u) * c for origin_mode=True, as the docs give"
       for key in ("gru_origin_mode", "gru_origin_mode.grad0", "gru_origin_mode.grad1")},
    ("i13_layers_other", "nce_default_parameter_count"):
        "1.8.5 defect: dygraph NCE makes no bias unless bias_attr is given; its docs promise a "
        "zero-initialised [K, 1] bias by default (False for none), which minigrad makes",
    ("i13_layers_other", "prelu_float64_alpha_dtype"):
        "1.8.5 defect: PRelu makes alpha float32 whatever dtype says; minigrad honours dtype",
    **{("i13_layers_other", f"tree_conv_d{depth}_o2_f2.grad0"): "1.8.5 defect: tree_conv's "
       "input gradient reads its [n, out * filters, 3] buffer as if it were [n, 3, out * "
       "filters] (right only when output_size * num_filters == 1); minigrad's is the derivative"
       for depth in (2, 3)},
    ("i13_layers_other", "tree_conv_default_parameter_count"):
        "1.8.5 defect: dygraph TreeConv makes no bias unless bias_attr is given (static "
        "tree_conv makes one by default); minigrad makes a zero [num_filters] bias unless "
        "bias_attr=False",
}


def _names():
    return [os.path.splitext(os.path.basename(path))[0] for path in PROGRAMS]


def _launch(backend, python, out):
    env = dict(os.environ)
    if backend == "minigrad":
        inherited = [env["PYTHONPATH"]] if env.get("PYTHONPATH") else []
        env["PYTHONPATH"] = os.pathsep.join([SHIM, REPO] + inherited)
    else:
        env.pop("PYTHONPATH", None)      # nothing of minigrad's, above all not the shim
        env.setdefault("GLOG_minloglevel", "2")
    command = [python, RUNNER, "--backend", backend, "--out", out] + PROGRAMS
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _collect(process, out, what):
    stdout, stderr = process.communicate(timeout=900)
    if process.returncode != 0 or not os.path.exists(out):
        raise RuntimeError(f"the runner under {what} exited with {process.returncode}:\n"
                           f"{stderr[-4000:]}{stdout[-2000:]}")
    with open(out) as stream:
        return json.load(stream)


@pytest.fixture(scope="session")
def runs():
    """{"minigrad": document, "paddle": document or None, "paddle_skip": reason or None,
    "paddle_error": why the Paddle side could not run, or None}."""
    python = os.environ.get(PADDLE_ENV)
    result = {"paddle": None, "paddle_skip": None, "paddle_error": None}
    with tempfile.TemporaryDirectory(prefix="minigrad-differential-") as scratch:
        mine = os.path.join(scratch, "minigrad.json")
        theirs = os.path.join(scratch, "paddle.json")
        paddle = None
        if not python:
            result["paddle_skip"] = (f"{PADDLE_ENV} is not set, so there is no Paddle 1.8.5 "
                                     "interpreter to compare with (.ci/run sets one up)")
        else:
            try:
                paddle = _launch("paddle", python, theirs)
            except OSError as error:
                result["paddle_error"] = f"{PADDLE_ENV}={python!r} cannot be run: {error}"
        minigrad = _launch("minigrad", sys.executable, mine)
        result["minigrad"] = _collect(minigrad, mine, "minigrad")
        if paddle is not None:
            try:
                result["paddle"] = _collect(paddle, theirs, f"Paddle 1.8.5 ({python})")
            except RuntimeError as error:
                result["paddle_error"] = str(error)
        return result


def _failure(side, program):
    error = program["error"]
    return f"the program raised under {side}:\n{error['traceback']}"


@pytest.mark.parametrize("name", _names())
def test_runs_under_minigrad(runs, name):
    program = runs["minigrad"]["programs"][name]
    if program["error"] is not None:
        pytest.fail(_failure("minigrad", program), pytrace=False)
    assert program["reports"], "the program reported nothing"


def _tolerance(name, key):
    tolerance = dict(DEFAULT_TOLERANCE)
    tolerance.update(TOLERANCES.get(name, {}))
    tolerance.update(TOLERANCES.get((name, key), {}))
    return tolerance


@pytest.mark.parametrize("name", _names())
def test_matches_paddle18(runs, name, record_property):
    if runs["paddle_error"]:
        pytest.fail(runs["paddle_error"], pytrace=False)
    if runs["paddle"] is None:
        pytest.skip(runs["paddle_skip"])
    mine = runs["minigrad"]["programs"][name]
    theirs = runs["paddle"]["programs"][name]
    if theirs["error"] is not None:
        pytest.fail("the program itself fails under Paddle 1.8.5, so it is not a valid 1.8 "
                    "program: " + _failure("Paddle 1.8.5", theirs), pytrace=False)
    problems, notes = [], []
    for key in theirs["reports"]:
        if key not in mine["reports"]:
            problems.append(f"{key}: reported by Paddle 1.8.5 but not by minigrad")
    for key in mine["reports"]:
        if key not in theirs["reports"]:
            problems.append(f"{key}: reported by minigrad but not by Paddle 1.8.5")
    for key, ours in mine["reports"].items():
        if key not in theirs["reports"]:
            continue
        found = differences(ours, theirs["reports"][key], where=key, **_tolerance(name, key))
        reason = DELIBERATE.get((name, key))
        if reason is None:
            problems += found
        elif not found:
            problems.append(f"{key}: listed in DELIBERATE ({reason}) but minigrad and Paddle "
                            f"1.8.5 now agree ({describe(ours)}); update the table")
        else:
            note = f"{name}:{key}: {reason} -- minigrad {describe(ours)}; Paddle 1.8.5 " \
                   f"{describe(theirs['reports'][key])}"
            notes.append(note)
            record_property("deliberate_difference", note)
    for key, ours in mine["reports"].items():
        theirs_value = theirs["reports"].get(key)
        if ours["kind"] == "error" and theirs_value and theirs_value["kind"] == "error":
            record_property("both_raise", f"{name}:{key}: minigrad {ours['type']}, Paddle 1.8.5 "
                                          f"{theirs_value['type']}")
    for note in notes:
        print("deliberate difference:", note)
    if mine["error"] is not None:
        problems.insert(0, _failure("minigrad", mine))
    if problems:
        pytest.fail("minigrad differs from Paddle 1.8.5:\n  " + "\n  ".join(problems),
                    pytrace=False)


def test_deliberate_table_names_real_programs():
    names = set(_names())
    stale = sorted({program for program, _ in DELIBERATE} - names)
    stale += sorted({key if isinstance(key, str) else key[0] for key in TOLERANCES} - names)
    assert not stale, f"DELIBERATE/TOLERANCES name programs that do not exist: {stale}"
