"""The package's layout is its architecture: stages import only the shared contract, nothing imports in a circle,
and the service never loads evaluation code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import news_ingest

PACKAGE = Path(news_ingest.__file__).parent
STAGES = ("normalise", "deduplicate", "tag")
CONTRACT = {"models", "errors", "config", "places"}  # what every stage may lean on


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path) for path in PACKAGE.rglob("*.py")}


def top_level_imports(path: Path) -> set[str]:
    """The news_ingest modules ``path`` imports when it is loaded (imports inside functions are left out):
    ``from news_ingest.tag import entities`` imports the module ``entities``, ``from news_ingest.tag import
    Tagger`` the package's face."""
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("news_ingest"):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("news_ingest"))
    return found


GRAPH = {module_name(path): top_level_imports(path) for path in PACKAGE.rglob("*.py")}


def test_a_stage_imports_only_itself_and_the_shared_contract() -> None:
    for module, imports in GRAPH.items():
        parts = module.split(".")
        if len(parts) < 3 or parts[1] not in STAGES:
            continue
        for imported in imports & MODULES:
            target = imported.split(".")
            allowed = target[1] == parts[1] or (len(target) == 2 and target[1] in CONTRACT) or imported == "news_ingest"
            assert allowed, f"{module} imports {imported}: a stage leans on its own package and the contract only"


def test_no_module_imports_in_a_circle() -> None:
    edges = {module: {i for i in imports if i in MODULES and i != module} for module, imports in GRAPH.items()}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError(f"import cycle: {' -> '.join([*path[path.index(module) :], module])}")
        if module in done:
            return
        for imported in sorted(edges[module]):
            visit(imported, [*path, module])
        done.add(module)

    for module in sorted(edges):
        visit(module, [])


def test_running_the_service_never_loads_evaluation_code() -> None:
    probe = ("import sys, news_ingest.app, news_ingest.cli; "
             "print(sorted(m for m in sys.modules if m.startswith('news_ingest.evaluation')))")  # fmt: skip
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "[]"


def test_the_error_tree_in_the_docstring_names_every_error() -> None:
    from news_ingest import errors  # noqa: PLC0415

    drawn = errors.__doc__ or ""
    defined = {name for name, value in vars(errors).items()
               if isinstance(value, type) and issubclass(value, errors.NewsIngestError)}  # fmt: skip
    for name in defined:
        assert name in drawn, f"{name} is missing from the error tree in errors.py"
