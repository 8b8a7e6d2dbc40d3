"""The shape of salescore, read from its own source: imports point down, rooms stay small.

The tests parse every module of ``src/salescore`` with :mod:`ast` (nothing is imported)
and build the module import graph. Every import of a salescore module counts, wherever
it is written: at module level, inside a function, under ``if TYPE_CHECKING:``.
Relative imports are resolved, and ``from package import name`` is an import of the
module ``package.name`` when there is one, else of ``package``. Python also runs the
``__init__`` of every package above an imported module, so importing
``salescore.team.activity`` is an edge to ``salescore.team`` too, unless that package
is the root or contains the importing module (a module importing a sibling through its
own package is normal).

Layers at package granularity, top to bottom; a package imports only from layers below
its own, and within one layer only along the edges listed in :data:`SIBLING_EDGES`::

    salescore (the package's __init__), __main__
    cli
    report
    adapters   io   datasets   plotting               io -> adapters
    pipeline   forecasting   leads   retention   team   tiers   value   models
                                              team -> pipeline, forecasting -> pipeline
    schema                                            (a module or a package)
    money      fiscal                                 (conventions: currencies, calendars)
    _tables
    _arrays    and every other private bottom module (_numbers, _options, ...)
    errors     _version

The foundation (``errors``, the private bottom modules, ``_tables`` and the schema)
imports nothing but the foundation; ``_version`` imports nothing at all.
"""

from __future__ import annotations

import ast
import functools
from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final

import attrs

SRC: Final = Path(__file__).resolve().parents[1] / "src" / "salescore"

#: The longest a module may be, in lines: one module, one question, readable in one sitting.
MAX_LINES: Final = 600
#: Modules allowed over MAX_LINES, each with the reason (module -> reason).
EXCEPTIONS: Final[Mapping[str, str]] = {}

#: The layers, bottom first, by package: the second part of a module's dotted name
#: ("pipeline" for salescore.pipeline.forecast); "salescore" is the root __init__.
#: A private top-level module not named here (salescore._numbers) is in the _arrays layer.
LAYERS: Final = (
    frozenset({"errors", "_version"}),
    frozenset({"_arrays"}),
    frozenset({"_tables"}),
    frozenset({"schema", "engines"}),
    frozenset({"money", "fiscal"}),
    frozenset(
        {"pipeline", "forecasting", "leads", "retention", "team", "tiers", "value", "models"}
    ),
    frozenset({"adapters", "io", "datasets", "plotting"}),
    frozenset({"report", "server"}),
    frozenset({"cli"}),
    frozenset({"salescore", "__main__"}),
)
#: Edges allowed between packages of one layer: those of today's code.
SIBLING_EDGES: Final = frozenset(
    {("team", "pipeline"), ("forecasting", "pipeline"), ("io", "adapters")}
)
#: The layer whose packages may import each other freely (the module graph keeps them
#: acyclic): the private bottom modules, which may be split into several.
FREE_LAYER: Final = 1


# ---------------------------------------------------------------------- the graph


@attrs.frozen
class Module:
    """One parsed source file: its dotted name, whether it is a package, its syntax tree."""

    name: str
    path: Path
    is_package: bool
    tree: ast.Module
    lines: int


def read_package(root: Path) -> dict[str, Module]:
    """Every module under the package directory ``root``, by dotted name."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        text = path.read_text(encoding="utf-8")
        name = ".".join(parts)
        tree = ast.parse(text, filename=str(path))
        modules[name] = Module(name, path, is_package, tree, len(text.splitlines()))
    return modules


def _nearest(name: str, modules: Collection[str]) -> str | None:
    """``name`` if it is a module, else its nearest enclosing module (None outside)."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imported_modules(module: Module, modules: Collection[str]) -> set[str]:
    """The modules of the package that ``module`` imports explicitly, anywhere in it."""
    root = module.name.split(".")[0]
    found: set[str] = set()

    def add(name: str) -> None:
        if name == root or name.startswith(root + "."):
            target = _nearest(name, modules)
            if target is not None:
                found.add(target)

    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.name.split(".")
                if not module.is_package:
                    base.pop()
                base = base[: len(base) - (node.level - 1)]
                package = ".".join([*base, node.module] if node.module else base)
            else:
                package = node.module or ""
            for alias in node.names:
                submodule = f"{package}.{alias.name}"
                add(submodule if submodule in modules else package)
    return found


