"""Looking at what minigrad recorded: `draw` the tape as a graph, and HTML/text displays.

`draw(loss)` walks back from `loss` through the records that made it and returns a
`graphviz.Digraph`; in Jupyter it renders inline, elsewhere `render(graph, "graph.svg")` writes a
file. Variables are rounded boxes (name, shape, dtype, whether they need a gradient), ops are grey
boxes (type and attributes such as stride, padding, groups, output_size), edges follow the data
flow, and the records a Layer made sit in a cluster labelled with its path (`decoder.up1`),
inside the box of the outermost Layer (labelled with its full_name, `autoencoder_0`).

    with fluid.dygraph.guard():
        loss = fluid.layers.mean(model(x))
        minigrad.viz.draw(loss)            # inline in a notebook
        minigrad.viz.render(minigrad.viz.draw(loss), "graph.svg")

The `graphviz` Python package is imported only when drawing (`pip install "minigrad[viz]"`);
rendering needs Graphviz's `dot` program as well. The HTML displays need neither.
"""
import functools
import html
import os

import numpy as np

from minigrad.core.tape import Tape
from minigrad.core.variable import Parameter, Variable

__all__ = ["draw", "render", "variable_html", "tape_html", "layer_summary", "layer_html",
           "parameter_count"]

_INSTALL_DOT = ("Graphviz's `dot` program was not found on PATH; it is needed to render drawings. "
                "Install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), "
                "`brew install graphviz` (macOS), `conda install graphviz`, or see "
                "https://graphviz.org/download/. The graph's DOT text is still available as "
                "`graph.source`.")

_RELEASED_NOTE = ("Some records were already released by backward(), so the graph stops there:\\n"
                  "call backward(retain_graph=True) to draw the whole graph with its gradients.")

# Fill colours by role, chosen to stay readable in light and dark notebook themes.
_FILL = {"parameter": "#fce8b2", "needs_grad": "#d2e3fc", "constant": "#f1f3f4",
         "op": "#dadce0", "released": "#f6cbcb"}


# -- graphviz, imported lazily ---------------------------------------------------------------


def _graphviz():
    try:
        import graphviz
    except ImportError as exc:
        raise ImportError(
            "minigrad.viz.draw needs the `graphviz` Python package: `pip install graphviz` or "
            "`pip install \"minigrad[viz]\"` (rendering also needs Graphviz's `dot` program: "
            "apt-get install graphviz / brew install graphviz / conda install graphviz)") from exc
    return graphviz


@functools.cache
def _digraph_class():
    """`graphviz.Digraph` whose Jupyter display explains a missing `dot` instead of a traceback."""
    graphviz = _graphviz()

    class Drawing(graphviz.Digraph):
        def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
            try:
                return super()._repr_mimebundle_(include, exclude, **kwargs)
            except graphviz.ExecutableNotFound:
                return {"text/plain": _INSTALL_DOT + "\n\n" + self.source}

    Drawing.__name__ = Drawing.__qualname__ = "Digraph"
    return Drawing


def render(graph, filename, format=None):
    """Write `graph` (a Digraph from `draw`) to `filename` and return the path.

    format: "svg", "png", "pdf"... ; by default taken from the file extension.
    raises: RuntimeError saying how to install Graphviz when the `dot` program is missing;
            ValueError when no format is given and the file has no extension.

        render(draw(loss), "out/graph.svg")
    """
    graphviz = _graphviz()
    if format is None:
        format = os.path.splitext(filename)[1].lstrip(".").lower()
        if not format:
            raise ValueError(f"render: cannot tell the format of {filename!r}; give it an "
                             f"extension such as .svg or .png, or pass format=")
    try:
        data = graph.pipe(format=format)
    except graphviz.ExecutableNotFound as exc:
        raise RuntimeError(_INSTALL_DOT) from exc
    directory = os.path.dirname(os.path.abspath(filename))
    os.makedirs(directory, exist_ok=True)
    # Write then rename so a reader never sees half a file.
    partial = filename + ".partial"
    with open(partial, "wb") as f:
        f.write(data)
    os.replace(partial, filename)
    return filename


# -- draw ------------------------------------------------------------------------------------


