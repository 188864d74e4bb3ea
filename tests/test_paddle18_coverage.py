"""docs/paddle18-coverage.md matches the package: every one of Paddle 1.8's 492 public names is
provided or raises minigrad's DygraphOnlyError, and the table says which."""
import importlib.util
import pathlib

import pytest

from minigrad.unsupported import DygraphOnlyError

ROOT = pathlib.Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_coverage",
                                               ROOT / "docs" / "paddle18" / "make_coverage.py")
coverage = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(coverage)

ROWS = coverage.paddle_names()


def test_the_name_list_is_paddle_18s():
    assert len(ROWS) == 492 and len(set(ROWS)) == 492


def test_no_name_is_missing():
    missing = [f"{m}.{n}" for m, n in ROWS if coverage.resolve(m, n)[0] == "missing"]
    assert not missing, f"neither provided nor listed in minigrad/unsupported.py: {missing}"


@pytest.mark.parametrize("module,name", [r for r in ROWS
                                         if coverage.resolve(*r)[0] != "provided"])
def test_every_name_not_provided_raises_the_clear_error(module, name):
    value = coverage.resolve(module, name)
    assert value[0] in ("out of scope", "not yet provided")
    target = importlib.import_module("minigrad" + module[len("fluid"):])
    with pytest.raises(DygraphOnlyError, match=name):
        getattr(target, name)()


def test_the_table_is_up_to_date():
    assert coverage.TABLE.read_text() == coverage.render(), (
        "docs/paddle18-coverage.md is out of date: run python docs/paddle18/make_coverage.py")


def test_every_name_in_the_out_of_scope_table_is_a_stand_in():
    """A name the package provides must not linger in minigrad/unsupported.py (nor be shadowed
    by a submodule of the same name, as `fluid.data` once was by the input-pipeline package)."""
    from minigrad import unsupported
    stale = []
    for module, table in unsupported.OUT_OF_SCOPE.items():
        target = importlib.import_module("minigrad" + module[len("fluid"):])
        stale += [f"{module}.{name}" for name in table
                  if not unsupported.is_stand_in(getattr(target, name))]
    assert not stale, f"provided, yet listed as not provided: {stale}"


def test_the_readme_quotes_the_current_figure():
    import re
    provided = sum(coverage.resolve(*row)[0] == "provided" for row in ROWS)
    readme = (ROOT / "README.md").read_text()
    quoted = re.search(r"(\d+) of the\s+492 public names", readme)
    assert quoted and int(quoted.group(1)) == provided, (
        f"README.md should say {provided} of the 492 public names")