def _ancestors(name: str) -> Iterator[str]:
    """The packages above ``name``, without the root: a.b.c.d gives a.b and a.b.c."""
    parts = name.split(".")
    for end in range(2, len(parts)):
        yield ".".join(parts[:end])


def import_graph(modules: Mapping[str, Module]) -> dict[str, set[str]]:
    """Module -> the modules its import runs: explicit imports and their packages' __init__."""
    graph: dict[str, set[str]] = {}
    for name, module in modules.items():
        own = {name, *_ancestors(name)}
        edges = set()
        for target in imported_modules(module, modules):
            edges.add(target)
            edges.update(package for package in _ancestors(target) if package not in own)
        edges.discard(name)
        graph[name] = edges
    return graph


def package_of(module: str) -> str:
    """The package a module belongs to: salescore.pipeline.forecast -> pipeline."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def package_graph(graph: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """The graph between packages: an edge wherever a module of one imports the other."""
    packages: dict[str, set[str]] = {}
    for source, targets in graph.items():
        edges = packages.setdefault(package_of(source), set())
        edges.update(package_of(target) for target in targets)
    for package, edges in packages.items():
        edges.discard(package)
    return packages


# --------------------------------------------------------------------- the checks


def _shortest_cycle(graph: Mapping[str, Iterable[str]], group: set[str], start: str) -> list[str]:
    """A shortest loop from ``start`` back to itself inside ``group`` (breadth first)."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        targets = sorted(set(graph.get(node, ())) & group)
        if start in targets:
            path = []
            while node != start:
                path.append(node)
                node = came_from[node]
            return [start, *reversed(path), start]
        for target in targets:
            if target not in came_from:
                came_from[target] = node
                queue.append(target)
    raise AssertionError(f"{start} is in no loop of its group")  # Tarjan's groups are loops


def find_cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The import loops, each in order: [a, b, c, a] (a imports b, b imports c, ...).

    For each strongly connected group of nodes: the shortest loop through its first
    node (by name), then through the first node no loop shown yet passes, and so on,
    so that every node caught in a loop appears in one the message shows.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            connect(node)

    cycles = []
    for group in groups:
        covered: set[str] = set()
        for start in sorted(group):
            if start not in covered:
                cycle = _shortest_cycle(graph, group, start)
                covered.update(cycle)
                cycles.append(cycle)
    return sorted(cycles)


def layer_violations(
    packages: Mapping[str, Iterable[str]],
    layer_of: Callable[[str], int | None],
    siblings: Collection[tuple[str, str]],
    free_layer: int | None = None,
) -> list[str]:
    """Every package edge that does not point to a lower layer (nor is an allowed sibling)."""
    problems = []
    for source in sorted(packages):
        for target in sorted(packages[source]):
            high, low = layer_of(source), layer_of(target)
            if high is None or low is None:
                unknown = source if high is None else target
                problems.append(f"{source} -> {target}: {unknown} has no layer in LAYERS")
            elif high < low:
                problems.append(f"{source} -> {target}: points up (layer {high} -> {low})")
            elif high == low and high != free_layer and (source, target) not in siblings:
                problems.append(
                    f"{source} -> {target}: within layer {high}, not one of SIBLING_EDGES"
                )
    return problems


def foundation_violations(
    graph: Mapping[str, Iterable[str]], is_foundation: Callable[[str], bool]
) -> list[str]:
    """Every edge from a foundation module to a module outside the foundation."""
    return [
        f"{source} -> {target}"
        for source in sorted(graph)
        if is_foundation(source)
        for target in sorted(graph[source])
        if not is_foundation(target)
    ]


def salescore_layer(package: str) -> int | None:
    """The layer of a package of salescore (None if LAYERS does not place it)."""
    for layer, members in enumerate(LAYERS):
        if package in members:
            return layer
    if package.startswith("_") and not package.startswith("__"):
        return FREE_LAYER
    return None


def is_foundation(module: str) -> bool:
    """errors, the private bottom modules (not _version), _tables and the schema."""
    package = package_of(module)
    private = package.startswith("_") and not package.startswith("__")
    if module.count(".") == 1 and private:
        return package != "_version"
    return package in {"errors", "schema"}


@functools.cache
def salescore_modules() -> dict[str, Module]:
    """The modules of salescore's source tree."""
    return read_package(SRC)