def draw(target, show_grad=False, group_by_layer=True, rankdir="TB", show_constants=True):
    """Draw the records behind `target` as a `graphviz.Digraph`.

    target:         a Variable (draws every record it was computed from), a list of Variables,
                    or a Tape (`with fluid.dygraph.guard() as tape:` - draws all its live records).
    show_grad:      add each Variable's gradient shape and dtype (after backward). An ordinary
                    `backward()` releases the records it used, so call
                    `backward(retain_graph=True)` first when drawing afterwards.
    group_by_layer: put the records each Layer made (and the parameters they used) in a cluster
                    per sublayer, nested like the layer tree (`decoder` holds `decoder.up1`, and
                    the outermost Layer's box holds them all).
    rankdir:        graphviz layout direction: "TB" (top to bottom) or "LR" (left to right).
    show_constants: draw non-Variable inputs (Python numbers, ndarrays) as small grey nodes.
    returns:        a graphviz.Digraph; it renders inline in Jupyter, `.source` is its DOT text,
                    and `render(graph, "graph.svg")` writes a file.
    raises:         ImportError when the graphviz package is missing; TypeError for any other
                    target.

    Node ids (v0, v1..., op0, op1..., c0...) and statement order depend only on the recorded
    program, so drawing the same program twice gives the same source.
    """
    ops, roots, released = _collect(target)
    graph = _digraph_class()(graph_attr={"rankdir": rankdir},
                             node_attr={"fontname": "Helvetica", "fontsize": "10"},
                             edge_attr={"arrowsize": "0.7"})
    builder = _Builder(show_grad=show_grad, show_constants=show_constants)
    for op in ops:
        builder.add_op(op)
    for var in roots:
        builder.variable_node(var, layer=None)
    clusters = _Clusters(builder.nodes, group_by_layer)
    clusters.emit(graph)
    for tail, head in builder.edges:
        graph.edge(tail, head)
    if released:
        graph.attr(label=_RELEASED_NOTE, labelloc="b", fontsize="10")
    return graph


def _collect(target):
    """(records in sequence order, root Variables, whether a released record was met)."""
    if isinstance(target, Tape):
        return sorted(target.records(), key=lambda op: op.seq), [], False
    if isinstance(target, Variable):
        roots = [target]
    elif isinstance(target, (list, tuple)) and target and \
            all(isinstance(v, Variable) for v in target):
        roots = list(target)
    else:
        raise TypeError(f"draw: expected a Variable, a list of Variables or a Tape, got "
                        f"{type(target).__name__}")
    # Iterative walk: a graph thousands of records deep must not hit the recursion limit.
    ops = {}
    released = False
    stack = list(roots)
    while stack:
        op = stack.pop().creator
        if op is None or op.seq in ops:
            continue
        ops[op.seq] = op
        released = released or op.released
        stack.extend(op.input_variables())
    return [ops[seq] for seq in sorted(ops)], roots, released


class _Builder:
    """Turns records into node statements (with their layer path) and edges."""

    def __init__(self, show_grad, show_constants):
        self.show_grad = show_grad
        self.show_constants = show_constants
        self.nodes = []          # (node id, attributes, layer path or None), in creation order
        self.edges = []          # (tail id, head id), in data-flow order
        self._variable_ids = {}  # id(Variable) -> node id
        self._keep = []          # the drawn Variables, so their ids stay unique while drawing
        self._op_count = 0
        self._constant_count = 0

    def variable_node(self, var, layer):
        node_id = self._variable_ids.get(id(var))
        if node_id is None:
            node_id = f"v{len(self._variable_ids)}"
            self._variable_ids[id(var)] = node_id
            self._keep.append(var)
            self.nodes.append((node_id, self._variable_attrs(var), layer))
        return node_id

    def add_op(self, op):
        op_id = f"op{self._op_count}"
        self._op_count += 1
        layer = _cluster_key(getattr(op, "layer", None), getattr(op, "layer_root", None))
        inputs = [] if op.released else op.inputs
        for arg in inputs:
            if isinstance(arg, Variable):
                # A parameter belongs with the first layer that uses it: its owner.
                owner = layer if isinstance(arg, Parameter) else None
                self.edges.append((self.variable_node(arg, owner), op_id))
            elif self.show_constants and arg is not None:
                const_id = f"c{self._constant_count}"
                self._constant_count += 1
                self.nodes.append((const_id, _constant_attrs(arg), layer))
                self.edges.append((const_id, op_id))
        self.nodes.append((op_id, _op_attrs(op), layer))
        for out in op.output_variables():
            self.edges.append((op_id, self.variable_node(out, layer)))

    def _variable_attrs(self, var):
        if isinstance(var, Parameter):
            role, kind = "parameter", "parameter" if not var.stop_gradient else "parameter (frozen)"
        elif not var.stop_gradient:
            role, kind = "needs_grad", "needs grad"
        else:
            role, kind = "constant", "stop_gradient"
        lines = [var.name, f"{_shape(var.data)} {var.data.dtype}", kind]
        if self.show_grad:
            grad = var.grad
            if grad is None:
                lines.append("grad: none")
            else:
                array = grad.data if isinstance(grad, Variable) else grad
                lines.append(f"grad {_shape(array)} {array.dtype}")
        return {"label": _text(lines), "shape": "box", "style": "rounded,filled",
                "fillcolor": _FILL[role]}


