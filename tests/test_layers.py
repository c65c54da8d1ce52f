"""The layers of the package point down only: every import of every module is read with `ast`
(nothing is imported, so a module that fails to import is still checked).

    app.py, views/   →  cchc.web  →  cchc.services  →  cchc.files, cchc.db  →  cchc.core
                        cchc.cli  →  cchc.services

Streamlit lives in cchc.web, app.py and views/ only; no module takes another module's private
(underscored) names; the top of cchc/ stays a handful of modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STREAMLIT = ("streamlit", "streamlit_authenticator", "extra_streamlit_components")
# A layer and the only cchc packages it may import (itself included).
ONLY = {
    "cchc.core": ("cchc.core", "cchc.config"),
    "cchc.files": ("cchc.files", "cchc.core", "cchc.config"),
    "cchc.db": ("cchc.db", "cchc.core", "cchc.config"),
}
# A layer and the cchc packages it must never import.
NEVER = {
    "cchc.services": ("cchc.web", "cchc.cli"),
    "cchc.cli": ("cchc.web",),
}
MAX_TOP_MODULES = 8


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _module_name(path: Path) -> str:
    """cchc/files/qr.py → cchc.files.qr; app.py → app; views/ket-qua.py → views.ket-qua."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    """A cchc module (a .py file or a package) by that dotted name."""
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports(module: str, tree: ast.AST, is_package: bool):
    """(line, imported module, [(name, local name)] taken from it, or None for a plain import)
    for every import in the tree; a relative import is resolved against `module`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join(package + ([node.module] if node.module else []))
            yield node.lineno, base, [(a.name, a.asname or a.name) for a in node.names]


def _local_modules(tree: ast.AST, imports) -> set[str]:
    """The local names that stand for a cchc module (`import cchc.x.y as m`, `from cchc.x import y`)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.asname for a in node.names if a.asname and _is_module(a.name)}
    for _, target, taken in imports:
        names |= {local for name, local in taken or [] if _is_module(f"{target}.{name}")}
    return names


def violations(module: str, source: str, is_package: bool = False) -> list[str]:
    """Every import in `source` (the text of `module`) that breaks a rule of the layers."""
    tree = ast.parse(source)
    imports = list(_imports(module, tree, is_package))
    web_side = _under(module, "cchc.web") or module == "app" or _under(module, "views")
    found = []
    for line, target, taken in imports:
        where = f"{module}:{line}"
        names = [name for name, _ in taken or []]
        # `from cchc import config` imports cchc.config; `from cchc.core.text import nfc`, cchc.core.text
        imported = {f"{target}.{n}" if _is_module(f"{target}.{n}") else target for n in names} or {target}
        for t in sorted(imported):
            for layer, allowed in ONLY.items():
                if _under(module, layer) and _under(t, "cchc") and not any(_under(t, a) for a in allowed):
                    found.append(f"{where}: {layer} imports {t} (only {', '.join(allowed)})")
            found += [f"{where}: {layer} imports {b}" for layer, banned in NEVER.items() for b in banned
                      if _under(module, layer) and _under(t, b)]
        if not web_side and any(_under(target, s) for s in STREAMLIT):
            found.append(f"{where}: {target} imported outside cchc.web, app.py and views/")
        found += [f"{where}: takes the private name {n} from {target}" for n in names if _private(n)]
    modules = _local_modules(tree, imports)
    found += [f"{module}:{node.lineno}: uses the private name {node.attr} of {node.value.id}"
              for node in ast.walk(tree)
              if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id in modules and _private(node.attr)]
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _sources() -> list[Path]:
    return sorted([*(ROOT / "cchc").rglob("*.py"), ROOT / "app.py", *(ROOT / "views").glob("*.py")])


def test_every_module_of_the_app_keeps_to_its_layer():
    found = []
    for path in _sources():
        found += violations(_module_name(path), path.read_text(encoding="utf-8"), path.name == "__init__.py")
    assert found == [], "\n".join(found)


def test_the_top_of_the_package_keeps_only_a_few_modules():
    top = sorted(p.name for p in (ROOT / "cchc").glob("*.py"))
    assert len(top) <= MAX_TOP_MODULES, top


# The check itself can fail: each source below breaks one rule, and is caught.
@pytest.mark.parametrize("module, source, expected", [
    ("cchc.core.criteria", "from cchc.services import units", "cchc.core imports cchc.services"),
    ("cchc.core.text", "import cchc.db.storage", "cchc.core imports cchc.db.storage"),
    ("cchc.files.qr", "from cchc.db.storage import Storage", "cchc.files imports cchc.db.storage"),
    ("cchc.files.qr", "from ..db import storage", "cchc.files imports cchc.db"),
    ("cchc.db.storage", "from cchc.services.common import now", "cchc.db imports cchc.services.common"),
    ("cchc.services.units", "from cchc.web import dashboard", "cchc.services imports cchc.web"),
    ("cchc.services.units", "from cchc import cli", "cchc.services imports cchc.cli"),
    ("cchc.cli.main", "def f():\n    from cchc.web.charts import bar", "cchc.cli imports cchc.web"),
    ("cchc.services.units", "import streamlit as st", "streamlit imported outside"),
    ("cchc.core.text", "from streamlit_authenticator import Authenticate", "streamlit_authenticator imported outside"),
    ("cchc.files.qr", "import extra_streamlit_components as stx", "extra_streamlit_components imported outside"),
    ("cchc.web.council", "from cchc.services.appraisal import _leaf", "private name _leaf"),
    ("views.tham-dinh", "from cchc.services import appraisal as svc\nsvc._leaf(cs, '1.1')", "private name _leaf of svc"),
])
def test_a_broken_rule_is_caught(module, source, expected):
    found = violations(module, source)
    assert any(expected in v for v in found), found


@pytest.mark.parametrize("module, source", [
    ("cchc.core.criteria", "from cchc.core.text import nfc\nfrom cchc import config"),
    ("cchc.files.qr", "from cchc.files.workbook import write\nfrom cchc.core.text import fmt_date"),
    ("cchc.services.units", "from cchc.db.storage import Storage\nfrom cchc.files import evidence"),
    ("cchc.web.council", "import streamlit as st\nfrom cchc.services import council as svc"),
    ("app", "import streamlit as st\nfrom cchc.web import dashboard"),
    ("cchc.web.council", "from dataclasses import __version__\nimport os\nos._exit"),
])
def test_imports_that_point_down_pass(module, source):
    assert violations(module, source) == []
