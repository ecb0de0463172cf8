"""Public names of a package, each imported from its module on first use.

A package's ``__init__`` names its public API without importing it: ``lazy_exports`` gives the
module ``__getattr__`` and ``__dir__`` (PEP 562) that load a name's module only when the name is
first asked for, so importing one module of a package never loads all the others and start-up
stays fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_exports(
    package: str, where: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``; ``where`` maps each public name to the
    module that defines it, relative to the package ('spec', 'sweep'...)."""

    def __getattr__(name: str) -> object:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        vars(sys.modules[package])[name] = value  # found once; later lookups do not come here
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return __getattr__, __dir__