def _cluster_key(path, root):
    """A record's place in the layer tree as a tuple: (root,) for the outermost Layer's own
    records, (root, "decoder", "up1") for its sublayer `decoder.up1`; None outside Layers."""
    if path is None:
        return None
    if root is None or path == root:
        return (path,)
    return (root,) + tuple(path.split("."))


def _op_attrs(op):
    lines = [op.type + (" (released)" if op.released else "")]
    for key, value in op.attrs().items():
        if value is not None:
            lines.append(f"{key}={_format_value(value)}")
    fill = _FILL["released" if op.released else "op"]
    return {"label": _text(lines), "shape": "box", "style": "filled", "fillcolor": fill}


def _constant_attrs(value):
    array = np.asarray(value) if not isinstance(value, np.ndarray) else value
    text = _format_value(value) if array.size <= 4 else f"{_shape(array)} {array.dtype}"
    return {"label": _text([text]), "shape": "plaintext", "fontsize": "9",
            "fontcolor": "#5f6368"}


def _shape(array):
    return str(list(np.shape(array)))


def _format_value(value, limit=40):
    """Short text for an op attribute: numbers, tuples, dtypes, arrays, functions."""
    if isinstance(value, np.ndarray):
        if value.size <= 4:
            text = np.array2string(value, precision=4, separator=", ")
        else:
            text = f"array{_shape(value)} {value.dtype}"
    elif isinstance(value, (float, np.floating)):
        text = f"{float(value):g}"
    elif isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        text = str(np.dtype(value))
    elif isinstance(value, (list, tuple)):
        inner = ", ".join(_format_value(v, limit) for v in value)
        if isinstance(value, list):
            text = f"[{inner}]"
        else:
            text = f"({inner},)" if len(value) == 1 else f"({inner})"
    elif callable(value) and hasattr(value, "__name__"):
        text = value.__name__
    else:
        text = str(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _text(lines):
    """A plain (never HTML) graphviz label of several centred lines."""
    from graphviz import nohtml
    # Escape backslashes so names are shown literally, then join with DOT's newline escape.
    return nohtml("\\n".join(str(line).replace("\\", "\\\\") for line in lines))


class _Clusters:
    """Places nodes into nested `cluster_k` subgraphs following their layer-tree keys (see
    `_cluster_key`): the outermost Layer's box holds its sublayers' boxes."""

    def __init__(self, nodes, group_by_layer):
        self.top = []                 # nodes outside any layer
        self.members = {}             # key -> its own nodes
        self.children = {}            # key (or None for the top) -> child keys, in order
        self.order = []               # every key, first appearance first
        for node in nodes:
            key = node[2] if group_by_layer else None
            if not key:
                self.top.append(node)
                continue
            self._add_key(key)
            self.members[key].append(node)

    def _add_key(self, key):
        if key in self.members:
            return
        parent = key[:-1] or None
        if parent is not None:
            self._add_key(parent)
        self.members[key] = []
        self.order.append(key)
        self.children.setdefault(parent, []).append(key)

    def emit(self, graph):
        for node_id, attrs, _ in self.top:
            graph.node(node_id, **attrs)
        for key in self.children.get(None, []):
            self._emit_cluster(graph, key)

    def _emit_cluster(self, graph, key):
        # Depth is the layer tree's depth, so recursion here is shallow.
        label = key[0] if len(key) == 1 else ".".join(key[1:])
        with graph.subgraph(name=f"cluster_{self.order.index(key)}") as sub:
            sub.attr(label=label, style="rounded,dashed", color="#9aa0a6", fontsize="10",
                     fontname="Helvetica")
            for node_id, attrs, _ in self.members[key]:
                sub.node(node_id, **attrs)
            for child in self.children.get(key, []):
                self._emit_cluster(sub, child)


# -- HTML and text displays ------------------------------------------------------------------

_TABLE_STYLE = ("border-collapse:collapse;font-family:monospace;font-size:12px;"
                "text-align:left")
_CELL = "padding:1px 8px;border-bottom:1px solid #ddd;text-align:left"


def _summary_stats(array):
    """[(label, value)] describing an array's values (min/max/mean/std, non-finite counts)."""
    if array.size == 0:
        return [("values", "empty")]
    if array.dtype.kind == "b":
        return [("true", f"{int(array.sum())} of {array.size}")]
    if array.dtype.kind not in "iuf":
        return []
    stats = []
    finite = array
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array)
        n_bad = int(bad.sum())
        if n_bad:
            stats.append(("non-finite", f"{n_bad} (nan {int(np.isnan(array).sum())})"))
            finite = array[~bad]
    if finite.size:
        stats += [("min", f"{finite.min():.4g}"), ("max", f"{finite.max():.4g}"),
                  ("mean", f"{finite.mean():.4g}"), ("std", f"{finite.std():.4g}")]
    return stats


