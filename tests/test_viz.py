"""Drawing the tape (asserted on the DOT source), rendering, and the HTML/text displays."""
import re
import shutil
import sys

import numpy as np
import pytest

import minigrad as fluid
from minigrad import viz
from minigrad.core import op as op_module
from minigrad.core.op import Op

graphviz = pytest.importorskip("graphviz")


def var(array, name=None, requires_grad=True):
    v = fluid.dygraph.to_variable(np.asarray(array, dtype=np.float32), name=name)
    v.stop_gradient = not requires_grad
    return v


def edges(source):
    return re.findall(r"^\s*(\w+) -> (\w+)", source, flags=re.M)


def labels(source):
    """node id -> label text (DOT escapes kept, e.g. '\\n' between lines)."""
    return dict(re.findall(r'^\s*(\w+) \[label="?(.*?)"? (?:fillcolor|fontcolor)', source,
                           flags=re.M))


def clusters_of(source):
    """node id -> innermost cluster label (None outside clusters), by following the braces."""
    where = {}
    stack = []
    for line in source.splitlines():
        line = line.strip()
        if line.startswith("subgraph"):
            stack.append(None)
        elif stack and stack[-1] is None and re.match(r"\w+=", line):
            stack[-1] = re.search(r'\blabel=("[^"]*"|\S+)', line).group(1).strip('"')
        elif line == "}":
            if stack:
                stack.pop()
        else:
            m = re.match(r"(\w+) \[label", line)
            if m:
                where[m.group(1)] = stack[-1] if stack else None
    return where


class Strided(Op):
    """A stand-in op with convolution-like attributes (the value is just x * 2)."""

    def __init__(self, stride, padding, groups, output_size=None):
        self.stride = stride
        self.padding = padding
        self.groups = groups
        self.output_size = output_size
        self._private = "not shown"

    def forward(self, x):
        return x * 2

    def backward(self, gy, x):
        return gy * 2


# -- labels, attributes, edges ---------------------------------------------------------------


def test_variables_and_ops_are_labelled_with_name_shape_dtype_and_grad_need():
    with fluid.dygraph.guard():
        x = var(np.ones((2, 3)), name="x")
        w = var(np.ones((3, 4)), name="w")
        c = var(np.ones((2, 4)), name="c", requires_grad=False)
        loss = fluid.layers.mean(fluid.layers.matmul(x, w) + c)
        source = viz.draw(loss).source
    text = labels(source)
    assert text["v0"] == r"x\n[2, 3] float32\nneeds grad"
    assert text["v1"] == r"w\n[3, 4] float32\nneeds grad"
    assert text["op0"] == "mat_mul"
    assert text["v3"] == r"c\n[2, 4] float32\nstop_gradient"
    assert text["op1"] == "add"
    assert text["op2"].startswith("mean")
    assert text["v5"].endswith(r"[1] float32\nneeds grad")
    # Leaves that need a gradient, constants and op nodes are told apart by colour.
    assert re.search(r'v0 \[.*fillcolor="#d2e3fc"', source)
    assert re.search(r'v3 \[.*fillcolor="#f1f3f4"', source)


def test_edges_follow_the_data_flow_in_record_order():
    with fluid.dygraph.guard():
        x = var([1.0, 2.0], name="x")
        y = x * x            # op0: x used twice
        z = y + x            # op1
        loss = z.sum()       # op2
        source = viz.draw(loss).source
    # Written out by hand: v0=x, v1=y, v2=z, v3=loss.
    assert edges(source) == [("v0", "op0"), ("v0", "op0"), ("op0", "v1"),
                             ("v1", "op1"), ("v0", "op1"), ("op1", "v2"),
                             ("v2", "op2"), ("op2", "v3")]


def test_op_attributes_are_shown_and_private_or_unset_ones_are_not():
    with fluid.dygraph.guard():
        x = var(np.ones((1, 2, 3, 3)), name="x")
        y = Strided(stride=(2, 2), padding=[1, 0], groups=2)(x)
        z = Strided(stride=1, padding=0, groups=1, output_size=[7, 8])(y)
        source = viz.draw(z).source
    text = labels(source)
    assert text["op0"] == r"strided\nstride=(2, 2)\npadding=[1, 0]\ngroups=2"
    assert text["op1"] == r"strided\nstride=1\npadding=0\ngroups=1\noutput_size=[7, 8]"
    assert "_private" not in source and "not shown" not in source