@functools.cache
def salescore_graph() -> dict[str, set[str]]:
    """The module import graph of salescore."""
    return import_graph(salescore_modules())


def _lines(problems: Iterable[str]) -> str:
    return "".join(f"\n  {problem}" for problem in problems)


# ------------------------------------------------------------------ salescore's tree


def test_the_source_tree_is_found() -> None:
    graph = salescore_graph()
    assert {"salescore", "salescore.errors", "salescore.schema", "salescore.cli"} <= set(graph)
    assert "salescore.errors" in graph["salescore"]


def test_no_import_cycle_between_modules() -> None:
    cycles = find_cycles(salescore_graph())
    assert not cycles, "import cycles (each module imports the next):" + _lines(
        " -> ".join(cycle) for cycle in cycles
    )


def test_the_foundation_imports_only_the_foundation() -> None:
    graph = salescore_graph()
    assert {"salescore.errors", "salescore._arrays", "salescore._tables", "salescore.schema"} <= {
        module for module in graph if is_foundation(module)
    }
    problems = foundation_violations(graph, is_foundation)
    assert not problems, (
        "errors, _arrays (and the other private bottom modules), _tables and schema import "
        "nothing else from salescore; these do:" + _lines(problems)
    )


def test_version_imports_nothing() -> None:
    assert salescore_graph()["salescore._version"] == set()


def test_packages_import_downward_only() -> None:
    problems = layer_violations(
        package_graph(salescore_graph()), salescore_layer, SIBLING_EDGES, FREE_LAYER
    )
    assert not problems, "package imports against the layers (see this module's docstring):" + (
        _lines(problems)
    )


def test_no_import_cycle_between_packages() -> None:
    cycles = find_cycles(package_graph(salescore_graph()))
    assert not cycles, "package cycles:" + _lines(" -> ".join(cycle) for cycle in cycles)


def test_sibling_edges_are_in_one_layer() -> None:
    for source, target in SIBLING_EDGES:
        assert salescore_layer(source) == salescore_layer(target) is not None, (source, target)


def test_modules_are_short() -> None:
    modules = salescore_modules()
    long = {name: module.lines for name, module in modules.items() if module.lines > MAX_LINES}
    unexplained = {name: lines for name, lines in long.items() if name not in EXCEPTIONS}
    assert not unexplained, (
        f"modules over {MAX_LINES} lines: split them at a natural seam, or add them to "
        "EXCEPTIONS with the reason:" + _lines(f"{n}: {k}" for n, k in sorted(unexplained.items()))
    )
    stale = sorted(set(EXCEPTIONS) - set(long))
    assert not stale, "EXCEPTIONS no longer needed (short enough, or gone):" + _lines(stale)


def module_all(module: Module) -> list[str] | None:
    """The names of a module's ``__all__`` (a literal list or tuple of strings), or None."""
    for node in module.tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        else:
            continue
        if any(isinstance(target, ast.Name) and target.id == "__all__" for target in targets):
            value = node.value
            items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
            names = [
                item.value
                for item in items
                if isinstance(item, ast.Constant) and isinstance(item.value, str)
            ]
            if len(names) != len(items) or not isinstance(value, ast.List | ast.Tuple):
                raise AssertionError(f"{module.name}: __all__ is not a literal list of strings")
            return names
    return None


def _targets(node: ast.expr) -> Iterator[str]:
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, ast.Tuple | ast.List):
        for item in node.elts:
            yield from _targets(item)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)


def bound_names(body: Iterable[ast.stmt]) -> set[str]:
    """The names a module's top-level statements bind (also in if, try, with, for)."""
    names: set[str] = set()
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                names.update(_targets(target))
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            names.update(_targets(node.target))
        elif isinstance(node, ast.Import):
            names.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.If | ast.For | ast.While | ast.With | ast.Try):
            if isinstance(node, ast.For):
                names.update(_targets(node.target))
            if isinstance(node, ast.With):
                for item in node.items:
                    if item.optional_vars is not None:
                        names.update(_targets(item.optional_vars))
            for field in ("body", "orelse", "finalbody"):
                names |= bound_names(getattr(node, field, []))
            for handler in getattr(node, "handlers", []):
                names |= bound_names(handler.body)
    return names