def variable_html(var):
    """HTML for a Variable in Jupyter: name, shape, dtype, stop_gradient, value summary, preview."""
    array = var.data
    kind = "Parameter" if isinstance(var, Parameter) else "Variable"
    rows = [("shape", str(var.shape)), ("dtype", str(array.dtype)),
            ("stop_gradient", f"{var.stop_gradient}"
             + ("" if var.stop_gradient else " (needs grad)"))]
    if var.creator is not None:
        rows.append(("made by", f"{var.creator.type} (record #{var.creator.seq})"))
    grad = var.gradient()
    rows.append(("grad", "none" if grad is None else f"{list(grad.shape)} {grad.dtype}"))
    rows += _summary_stats(array)
    with np.printoptions(precision=4, threshold=40, edgeitems=3, linewidth=100):
        preview = np.array2string(array)
    cells = "".join(f"<tr><th style='{_CELL}'>{html.escape(k)}</th>"
                    f"<td style='{_CELL}'>{html.escape(v)}</td></tr>" for k, v in rows)
    return (f"<div class='minigrad-variable'><b>{kind}</b> <code>{html.escape(var.name)}</code>"
            f"<table style='{_TABLE_STYLE}'>{cells}</table>"
            f"<pre style='margin:4px 0'>{html.escape(preview)}</pre></div>")


def tape_html(tape, max_rows=60):
    """HTML table of a Tape's live records: number, op, inputs, outputs, attributes, layer.

    A long tape shows its first and last `max_rows // 2` records with a count of those between.
    """
    records = tape.records()
    header = "".join(f"<th style='{_CELL}'>{h}</th>"
                     for h in ("#", "op", "inputs", "outputs", "attributes", "layer"))
    shown = records
    if len(records) > max_rows:
        half = max_rows // 2
        shown = records[:half] + [None] + records[-half:]
    rows = []
    for op in shown:
        if op is None:
            rows.append(f"<tr><td style='{_CELL}' colspan='6'>... "
                        f"{len(records) - 2 * (max_rows // 2)} more records ...</td></tr>")
            continue
        ins = ", ".join(f"{v.name} {v.shape}" for v in op.input_variables())
        outs = ", ".join(f"{v.name} {v.shape}" for v in op.output_variables())
        attrs = ", ".join(f"{k}={_format_value(v)}" for k, v in op.attrs().items()
                          if v is not None)
        cells = (str(op.seq), op.type, ins, outs, attrs, op.layer or "")
        rows.append("<tr>" + "".join(f"<td style='{_CELL}'>{html.escape(c)}</td>"
                                     for c in cells) + "</tr>")
    return (f"<div class='minigrad-tape'><b>Tape</b> ({len(records)} live records)"
            f"<table style='{_TABLE_STYLE}'><tr>{header}</tr>{''.join(rows)}</table></div>")


