"""`TreeConv`: the tree-based convolution of Paddle 1.8's `fluid.dygraph` (TBCNN,
https://arxiv.org/abs/1409.5718), with Paddle's tree_conv op semantics.

A tree convolution is linear in the node features: for each node p (a patch root) it sums, over
the nodes v of the patch (p and its descendants less than max_depth levels below), three
weighted copies of v's features, weights eta_l, eta_r, eta_t from v's depth and its place among
its siblings. Those weights depend only on the edges, so `tree_conv` builds them as a constant
[3, n, n] matrix per tree and the op is a composition (matmul, reshape): its gradients, also of
second order, need no code here.
"""
import numbers

import numpy as np

from minigrad.core.checks import check_tensor, data_of, dtype_of, shape_of
from minigrad.nn.layer import Layer
from minigrad.ops.activation import apply_act, check_act
from minigrad.ops.math import matmul
from minigrad.ops.shape import reshape, stack

__all__ = ["TreeConv", "tree_conv", "tree_patch_weights"]


def _children(edges):
    """Children lists of a 1-based tree from [E, 2] (parent, child) rows, as Paddle reads them:
    the rows up to the first one holding a 0 are the tree; the node count is the number of rows
    without a 0, plus one."""
    count = int(((edges[:, 0] != 0) & (edges[:, 1] != 0)).sum()) + 1
    children = [[] for _ in range(count + 1)]
    for parent, child in edges:
        if parent == 0 or child == 0:
            break
        if parent > count or child > count:
            raise ValueError(f"TreeConv: edge ({parent}, {child}) names a node beyond the "
                             f"{count} nodes its edge_set describes")
        children[parent].append(int(child))
    return children, count


def tree_patch_weights(edges, num_nodes, max_depth):
    """The constant [3, num_nodes, num_nodes] matrix M with patch_k[p] = sum_v M[k, p, v] x[v]
    (k = 0, 1, 2: eta_l, eta_r, eta_t) for one tree given by `edges` [E, 2] of 1-based ids.

    For a node v at depth d (0 at the patch root) that is child i (1-based) of n siblings:
        eta_t = (max_depth - d) / max_depth,
        eta_l = (1 - eta_t) * (0.5 if n == 1 else (i - 1) / (n - 1)),
        eta_r = (1 - eta_t) * (1 - eta_l)      (Paddle's formula: eta_l, not its fraction);
    the root counts as the only child of one (eta_t = 1). Rows past the tree's node count are 0.
    """
    children, count = _children(edges)
    if count > num_nodes:
        raise ValueError(f"TreeConv: edge_set describes {count} nodes but nodes_vector has "
                         f"{num_nodes}")
    weights = np.zeros((3, num_nodes, num_nodes))
    depth_limit = float(max_depth)
    for root in range(1, count + 1):
        pending = [(root, 1, 1, 0)]          # node, place among siblings, siblings, depth
        while pending:
            node, place, siblings, depth = pending.pop()
            eta_t = (depth_limit - depth) / depth_limit
            share = 0.5 if siblings == 1 else (place - 1.0) / (siblings - 1.0)
            eta_l = (1.0 - eta_t) * share
            eta_r = (1.0 - eta_t) * (1.0 - eta_l)
            weights[:, root - 1, node - 1] += (eta_l, eta_r, eta_t)
            if depth + 1 < max_depth:
                kids = children[node]
                pending.extend((kid, i + 1, len(kids), depth + 1) for i, kid in enumerate(kids))
    return weights


def tree_conv(nodes_vector, edge_set, filter, max_depth):
    """Paddle's tree_conv op: nodes_vector [B, n, F] float, edge_set [B, E, 2] integer (1-based
    (parent, child) rows, a row with a 0 ends the tree), filter [F, 3, output_size, num_filters].
    Returns [B, n, output_size, num_filters]; row p is the convolution of the patch rooted at
    node p + 1 (0 for rows past the tree's node count)."""
    op = "TreeConv"
    batch, nodes, features = shape_of(nodes_vector)
    edges = np.asarray(data_of(edge_set))
    if edges.ndim != 3 or edges.shape[0] != batch or edges.shape[2] != 2:
        raise ValueError(f"{op}: edge_set must have shape [batch={batch}, num_edges, 2], got "
                         f"{list(edges.shape)}")
    if (edges < 0).any():
        raise ValueError(f"{op}: edge_set holds node ids (1-based, 0 ends the tree), got a "
                         f"negative one")
    dtype = dtype_of(nodes_vector)
    patch_map = np.stack([tree_patch_weights(edges[b], nodes, max_depth)
                          for b in range(batch)]).astype(dtype)        # [B, 3, n, n]
    # patch[b, p, f, k] = sum_v M[b, k, p, v] x[b, v, f]; laid out as Paddle's [n, F * 3].
    patches = [matmul(patch_map[:, k], nodes_vector) for k in range(3)]
    patch = reshape(stack(patches, axis=3), [batch, nodes, features * 3])
    _, _, out_size, filters = shape_of(filter)
    out = matmul(patch, reshape(filter, [features * 3, out_size * filters]))
    return reshape(out, [batch, nodes, out_size, filters])


