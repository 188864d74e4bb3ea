"""`Dropout` and `Embedding`: small layers over `ops.dropout` and row lookup (`getitem`)."""
import numbers

from minigrad.core.checks import check_tensor, dtype_of, shape_of
from minigrad.core.variable import Variable
from minigrad.nn.layer import Layer
from minigrad.ops.dropout import check_dropout_args, dropout
from minigrad.ops.shape import getitem

__all__ = ["Dropout", "Embedding"]


def check_row_inputs(where, dtype, inputs):
    """Each (argument, value, width) in `inputs` must be a [batch, width] float Variable of the
    layer's `dtype`, all with one batch size (what BilinearTensorProduct and GRUUnit take)."""
    for argument, value, width in inputs:
        check_tensor(where, argument, value, dtypes="f")
        shape = list(shape_of(value))
        if len(shape) != 2 or shape[1] != width:
            raise ValueError(f"{where}: {argument} of shape {shape} does not fit the layer; "
                             f"expected [batch, {width}]")
        if dtype_of(value) != dtype:
            raise TypeError(f"{where}: {argument} has dtype {dtype_of(value)} but the layer's "
                            f"parameters are {dtype}")
    batches = {shape_of(value)[0] for _, value, _ in inputs}
    if len(batches) > 1:
        names = " and ".join(argument for argument, _, _ in inputs)
        shapes = ", ".join(str(list(shape_of(value))) for _, value, _ in inputs)
        raise ValueError(f"{where}: {names} must have the same batch size, got shapes {shapes}")


class Dropout(Layer):
    """Zero each element with probability `p` in training; see `fluid.layers.dropout`.

    p:       drop probability in [0, 1].
    seed:    None -> the global generator; an int -> the same mask on every call (Paddle).
    dropout_implementation: "downgrade_in_infer" (scale by 1 - p at inference) or
             "upscale_in_train" (scale kept units by 1 / (1 - p) in training).
    is_test: True behaves as in `eval()` whatever the mode.

        drop = fluid.dygraph.Dropout(p=0.3, dropout_implementation="upscale_in_train")
        y = drop(x)
    """

    def __init__(self, p=0.5, seed=None, dropout_implementation="downgrade_in_infer",
                 is_test=False):
        super().__init__()
        self._p, self._seed = check_dropout_args("Dropout", p, dropout_implementation, seed)
        self._implementation = dropout_implementation
        self._is_test = bool(is_test)

    def forward(self, input):
        return dropout(input, self._p, is_test=self._is_test or not self.training,
                       seed=self._seed, dropout_implementation=self._implementation)

    def extra_repr(self):
        return f"p={self._p}, dropout_implementation={self._implementation}"


class Embedding(Layer):
    """Rows of a [vocab, dim] table picked by integer ids: ids [...] -> output [..., dim].

    size:        [vocab_size, embedding_dim].
    padding_idx: an id whose output is all zeros and whose row gets no gradient (negative
                 counts from vocab_size); None for none.
    param_attr:  ParamAttr of the table (default Xavier-uniform).
    is_sparse, is_distributed: accepted for Paddle compatibility (gradients are dense).
    Raises ValueError for a bad size or padding_idx, and at call time for non-integer ids or ids
    outside [0, vocab_size).

        emb = fluid.dygraph.Embedding(size=[1000, 32], padding_idx=0)
        vectors = emb(fluid.dygraph.to_variable(np.array([[3], [0]], "int64")))   # [2, 1, 32]
    """

    def __init__(self, size, is_sparse=False, is_distributed=False, padding_idx=None,
                 param_attr=None, dtype="float32"):
        super().__init__(dtype=dtype)
        if (not isinstance(size, (list, tuple)) or len(size) != 2 or not all(
                isinstance(n, numbers.Integral) and not isinstance(n, bool) and n > 0
                for n in size)):
            raise ValueError(f"Embedding: size must be [vocab_size, embedding_dim] with positive "
                             f"ints, got {size!r}")
        self._size = [int(size[0]), int(size[1])]
        vocab = self._size[0]
        if padding_idx is not None:
            if (not isinstance(padding_idx, numbers.Integral) or isinstance(padding_idx, bool)
                    or not -vocab <= padding_idx < vocab):
                raise ValueError(f"Embedding: padding_idx must be None or an int in [{-vocab}, "
                                 f"{vocab}), got {padding_idx!r}")
            padding_idx = int(padding_idx) % vocab
        self._padding_idx = padding_idx
        self._is_sparse = is_sparse
        self.weight = self.create_parameter(self._size, attr=param_attr, dtype=self._dtype)

    def forward(self, input):
        check_tensor("Embedding", "input", input, dtypes="iu")
        ids = input.data if isinstance(input, Variable) else input
        vocab = self._size[0]
        if ids.size and (ids.min() < 0 or ids.max() >= vocab):
            raise ValueError(f"Embedding: ids must lie in [0, {vocab}), got values in "
                             f"[{ids.min()}, {ids.max()}]")
        out = getitem(self.weight, ids)
        if self._padding_idx is not None:
            # A constant mask: the padding row's output is zero and so is its gradient.
            keep = (ids != self._padding_idx).astype(self._dtype)[..., None]
            out = out * keep
        return out

    def extra_repr(self):
        padding = f", padding_idx={self._padding_idx}" if self._padding_idx is not None else ""
        return f"size={self._size}{padding}, dtype={self._dtype}"