# -- Layer displays --------------------------------------------------------------------------


def parameter_count(layer):
    """Number of values in `layer`'s parameters (each shared Parameter counted once)."""
    return sum(int(p.data.size) for p in layer.parameters())


def _parameter_text(parameter):
    frozen = "" if not parameter.stop_gradient else " frozen"
    return f"{list(parameter.data.shape)}{frozen}"


def _own_parameters(layer):
    return [(name, p) for name, p in layer._parameters.items() if p is not None]


def _head(layer):
    extra = layer.extra_repr() if hasattr(layer, "extra_repr") else ""
    return f"{type(layer).__name__}({extra}"


def layer_summary(layer):
    """The layer tree as text, like a PyTorch module print, with parameter shapes and counts.

        Model(  # 1,090 parameters
          (encoder): Conv2D(1, 8, filter_size=3)  # weight [8, 1, 3, 3], bias [8]: 80
          (decoder): Conv2DTranspose(8, 1, filter_size=3)  # weight [8, 1, 3, 3], bias [1]: 73
        )

    Each layer's comment counts the parameters of its whole subtree; frozen parameters
    (stop_gradient=True) are marked. The root line adds the trainable count when it differs.
    """
    total = parameter_count(layer)
    trainable = sum(int(p.data.size) for p in layer.parameters() if not p.stop_gradient)
    text = _summary_lines(layer, total_note=f"{total:,} parameters" + (
        f" ({trainable:,} trainable)" if trainable != total else ""))
    return "\n".join(text)


def _summary_lines(layer, total_note=None):
    """Lines for `layer` (the first without indentation); recursion depth = layer tree depth."""
    children = [(name, child) for name, child in layer._sub_layers.items() if child is not None]
    own = _own_parameters(layer)
    count = total_note or f"{parameter_count(layer):,} parameters"
    if not children:
        shapes = ", ".join(f"{name} {_parameter_text(p)}" for name, p in own)
        note = f"{shapes}: {parameter_count(layer):,}" if shapes else ""
        if total_note:
            note = f"{shapes}: {total_note}" if shapes else total_note
        return [_head(layer) + ")" + (f"  # {note}" if note else "")]
    lines = [_head(layer) + f"  # {count}"]
    for name, p in own:
        lines.append(f"  ({name}): Parameter {_parameter_text(p)} {p.data.dtype}")
    for name, child in children:
        child_lines = _summary_lines(child)
        lines.append(f"  ({name}): {child_lines[0]}")
        lines.extend("  " + line for line in child_lines[1:])
    lines.append(")")
    return lines


def layer_html(layer):
    """HTML table of the layer tree for Jupyter: path, type, own parameter shapes, counts."""
    header = "".join(f"<th style='{_CELL}'>{h}</th>"
                     for h in ("layer", "type", "parameters", "count"))
    rows = []
    for path, sub in layer.named_sublayers(include_self=True):
        depth = path.count(".") + 1 if path else 0
        name = path.rpartition(".")[2] if path else "(root)"
        shapes = ", ".join(f"{n} {_parameter_text(p)}" for n, p in _own_parameters(sub))
        own = sum(int(p.data.size) for _, p in _own_parameters(sub))
        cells = [("&nbsp;" * 4 * depth) + html.escape(name), html.escape(_head(sub) + ")"),
                 html.escape(shapes), f"{own:,}" if own else ""]
        rows.append("<tr>" + "".join(f"<td style='{_CELL}'>{c}</td>" for c in cells) + "</tr>")
    total = parameter_count(layer)
    trainable = sum(int(p.data.size) for p in layer.parameters() if not p.stop_gradient)
    footer = (f"<tr><th style='{_CELL}' colspan='3'>total ({trainable:,} trainable)</th>"
              f"<th style='{_CELL}'>{total:,}</th></tr>")
    return (f"<div class='minigrad-layer'><b>{html.escape(type(layer).__name__)}</b> "
            f"<code>{html.escape(layer.full_name())}</code>"
            f"<table style='{_TABLE_STYLE}'><tr>{header}</tr>{''.join(rows)}{footer}</table>"
            f"</div>")
