"""`NCE`: the noise-contrastive estimation layer of Paddle 1.8's `fluid.dygraph`.

The layer owns the class weights [K, dim] and bias [K, 1] and calls `nce_loss` of
`minigrad.ops.sampled_loss` (the sampling, then a composition of minigrad ops).
"""
import numbers

from minigrad.core.checks import check_tensor, dtype_of, shape_of
from minigrad.core.variable import Variable
from minigrad.nn.layer import Layer
from minigrad.ops.sampled_loss import SAMPLERS, ClassSampler, nce_loss
from minigrad.random import check_seed

__all__ = ["NCE"]


def _positive_int(argument, value, minimum=1):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"NCE: {argument} must be an int >= {minimum}, got {value!r}")
    return int(value)


class NCE(Layer):
    """Noise-contrastive estimation loss over `num_total_classes` classes, shape [N, 1].

    num_total_classes: K, the number of classes (>= 2).
    dim:               D, the width of the input [N, D].
    sample_weight:     a default [N, 1] Variable of row weights, used when the call gives none.
    param_attr:        ParamAttr of the weight [K, D] (default Xavier-uniform), `nce_<k>.w_0`.
    bias_attr:         ParamAttr of the bias [K, 1] (default zeros; False: no bias). 1.8.5's
                       dygraph NCE makes no bias unless bias_attr is given; minigrad follows the
                       docs, which promise one by default.
    num_neg_samples:   noise classes drawn per row (default 10).
    sampler:           'uniform', 'log_uniform' or 'custom_dist' (then custom_dist is a list of
                       K probabilities summing to 1).
    seed:              0 draws from minigrad's global generator (`minigrad.seed`); another value
                       draws the same noise classes on every call (the numbers differ from
                       Paddle's, the distributions match).
    is_sparse:         accepted; gradients are always dense in minigrad.
    Called as `nce(input, label, sample_weight=None)`: input [N, D] float, label int64 [N, T]
    (T true classes per row). Returns Paddle's cost divided by num_neg_samples + 1 (see
    `minigrad.ops.sampled_loss.nce_loss`).
    Raises ValueError for a bad size, an unknown sampler, a missing or wrong custom_dist; at call
    time for an input whose width is not D, labels out of range, TypeError for another dtype.

        nce = fluid.dygraph.NCE(num_total_classes=1000, dim=32, num_neg_samples=5)
        loss = fluid.layers.reduce_mean(nce(embedding, words))
    """

    def __init__(self, num_total_classes, dim, sample_weight=None, param_attr=None,
                 bias_attr=None, num_neg_samples=None, sampler="uniform", custom_dist=None,
                 seed=0, is_sparse=False, dtype="float32"):
        super().__init__(dtype=dtype)
        self._num_total_classes = _positive_int("num_total_classes", num_total_classes, 2)
        self._dim = _positive_int("dim", dim)
        if sampler not in SAMPLERS:
            raise ValueError(f"NCE: sampler must be one of 'uniform', 'log_uniform', "
                             f"'custom_dist', got {sampler!r}")
        if sampler == "custom_dist":
            # Validates custom_dist once, here, rather than at every call.
            ClassSampler(sampler, self._num_total_classes, custom_dist, op="NCE")
        self._sampler = sampler
        self._custom_dist = custom_dist
        self._num_neg_samples = 10 if num_neg_samples is None else \
            _positive_int("num_neg_samples", num_neg_samples)
        self._seed = check_seed("NCE", seed)
        self._is_sparse = bool(is_sparse)
        if sample_weight is not None and not isinstance(sample_weight, Variable):
            raise TypeError(f"NCE: sample_weight must be a Variable or None, got "
                            f"{type(sample_weight).__name__}")
        self._sample_weight = sample_weight
        self.weight = self.create_parameter([self._num_total_classes, self._dim],
                                            attr=param_attr, dtype=self._dtype, is_bias=False)
        self.bias = self.create_parameter([self._num_total_classes, 1], attr=bias_attr,
                                          dtype=self._dtype, is_bias=True)

    def forward(self, input, label, sample_weight=None):
        check_tensor("NCE", "input", input, ndim=2, dtypes="f")
        if shape_of(input)[1] != self._dim:
            raise ValueError(f"NCE: input of shape {list(shape_of(input))} does not fit the "
                             f"layer; expected [N, dim={self._dim}]")
        if dtype_of(input) != self._dtype:
            raise TypeError(f"NCE: input has dtype {dtype_of(input)} but the layer's parameters "
                            f"are {self._dtype}")
        check_tensor("NCE", "label", label, dtypes="iu")
        if sample_weight is not None and not isinstance(sample_weight, Variable):
            raise TypeError(f"NCE: sample_weight must be a Variable or None, got "
                            f"{type(sample_weight).__name__}")
        weights = self._sample_weight if sample_weight is None else sample_weight
        return nce_loss(input, label, self.weight, self.bias, self._num_neg_samples,
                        self._sampler, self._custom_dist, self._seed, weights)

    def extra_repr(self):
        return (f"num_total_classes={self._num_total_classes}, dim={self._dim}, "
                f"num_neg_samples={self._num_neg_samples}, sampler={self._sampler}, "
                f"dtype={self._dtype}")