def test_constants_are_small_nodes_and_can_be_hidden():
    with fluid.dygraph.guard():
        x = var([1.0, 2.0], name="x")
        y = x * 3.5
        shown = viz.draw(y).source
        hidden = viz.draw(y, show_constants=False).source
    assert labels(shown)["c0"] == "3.5"
    assert ("c0", "op0") in edges(shown)
    assert "c0" not in hidden and edges(hidden) == [("v0", "op0"), ("op0", "v1")]


def test_names_are_plain_text_never_html_or_escapes():
    with fluid.dygraph.guard():
        x = var([1.0], name="<b>")
        y = var([1.0], name="a\\b")
        source = viz.draw(x + y).source
    assert r'label="<b>\n[1] float32' in source
    assert r'label="a\\b\n[1] float32' in source


def test_same_program_draws_the_same_source():
    def program():
        with fluid.dygraph.guard():
            x = var(np.arange(6).reshape(2, 3), name="x")
            w = var(np.ones((3, 2)), name="w")
            return viz.draw(fluid.layers.relu(fluid.layers.matmul(x, w)).sum()).source

    assert program() == program()


def test_drawing_a_tape_shows_every_live_record_and_a_list_its_roots():
    with fluid.dygraph.guard() as tape:
        a = var([1.0], name="a")
        b = var([2.0], name="b")
        first = a * 2
        second = b + 1
        both = viz.draw(tape).source
        only_first = viz.draw(first).source
        listed = viz.draw([first, second]).source
    assert len(re.findall(r"^\s*op\d+ \[", both, flags=re.M)) == 2
    assert len(re.findall(r"^\s*op\d+ \[", only_first, flags=re.M)) == 1
    assert "b\\n" not in only_first
    assert both == listed


def test_a_leaf_draws_as_a_single_node():
    with fluid.dygraph.guard():
        x = var([1.0, 2.0], name="x")
        source = viz.draw(x).source
    assert labels(source) == {"v0": r"x\n[2] float32\nneeds grad"}
    assert edges(source) == []


def test_draw_rejects_other_targets():
    with fluid.dygraph.guard():
        with pytest.raises(TypeError, match="draw: expected a Variable.*got ndarray"):
            viz.draw(np.ones(3))


def test_a_deep_graph_draws_without_recursion():
    depth = 3 * sys.getrecursionlimit()
    with fluid.dygraph.guard():
        x = var([1.0], name="x")
        y = x
        for _ in range(depth):
            y = y + 1.0
        source = viz.draw(y, show_constants=False).source
    assert len(edges(source)) == 2 * depth


# -- gradients -------------------------------------------------------------------------------


def test_show_grad_gives_gradient_shapes_after_backward():
    with fluid.dygraph.guard():
        x = var(np.ones((2, 3)), name="x")
        bias = var(np.ones(3), name="bias")
        c = var(np.ones((2, 3)), name="c", requires_grad=False)
        loss = ((x + bias) * c).sum()
        before = labels(viz.draw(loss, show_grad=True).source)
        loss.backward(retain_graph=True)
        after = labels(viz.draw(loss, show_grad=True).source)
    assert before["v0"].endswith(r"\ngrad: none")
    assert after["v0"] == r"x\n[2, 3] float32\nneeds grad\ngrad [2, 3] float32"
    # The broadcast bias gets a gradient of its own shape, the constant none.
    assert after["v1"] == r"bias\n[3] float32\nneeds grad\ngrad [3] float32"
    assert after["v3"] == r"c\n[2, 3] float32\nstop_gradient\ngrad: none"


def test_show_grad_shows_differentiable_gradients_too():
    with fluid.dygraph.guard():
        x = var([1.0, 2.0], name="x")
        (gx,) = fluid.dygraph.grad((x * x).sum(), [x], create_graph=True)
        x.grad = gx          # a Variable gradient, as a user might store it
        source = viz.draw(x, show_grad=True).source
    assert r"grad [2] float32" in source


