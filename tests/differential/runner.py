"""Run differential programs one after another in this interpreter and write their reports as JSON.

    python runner.py --backend paddle|minigrad --out reports.json programs/a.py programs/b.py ...

Importing Paddle 1.8.5 takes seconds, so one process runs every program: each gets a fresh
namespace (`__name__ == "__main__"`), a fresh empty working directory (for files it saves),
numpy's global generator reseeded, and its own `diffreport` collection. An exception that escapes
a program is recorded (type, message, traceback) and the next program runs.

Paddle 1.8's `dygraph.guard()` does not restore its state when its block raises, so after every
program the runner puts back Paddle's tracer, place, programs and name generator as they were;
minigrad's guard restores itself, and the runner only checks that dygraph mode is off again.
With `--backend minigrad`, the `paddle` shim (shim/) must come first on PYTHONPATH.
"""
import argparse
import io
import json
import os
import sys
import tempfile
import time
import traceback
from contextlib import redirect_stdout

import numpy as np

import diffreport


class PaddleState:
    """Paddle 1.8's dygraph globals, saved before a program and put back after it."""

    def __init__(self):
        import paddle
        from paddle.fluid import core, framework, unique_name
        self.core, self.framework, self.unique_name = core, framework, unique_name
        self.version = paddle.__version__
        self.saved = self._read()

    def _read(self):
        framework = self.framework
        return (framework._dygraph_tracer_, framework._dygraph_current_expected_place_,
                framework._main_program_, framework._startup_program_,
                self.unique_name.generator)

    def restore(self):
        """Put the globals back; return True if a program had left them changed."""
        changed = any(a is not b for a, b in zip(self._read(), self.saved))
        framework = self.framework
        (framework._dygraph_tracer_, framework._dygraph_current_expected_place_,
         framework._main_program_, framework._startup_program_,
         self.unique_name.generator) = self.saved
        self.core._switch_tracer(self.saved[0])
        return changed


class MinigradState:
    def __init__(self):
        import paddle.fluid as fluid            # the shim: this is minigrad
        if not fluid.__name__.startswith("minigrad"):
            raise RuntimeError(f"--backend minigrad, but paddle.fluid is {fluid.__file__}; put "
                               "tests/differential/shim first on PYTHONPATH")
        self.fluid = fluid
        self.version = "minigrad " + getattr(fluid, "__version__", "?")

    def restore(self):
        changed = False
        while self.fluid.in_dygraph_mode():     # a program that called enable_dygraph() itself
            self.fluid.disable_dygraph()
            changed = True
        return changed


def run_program(path, state):
    """Run one program file; return {"reports", "error", "stdout", "seconds", "left_state"}."""
    with open(path) as stream:
        source = stream.read()
    namespace = {"__name__": "__main__", "__file__": os.path.abspath(path)}
    np.random.seed(0)
    diffreport.start()
    stdout = io.StringIO()
    error = None
    start = time.perf_counter()
    home = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="minigrad-diff-") as scratch:
        os.chdir(scratch)
        try:
            with redirect_stdout(stdout):
                exec(compile(source, os.path.abspath(path), "exec"), namespace)
        except Exception as exc:        # noqa: BLE001 - recorded, and the next program runs
            error = {"type": type(exc).__name__, "message": diffreport.encode(exc)["message"],
                     "traceback": traceback.format_exc()[-6000:]}
        finally:
            os.chdir(home)
    seconds = time.perf_counter() - start
    left_state = state.restore()
    return {"reports": diffreport.finish(), "error": error, "stdout": stdout.getvalue()[-4000:],
            "seconds": round(seconds, 3), "left_state": left_state}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["paddle", "minigrad"], required=True)
    parser.add_argument("--out", required=True, help="where to write the JSON reports")
    parser.add_argument("programs", nargs="+")
    args = parser.parse_args(argv)
    state = PaddleState() if args.backend == "paddle" else MinigradState()
    results = {}
    for path in args.programs:
        name = os.path.splitext(os.path.basename(path))[0]
        results[name] = run_program(path, state)
    document = {"backend": args.backend, "version": state.version,
                "python": sys.version.split()[0], "numpy": np.__version__, "programs": results}
    with open(args.out, "w") as stream:
        json.dump(document, stream)
    return 0


if __name__ == "__main__":
    sys.exit(main())
