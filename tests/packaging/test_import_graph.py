"""No import circles between our modules, counting imports inside functions and TYPE_CHECKING."""

from __future__ import annotations

import ast
from pathlib import Path

import lrdesk

PACKAGE = Path(lrdesk.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["lrdesk", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module of ours that ``name`` imports anywhere in its text."""

    def known(dotted: str) -> str | None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                head = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*head, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        out.update(t for t in map(known, targets) if t and t != name)
    return out


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_module_graph_has_no_circle():
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert sum(map(len, graph.values())) > 200  # the scan really sees our imports
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_a_planted_circle_is_found():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


PACKAGES = [name for name, path in _modules().items() if path.name == "__init__.py"]


def test_every_package_states_its_public_names_and_they_resolve():
    import importlib

    for name in PACKAGES:
        package = importlib.import_module(name)
        assert package.__doc__, name
        names = getattr(package, "__all__", None)
        if name in ("lrdesk", "lrdesk.gui"):  # the root and the gui hold subpackages only
            continue
        assert names, f"{name} has no __all__"
        for public in names:
            assert getattr(package, public) is not None, (name, public)


def test_importing_a_package_loads_none_of_its_modules():
    import json
    import subprocess
    import sys

    code = (
        "import json, sys; import " + ", ".join(PACKAGES) + ";"
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    ours = {m for m in loaded if m.startswith("lrdesk.")} - set(PACKAGES)
    # the surfaces' registry is built with its package: it brings the surfaces (and NumPy)
    allowed = {"lrdesk._lazy", "lrdesk._version", "lrdesk.cli.common", "lrdesk.core.limits",
               "lrdesk.core.surfaces.base", "lrdesk.core.surfaces.one_d", "lrdesk.core.surfaces.two_d"}
    assert ours <= allowed, ours - allowed
    assert not loaded & {"PySide6", "pyqtgraph", "sympy"}