def all_problems(modules: Mapping[str, Module]) -> list[str]:
    """Modules without ``__all__``, and names in an ``__all__`` that the module lacks."""
    problems = []
    for name, module in sorted(modules.items()):
        names = module_all(module)
        if names is None:
            problems.append(f"{name}: no __all__ (private modules: the names others import, or [])")
            continue
        # A package's __all__ may name its submodules: ``from package import *`` loads them.
        known = bound_names(module.tree.body) | (
            {child.rsplit(".", 1)[1] for child in modules if child.rpartition(".")[0] == name}
            if module.is_package
            else set()
        )
        missing = [n for n in names if n not in known]
        if missing:
            problems.append(f"{name}: __all__ names what the module does not define: {missing}")
        if len(set(names)) != len(names):
            problems.append(f"{name}: __all__ repeats a name")
    return problems


def test_every_module_has_all_and_its_names_exist() -> None:
    problems = all_problems(salescore_modules())
    assert not problems, "".join(_lines(problems))


# ------------------------------------------------------------ the checks can fail


def test_find_cycles_reports_each_loop_in_order() -> None:
    graph = {"a": {"b"}, "b": {"c", "d"}, "c": {"a"}, "d": set(), "e": {"e"}, "f": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c", "a"], ["e", "e"]]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
    # Two loops in one group: each node appears in a loop shown, shortest loops first.
    assert find_cycles({"a": {"b"}, "b": {"c", "a"}, "c": {"a"}}) == [
        ["a", "b", "a"],
        ["c", "a", "b", "c"],
    ]


def test_layer_checks_fail_on_an_upward_or_sideways_edge() -> None:
    layers = {"errors": 0, "schema": 1, "pipeline": 2, "team": 2, "cli": 3}
    packages = {
        "schema": {"errors", "team"},  # up
        "team": {"pipeline", "schema"},  # sideways, allowed below
        "pipeline": {"team"},  # sideways, not allowed
        "cli": {"pipeline", "plugins"},  # plugins has no layer
    }
    assert layer_violations(packages, layers.get, {("team", "pipeline")}) == [
        "cli -> plugins: plugins has no layer in LAYERS",
        "pipeline -> team: within layer 2, not one of SIBLING_EDGES",
        "schema -> team: points up (layer 1 -> 2)",
    ]
    assert layer_violations({"cli": {"team"}, "team": {"errors"}}, layers.get, ()) == []
    assert foundation_violations(packages, {"errors", "schema"}.__contains__) == ["schema -> team"]


def test_graph_reads_every_kind_of_import(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "from .a import x\n",
        "pkg/a.py": "x = 1\n",
        "pkg/b.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n"
            "    from pkg.sub.deep import y\n"
            "def f():\n"
            "    import pkg.c\n"
            "    from . import a\n"
        ),
        "pkg/c.py": "from pkg import x\nimport os\n",
        "pkg/sub/__init__.py": "",
        "pkg/sub/deep.py": "from .. import c\nfrom . import other\nfrom .other import z\n",
        "pkg/sub/other.py": "from ..sub import deep\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = import_graph(read_package(tmp_path / "pkg"))
    assert graph == {
        "pkg": {"pkg.a"},
        "pkg.a": set(),
        # deep's package pkg.sub runs too; the root pkg does not count.
        "pkg.b": {"pkg.sub.deep", "pkg.sub", "pkg.c", "pkg.a"},
        "pkg.c": {"pkg"},  # x is a name, not a module: an import of pkg
        "pkg.sub": set(),
        # A sibling through its own package is not an edge to that package.
        "pkg.sub.deep": {"pkg.c", "pkg.sub.other"},
        "pkg.sub.other": {"pkg.sub.deep"},
    }
    assert find_cycles(graph) == [["pkg.sub.deep", "pkg.sub.other", "pkg.sub.deep"]]


def test_all_check_fails_on_a_missing_all_or_name(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": '__all__ = ["sub", "x"]\nfrom .a import x\n',
        "pkg/a.py": "import math\nx = math.pi\n",
        "pkg/b.py": (
            '__all__: list[str] = ["y", "z", "y"]\n'
            "try:\n    import y\nexcept ImportError:\n    y = None\n"
        ),
        "pkg/sub.py": "__all__ = []\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert all_problems(read_package(tmp_path / "pkg")) == [
        "pkg.a: no __all__ (private modules: the names others import, or [])",
        "pkg.b: __all__ names what the module does not define: ['z']",
        "pkg.b: __all__ repeats a name",
    ]