def test_released_records_are_marked_with_a_hint():
    with fluid.dygraph.guard():
        x = var([1.0, 2.0], name="x")
        loss = (x * x).sum()
        loss.backward()
        source = viz.draw(loss).source
    assert "(released)" in source
    assert "retain_graph=True" in source


# -- clusters per layer ----------------------------------------------------------------------


class _InLayer:
    """Push a layer path like Layer.__call__ does, so records carry it."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        op_module._layer_stack.append(self.path)

    def __exit__(self, *exc):
        op_module._layer_stack.pop()


def test_records_are_clustered_by_nested_layer_path():
    with fluid.dygraph.guard():
        x = var(np.ones((2, 2)), name="x")
        w = fluid.dygraph.Parameter(np.ones((2, 2), "float32"), name="up1.w_0")
        with _InLayer("encoder"):
            h = x * 2                                   # op0
        with _InLayer("decoder"):
            with _InLayer("decoder.up1"):
                h = fluid.layers.matmul(h, w)           # op1
            h = h + 1                                   # op2
        loss = h.sum()                                  # op3: no layer
        source = viz.draw(loss).source
        flat = viz.draw(loss, group_by_layer=False).source
    where = clusters_of(source)
    assert where["op0"] == "encoder"
    assert where["op1"] == "decoder.up1"
    assert where["op2"] == "decoder"
    assert where["op3"] is None
    assert where["v0"] is None                 # the input is nobody's
    assert where["v2"] == "decoder.up1"        # the parameter sits with the layer using it
    assert where["v3"] == "decoder.up1"        # an output sits with the layer making it
    # decoder.up1 is drawn inside decoder.
    assert re.search(r"label=decoder [^{}]*subgraph cluster_\d+ \{\n[^\n]*label=\"decoder.up1\"",
                     source)
    assert "subgraph" not in flat and "cluster" not in flat


# -- rendering -------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_render_writes_a_real_svg(tmp_path):
    with fluid.dygraph.guard():
        x = var(np.ones((2, 3)), name="x")
        with _InLayer("layer"):
            y = Strided(stride=2, padding=1, groups=1)(x)
        graph = viz.draw(y.sum(), show_grad=True)
    path = viz.render(graph, str(tmp_path / "sub" / "graph.svg"))
    text = open(path, encoding="utf-8").read()
    assert "<svg" in text and "strided" in text and "stride=2" in text
    assert "cluster" in text
    # Jupyter displays the same drawing inline as SVG.
    bundle = graph._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_render_without_dot_says_how_to_install_graphviz(tmp_path, monkeypatch):
    with fluid.dygraph.guard():
        graph = viz.draw(var([1.0], name="x") * 2)
    monkeypatch.setenv("PATH", str(tmp_path))      # no `dot` on PATH
    with pytest.raises(RuntimeError, match=r"apt-get install graphviz.*brew install graphviz"):
        viz.render(graph, str(tmp_path / "graph.svg"))
    assert not (tmp_path / "graph.svg").exists()
    # The inline display falls back to the message and the DOT text instead of a traceback.
    bundle = graph._repr_mimebundle_()
    assert "conda install graphviz" in bundle["text/plain"]
    assert "digraph" in bundle["text/plain"]


def test_render_needs_a_format():
    with fluid.dygraph.guard():
        graph = viz.draw(var([1.0], name="x"))
    with pytest.raises(ValueError, match="extension"):
        viz.render(graph, "graph")


def test_missing_graphviz_package_says_what_to_install(monkeypatch):
    viz._digraph_class.cache_clear()
    monkeypatch.setitem(sys.modules, "graphviz", None)    # makes `import graphviz` fail
    try:
        with fluid.dygraph.guard():
            x = var([1.0], name="x")
            with pytest.raises(ImportError, match=r'pip install graphviz.*minigrad\[viz\]'):
                viz.draw(x)
    finally:
        viz._digraph_class.cache_clear()


def test_draw_returns_a_graphviz_digraph():
    with fluid.dygraph.guard():
        assert isinstance(viz.draw(var([1.0]) * 2), graphviz.Digraph)


# -- HTML displays ---------------------------------------------------------------------------


def test_variable_html_shows_shape_dtype_stop_gradient_and_value_summary():
    values = np.array([[1.0, -2.0, 4.0], [0.5, 3.0, -1.5]])
    with fluid.dygraph.guard():
        x = var(values, name="x<1>")
        y = x * 2
        page = y._repr_html_()
        leaf = x._repr_html_()
    assert "x&lt;1&gt;" in leaf and "<1>" not in leaf
    assert "[2, 3]" in page and "float32" in page
    assert "False (needs grad)" in page
    assert "mul (record #" in page
    doubled = values * 2
    for label, value in [("min", doubled.min()), ("max", doubled.max()),
                         ("mean", doubled.mean()), ("std", doubled.std())]:
        assert re.search(rf">{label}</th><td[^>]*>{value:.4g}<", page), label


def test_variable_html_counts_non_finite_values():
    with fluid.dygraph.guard():
        x = var([1.0, np.nan, np.inf, 3.0])
        page = viz.variable_html(x)
    assert re.search(r">non-finite</th><td[^>]*>2 \(nan 1\)<", page)
    assert re.search(r">max</th><td[^>]*>3<", page)


def test_tape_html_lists_records_with_layers():
    with fluid.dygraph.guard() as tape:
        x = var(np.ones((2, 2)), name="x")
        with _InLayer("block"):
            y = fluid.layers.reduce_sum(x * 2, dim=1)
        page = tape._repr_html_()
    assert page.count("<tr>") == 3             # header and two records
    assert ">mul<" in page and ">sum<" in page and ">block<" in page
    assert "axis=(1,)" in page
    assert "Tape(2 records)" in repr(tape)


# -- Layers: clusters from real Layer calls, summary and HTML --------------------------------


def _layers():
    from minigrad.nn.layer import Layer

    class Affine(Layer):
        def __init__(self, n_in, n_out):
            super().__init__()
            self.n_in, self.n_out = n_in, n_out
            self.weight = self.create_parameter([n_in, n_out])
            self.bias = self.create_parameter([n_out], is_bias=True)

        def extra_repr(self):
            return f"{self.n_in}, {self.n_out}"

        def forward(self, x):
            return fluid.layers.matmul(x, self.weight) + self.bias

    class Block(Layer):
        def __init__(self):
            super().__init__()
            self.gain = self.create_parameter([1])
            self.a = Affine(3, 4)
            self.b = Affine(4, 2)

        def forward(self, x):
            return self.b(fluid.layers.relu(self.a(x))) * self.gain

    class Model(Layer):
        def __init__(self):
            super().__init__()
            self.enc = Block()
            self.head = Affine(2, 1)

        def forward(self, x):
            return self.head(self.enc(x))

    return Model


def _drawn_model():
    """A model from `_layers()`, called once and summed outside it: (model, DOT source)."""
    with fluid.dygraph.guard():
        model = _layers()()
        loss = model(var(np.ones((5, 3)), name="x", requires_grad=False)).sum()
        return model, viz.draw(loss).source


def test_layer_calls_cluster_their_records_by_structured_path():
    _, source = _drawn_model()
    where = clusters_of(source)
    text = labels(source)
    by_label = {text[n].split("\\n")[0]: where[n] for n in text if n.startswith("op")}
    ops = [(text[n].split("\\n")[0], where[n]) for n in sorted(
        (n for n in text if n.startswith("op")), key=lambda n: int(n[2:]))]
    assert ops == [("mat_mul", "enc.a"), ("add", "enc.a"), ("relu", "enc"),
                   ("mat_mul", "enc.b"), ("add", "enc.b"), ("mul", "enc"),
                   ("mat_mul", "head"), ("add", "head"), ("sum", None)]
    assert by_label["sum"] is None
    params = {text[n].split("\\n")[0]: where[n] for n in text if "parameter" in text[n]}
    assert params == {"affine_0.w_0": "enc.a", "affine_0.b_0": "enc.a",
                      "affine_1.w_0": "enc.b", "affine_1.b_0": "enc.b",
                      "block_0.w_0": "enc", "affine_2.w_0": "head", "affine_2.b_0": "head"}
    assert re.search(r"label=enc [^{}]*subgraph cluster_\d+ \{\n[^\n]*label=\"enc.a\"", source)


def test_the_outermost_layer_box_holds_its_sublayer_boxes():
    model, source = _drawn_model()
    root = model.full_name()
    # The root's cluster opens first and every sublayer cluster opens inside it.
    start = source.index(f"label={root} ")
    depth, inside = 1, []
    for line in source[start:].splitlines()[1:]:
        if depth == 0:
            break
        depth += line.count("{") - line.count("}")
        found = re.search(r"label=\"?([\w.]+)\"? style=\"rounded,dashed\"", line)
        if found:
            inside.append(found.group(1))
    assert inside == ["enc", "enc.a", "enc.b", "head"]
    assert source.index("label=\"sum") < start     # called outside the model: outside its box


def test_layer_summary_is_a_tree_with_shapes_and_counts():
    Model = _layers()
    with fluid.dygraph.guard():
        model = Model()
        model.head.bias.stop_gradient = True
        summary = viz.layer_summary(model)
        # Counted by hand: gain 1, a 3*4+4, b 4*2+2, head 2*1+1.
        assert summary == "\n".join([
            "Model(  # 30 parameters (29 trainable)",
            "  (enc): Block(  # 27 parameters",
            "    (gain): Parameter [1] float32",
            "    (a): Affine(3, 4)  # weight [3, 4], bias [4]: 16",
            "    (b): Affine(4, 2)  # weight [4, 2], bias [2]: 10",
            "  )",
            "  (head): Affine(2, 1)  # weight [2, 1], bias [1] frozen: 3",
            ")"])
        assert repr(model) == summary
        assert repr(model.enc.a) == "Affine(3, 4)  # weight [3, 4], bias [4]: 16 parameters"
        assert viz.parameter_count(model) == 30


def test_layer_html_lists_every_sublayer_and_the_total():
    Model = _layers()
    with fluid.dygraph.guard():
        model = Model()
        page = model._repr_html_()
    assert page.count("<tr>") == 1 + 5 + 1      # header, model + 4 sublayers, total
    assert "enc" in page and "Affine(3, 4)" in page and "weight [3, 4], bias [4]" in page
    assert re.search(r"total \(30 trainable\)</th><th[^>]*>30<", page)


def test_tape_html_shortens_a_long_tape():
    with fluid.dygraph.guard() as tape:
        x = var([1.0], name="x")
        y = x
        for _ in range(100):
            y = y * 1.5
        page = viz.tape_html(tape, max_rows=10)
    assert page.count("<tr>") == 1 + 5 + 1 + 5
    assert "... 90 more records ..." in page


def test_conv2d_transpose_layer_is_drawn_with_its_attributes_in_its_cluster():
    with fluid.dygraph.guard():
        up = fluid.dygraph.Conv2DTranspose(4, 2, 3, stride=2, padding=1, groups=2,
                                           output_size=6)
        x = var(np.ones((1, 4, 3, 3)), name="x", requires_grad=False)
        loss = fluid.layers.mean(up(x))
        loss.backward(retain_graph=True)
        source = viz.draw(loss, show_grad=True).source
    text = labels(source)
    where = clusters_of(source)
    (conv,) = [n for n in text if n.startswith("op") and text[n].startswith("conv2d_transpose")]
    assert text[conv] == (r"conv2d_transpose\nstride=(2, 2)\npadding=(1, 1)\ndilation=(1, 1)"
                          r"\ngroups=2\noutput_size=(6, 6)")
    assert where[conv] == up.full_name()            # called on its own: its full name
    weight = [n for n in text if text[n].startswith(up.weight.name)]
    assert text[weight[0]] == (rf"{up.weight.name}\n[4, 1, 3, 3] float32\nparameter"
                               r"\ngrad [4, 1, 3, 3] float32")
    assert any(text[n].endswith(r"[1, 2, 6, 6] float32\nneeds grad\ngrad [1, 2, 6, 6] float32")
               for n in text)
