"""The notebooks in notebooks/ execute top to bottom without error, and are committed executed."""
import pathlib
import time

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ["01_tour.ipynb", "02_conv2d_transpose.ipynb", "03_training_loop.ipynb",
         "04_gradient_checking.ipynb"]
# Each should take well under a minute on 2 cores; this bound only catches runaway notebooks.
TIME_LIMIT = 180


def test_the_four_notebooks_are_there():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_with_its_outputs(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code, f"{name} has no code cells"
    # Executed in one run from the top: counts 1, 2, 3... and no stored errors.
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), \
        f"{name} is not committed executed top to bottom (run it with nbclient first)"
    errors = [out for cell in code for out in cell.outputs if out.output_type == "error"]
    assert not errors, f"{name} was committed with an error output: {errors[0].get('ename')}"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes_top_to_bottom(name):
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=TIME_LIMIT, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    start = time.perf_counter()
    client.execute()     # raises CellExecutionError naming the failing cell
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_LIMIT, f"{name} took {elapsed:.0f} s"