def _positive(argument, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"TreeConv: {argument} must be a positive int, got {value!r}")
    return int(value)


class TreeConv(Layer):
    """Tree-based convolution over batches of trees.

    feature_size: F, the last dim of nodes_vector.
    output_size:  the width of each filter's output.
    num_filters:  the number of filters (default 1).
    max_depth:    depth of the filter: a patch is a node and its descendants less than
                  max_depth levels below (default 2).
    act:          activation of the output (default 'tanh'), or None.
    param_attr:   ParamAttr of the filter [F, 3, output_size, num_filters] (default Xavier).
    bias_attr:    ParamAttr of the bias [num_filters] (default zeros; False: no bias), added
                  to each filter's outputs. (1.8.5's dygraph makes no bias unless bias_attr is
                  given, and then adds it along the node axis, which fails unless the node
                  count equals num_filters; minigrad adds it per filter.)
    name:         accepted as in 1.8 (it only names the output variable there).
    Called as `conv(nodes_vector, edge_set)`: nodes_vector [B, n, F] float, edge_set [B, E, 2]
    integer rows (parent, child) of 1-based node ids, the first row holding a 0 ending the
    tree. Returns [B, n, output_size, num_filters]: row p for the patch rooted at node p + 1.
    Raises ValueError for bad sizes or an unknown act; at call time for a nodes_vector that is
    not [B, n, F], an edge_set that does not fit or names nodes beyond n, TypeError for a
    non-integer edge_set or a dtype other than the layer's.

        conv = fluid.dygraph.TreeConv(feature_size=5, output_size=6, num_filters=1, max_depth=2)
        out = conv(nodes, edges)      # nodes [1, 10, 5], edges [1, 9, 2] int32 -> [1, 10, 6, 1]
    """

    def __init__(self, feature_size, output_size, num_filters=1, max_depth=2, act="tanh",
                 param_attr=None, bias_attr=None, name=None, dtype="float32"):
        super().__init__(dtype=dtype)
        self._feature_size = _positive("feature_size", feature_size)
        self._output_size = _positive("output_size", output_size)
        self._num_filters = _positive("num_filters", num_filters)
        self._max_depth = _positive("max_depth", max_depth)
        if self._max_depth < 2:
            # Paddle's tree_conv op requires max_depth > 1 (depth 1 would see only the root).
            raise ValueError(f"TreeConv: max_depth must be >= 2, got {max_depth!r}")
        self._act = check_act(act, "TreeConv")
        self._name = name
        self.weight = self.create_parameter(
            [self._feature_size, 3, self._output_size, self._num_filters], attr=param_attr,
            dtype=self._dtype, is_bias=False)
        self.bias = self.create_parameter([self._num_filters], attr=bias_attr,
                                          dtype=self._dtype, is_bias=True)

    def forward(self, nodes_vector, edge_set):
        op = "TreeConv"
        check_tensor(op, "nodes_vector", nodes_vector, ndim=3, dtypes="f")
        if shape_of(nodes_vector)[2] != self._feature_size:
            raise ValueError(f"{op}: nodes_vector of shape {list(shape_of(nodes_vector))} does "
                             f"not fit the layer; expected [B, n, feature_size="
                             f"{self._feature_size}]")
        if dtype_of(nodes_vector) != self._dtype:
            raise TypeError(f"{op}: nodes_vector has dtype {dtype_of(nodes_vector)} but the "
                            f"layer's parameters are {self._dtype}")
        check_tensor(op, "edge_set", edge_set, ndim=3, dtypes="iu")
        out = tree_conv(nodes_vector, edge_set, self.weight, self._max_depth)
        if self.bias is not None:
            out = out + self.bias
        return apply_act(out, self._act)

    def extra_repr(self):
        return (f"feature_size={self._feature_size}, output_size={self._output_size}, "
                f"num_filters={self._num_filters}, max_depth={self._max_depth}, "
                f"act={self._act}, dtype={self._dtype}")
