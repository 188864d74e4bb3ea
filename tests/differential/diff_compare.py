"""Compare two encoded reports (see diffreport.py) and say where they differ.

`differences(a, b, rtol, atol)` returns a list of strings, empty when the values agree:
    - kinds must agree (an ndarray is not a Variable, a tuple is not a list, int is not float);
    - arrays and Variables: same dtype and shape exactly, values within `rtol`/`atol` for floats
      (NaN matches NaN, infinities must match) and exactly for integers and booleans; Variables
      also compare `stop_gradient`;
    - errors: both raising is agreement, whatever the type or message (frameworks name their
      exceptions differently); `strict_errors=True` also compares the type name;
    - numbers within tolerance; str, bool, None exactly; lists, tuples and dicts item by item.
"""
import math

import numpy as np

__all__ = ["differences", "describe"]


def describe(encoded, limit=160):
    """A short readable rendering of an encoded value, for failure messages."""
    kind = encoded.get("kind")
    if kind in ("variable", "ndarray"):
        values = np.asarray(encoded["values"]).ravel()
        shown = np.array2string(values[:8], precision=6, separator=", ",
                                max_line_width=10**6)
        more = f" ... ({values.size} values)" if values.size > 8 else ""
        extra = f", stop_gradient={encoded['stop_gradient']}" if kind == "variable" else ""
        return (f"{kind}(dtype={encoded['dtype']}, shape={encoded['shape']}{extra}, "
                f"values={shown}{more})")
    if kind == "error":
        return f"error {encoded['type']}: {encoded['message'][:limit]!r}"
    if kind == "no_error":
        return "no error raised"
    if kind == "scalar":
        return f"numpy {encoded['dtype']} {encoded['value']!r}"
    if kind in ("list", "tuple"):
        inner = ", ".join(describe(item, 40) for item in encoded["items"][:6])
        text = f"{kind}[{inner}{', ...' if len(encoded['items']) > 6 else ''}]"
        return text[:limit]
    if kind == "dict":
        return ("dict{" + ", ".join(f"{k}: {describe(v, 40)}" for k, v in encoded["items"][:6])
                + "}")[:limit]
    if kind == "class":
        return f"class {encoded['name']}"
    return f"{kind} {encoded.get('value')!r}"


def _close_numbers(a, b, rtol, atol):
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a == b
    if isinstance(a, float) or isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= atol + rtol * abs(b)
    return a == b


def _array_differences(where, a, b, rtol, atol):
    found = []
    if a["dtype"] != b["dtype"]:
        found.append(f"{where}: dtype {a['dtype']} vs {b['dtype']}")
    if a["shape"] != b["shape"]:
        found.append(f"{where}: shape {a['shape']} vs {b['shape']}")
        return found
    if a["kind"] == "variable" and a["stop_gradient"] != b["stop_gradient"]:
        found.append(f"{where}: stop_gradient {a['stop_gradient']} vs {b['stop_gradient']}")
    x, y = np.asarray(a["values"]), np.asarray(b["values"])
    if x.dtype.kind == "f" or y.dtype.kind == "f":
        x, y = x.astype(np.float64), y.astype(np.float64)
        close = np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=True)
    else:
        close = x == y
    if not np.all(close):
        bad = np.argwhere(~np.asarray(close))
        first = tuple(int(i) for i in bad[0]) if x.ndim else ()
        worst = ""
        if x.dtype.kind == "f":
            gaps = np.abs(x - y)
            gaps = gaps[~np.isnan(gaps)]
            if gaps.size:
                worst = f", max abs difference {gaps.max():.3g}"
        found.append(f"{where}: {len(bad)} of {max(x.size, 1)} values differ{worst}; first at "
                     f"{list(first)}: {x[first].item()!r} vs {y[first].item()!r}")
    return found


def differences(a, b, rtol=1e-5, atol=1e-6, strict_errors=False, where="value"):
    """Where encoded values `a` (minigrad) and `b` (Paddle 1.8.5) differ; [] if they agree."""
    kind_a, kind_b = a.get("kind"), b.get("kind")
    if kind_a != kind_b:
        return [f"{where}: {describe(a)}  vs  {describe(b)}"]
    kind = kind_a
    if kind in ("variable", "ndarray"):
        return _array_differences(where, a, b, rtol, atol)
    if kind == "error":
        if strict_errors and a["type"] != b["type"]:
            return [f"{where}: error type {a['type']} vs {b['type']}"]
        return []
    if kind == "no_error":
        return []
    if kind == "scalar":
        if a["dtype"] != b["dtype"]:
            return [f"{where}: numpy scalar dtype {a['dtype']} vs {b['dtype']}"]
        if not _close_numbers(a["value"], b["value"], rtol, atol):
            return [f"{where}: {a['value']!r} vs {b['value']!r}"]
        return []
    if kind in ("int", "float", "bool"):
        if not _close_numbers(a["value"], b["value"], rtol, atol):
            return [f"{where}: {a['value']!r} vs {b['value']!r}"]
        return []
    if kind in ("str", "none"):
        return [] if a["value"] == b["value"] else [f"{where}: {a['value']!r} vs {b['value']!r}"]
    if kind == "class":
        return [] if a["name"] == b["name"] else [f"{where}: class {a['name']} vs {b['name']}"]
    if kind in ("list", "tuple"):
        if len(a["items"]) != len(b["items"]):
            return [f"{where}: {kind} of {len(a['items'])} vs {len(b['items'])} items: "
                    f"{describe(a)}  vs  {describe(b)}"]
        found = []
        for index, (x, y) in enumerate(zip(a["items"], b["items"])):
            found += differences(x, y, rtol, atol, strict_errors, f"{where}[{index}]")
        return found
    if kind == "dict":
        left, right = dict(a["items"]), dict(b["items"])
        found = []
        if list(left) != list(right):
            if set(left) != set(right):
                found.append(f"{where}: keys only in minigrad {sorted(set(left) - set(right))}, "
                             f"only in Paddle {sorted(set(right) - set(left))}")
            else:
                found.append(f"{where}: key order {list(left)} vs {list(right)}")
        for key in left:
            if key in right:
                found += differences(left[key], right[key], rtol, atol, strict_errors,
                                     f"{where}[{key!r}]")
        return found
    raise ValueError(f"{where}: unknown kind {kind!r}")
