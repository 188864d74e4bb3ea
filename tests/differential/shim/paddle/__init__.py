"""A stand-in `paddle` package that makes `import paddle.fluid as fluid` mean `import minigrad`.

The differential harness puts the directory holding this package first on `sys.path` when it runs
a Paddle program under minigrad, so the program's text stays exactly what a Paddle 1.8 user wrote.
Under real Paddle 1.8.5 this directory is not on the path.

    paddle.fluid            -> minigrad
    paddle.fluid.<a.b.c>    -> minigrad.<a.b.c>   (a module, or a module-valued attribute)
    paddle.batch            -> minigrad.batch     (AttributeError if minigrad has none)

The aliases are the very same module objects, so classes and functions are identical whichever
name a program imports them under. A name minigrad lacks is an ImportError that names both the
Paddle module and the minigrad module it was looked for as.
"""
import importlib
import importlib.abc
import importlib.util
import sys

import minigrad

_PREFIX = "paddle.fluid."

fluid = minigrad
sys.modules["paddle.fluid"] = minigrad


def _target(fullname):
    """The minigrad module that Paddle module `fullname` (paddle.fluid.x.y) stands for."""
    parts = fullname[len(_PREFIX):].split(".")
    module = minigrad
    for depth, part in enumerate(parts):
        name = "minigrad." + ".".join(parts[:depth + 1])
        attribute = getattr(module, part, None)
        if isinstance(attribute, type(minigrad)):
            module = attribute
            continue
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise          # the module exists but something it imports does not
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (the shim looked for {name!r}: minigrad has no "
                f"such module)", name=fullname) from None
    return module


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, module):
        self.module = module
        self.saved = (getattr(module, "__spec__", None), getattr(module, "__loader__", None))

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        # The import system stamped the alias's spec on the module; give minigrad its own back.
        module.__spec__, module.__loader__ = self.saved


class _AliasFinder(importlib.abc.MetaPathFinder):
    """Answers every `paddle.fluid.*` import with the matching minigrad module."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith(_PREFIX):
            return None
        module = _target(fullname)
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module))


sys.meta_path.insert(0, _AliasFinder())


def __getattr__(name):
    # `paddle.batch` and friends: whatever minigrad offers under the same name.
    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return getattr(minigrad, name)
    except AttributeError:
        raise AttributeError(f"module 'paddle' has no attribute {name!r} (the shim maps it to "
                             f"minigrad.{name}, which does not exist)") from None
