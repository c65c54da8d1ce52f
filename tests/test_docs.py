"""The docs name every setting, command, address, permission and audit action the code has.

Each list is discovered from the code (a regular expression over the sources, the argparse parser
built in-process, the navigation and permission tables, the audit calls found with `ast`), so a
new name without a line in docs/ or README.md turns this red. A name counts only where the docs
show it as code (`…` or a fenced block): a word in running text proves nothing.
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pytest

from cchc.cli.main import build_parser
from cchc.core.navigation import LOGIN, PAGES
from cchc.core.permissions import ACTIONS

ROOT = Path(__file__).resolve().parent.parent
ENV_RE = re.compile(r"\bCCHC_[A-Z_]+\b")


# ------------------------------------------------------------------ what the docs show as code


def code_text(markdown: str) -> str:
    """Every fenced block and inline code span of a markdown text, one per line."""
    fence = r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```"        # fences may be indented inside a list
    fenced = re.findall(fence, markdown, flags=re.S | re.M)
    rest = re.sub(fence, "", markdown, flags=re.S | re.M)
    return "\n".join(fenced + re.findall(r"`([^`\n]+)`", rest))


def docs_code() -> str:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return "\n".join(code_text(f.read_text(encoding="utf-8")) for f in files)


def shown(pattern: str, code: str) -> bool:
    """`pattern` (a regular expression) occurs in the code text as a whole token."""
    return re.search(rf"(?<![\w.\-/]){pattern}(?![\w\-])", code) is not None


def missing(names: dict[str, str], code: str) -> list[str]:
    """The names (name → its pattern) that the code text does not show."""
    return sorted(name for name, pattern in names.items() if not shown(pattern, code))


# ------------------------------------------------------------------ what the code has


def sources() -> list[Path]:
    """Where settings are read: the package, the entry points, the pages, the tests' fixtures, CI."""
    py = [*sorted((ROOT / "cchc").rglob("*.py")), ROOT / "app.py", *sorted((ROOT / "views").glob("*.py")),
          *sorted(p for p in (ROOT / "tests").glob("*.py") if p.name != Path(__file__).name)]
    return py + [p for p in (ROOT / ".ci" / "run",) if p.exists()]


def env_vars() -> dict[str, str]:
    found = {m for path in sources() for m in ENV_RE.findall(path.read_text(encoding="utf-8"))}
    return {name: re.escape(name) for name in found}


def cli_commands(parser: argparse.ArgumentParser | None = None, prefix: tuple[str, ...] = ()) -> dict[str, str]:
    """Every leaf command path of the parser (`results export`, `survey codes`, `init`…)."""
    parser = parser or build_parser()
    found: dict[str, str] = {}
    for action in parser._actions:                      # argparse keeps its subparsers only here
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found |= cli_commands(sub, prefix + (name,))
    if not found and prefix:
        path = " ".join(prefix)
        found[path] = r"cchc\s+" + r"\s+".join(map(re.escape, prefix))
    return found


def page_addresses() -> dict[str, str]:
    return {f"/{p.url_path}": "/" + re.escape(p.url_path) for p in (*PAGES, LOGIN)}


def permission_actions() -> dict[str, str]:
    return {name: re.escape(name) for name in ACTIONS}


# An audit action is the second argument (or `action=`) of `tx.audit(...)` / `tx.audit_many(...)`.
# It may be a literal, a choice of literals, an f-string (its holes match any word), or a parameter
# of the enclosing function: then every call of that function, anywhere, says what it passes.


def _functions(trees: dict[str, ast.Module]) -> dict[str, list[ast.FunctionDef]]:
    by_name: dict[str, list[ast.FunctionDef]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                by_name.setdefault(node.name, []).append(node)
    return by_name


def _calls_of(trees: dict[str, ast.Module], name: str) -> list[ast.Call]:
    def callee(call: ast.Call) -> str | None:
        f = call.func
        return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
    return [n for t in trees.values() for n in ast.walk(t) if isinstance(n, ast.Call) and callee(n) == name]


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[position] if len(call.args) > position else None


def _enclosing(tree: ast.Module, target: ast.AST) -> ast.FunctionDef | None:
    best = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(n is target for n in ast.walk(node)):
            if best is None or node.lineno >= best.lineno:
                best = node
    return best


def _patterns(expr: ast.expr, tree: ast.Module, trees: dict[str, ast.Module], where: str, depth: int = 0) -> dict[str, str]:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value: re.escape(expr.value)}
    if isinstance(expr, ast.IfExp):
        return _patterns(expr.body, tree, trees, where, depth) | _patterns(expr.orelse, tree, trees, where, depth)
    if isinstance(expr, ast.JoinedStr):
        parts = [re.escape(v.value) if isinstance(v, ast.Constant) else r"\w+" for v in expr.values]
        text = "".join(v.value if isinstance(v, ast.Constant) else "{…}" for v in expr.values)
        return {text: "".join(parts)}
    if isinstance(expr, ast.Name) and depth < 3:
        func = _enclosing(tree, expr)
        params = [a.arg for a in (*func.args.posonlyargs, *func.args.args)] if func else []
        if expr.id in params or (func and expr.id in [a.arg for a in func.args.kwonlyargs]):
            position = params.index(expr.id) if expr.id in params else 10**6
            found: dict[str, str] = {}
            for call in _calls_of(trees, func.name):
                arg = _argument(call, position, expr.id)
                if arg is not None:
                    caller = next(t for t in trees.values() if any(n is call for n in ast.walk(t)))
                    found |= _patterns(arg, caller, trees, where, depth + 1)
            if found:
                return found
    raise AssertionError(f"{where}: cannot tell which audit action {ast.unparse(expr)!r} is; "
                         "pass a literal, or a parameter its callers fill with literals")


def audit_actions(trees: dict[str, ast.Module] | None = None) -> dict[str, str]:
    if trees is None:
        trees = {str(p.relative_to(ROOT)): ast.parse(p.read_text(encoding="utf-8"))
                 for p in sorted((ROOT / "cchc").rglob("*.py"))}
    found: dict[str, str] = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("audit", "audit_many")):
                arg = _argument(node, 1, "action")
                if arg is not None:
                    found |= _patterns(arg, tree, trees, f"{path}:{node.lineno}")
    return found


# ------------------------------------------------------------------ the checks

KINDS = {
    "environment variable": env_vars,
    "command": cli_commands,
    "page address": page_addresses,
    "permission action": permission_actions,
    "audit action": audit_actions,
}


@pytest.mark.parametrize("kind", KINDS)
def test_docs_name_every(kind: str) -> None:
    names = KINDS[kind]()
    assert len(names) >= 5, f"found only {sorted(names)}: the discovery of {kind}s is broken"
    gaps = missing(names, docs_code())
    assert not gaps, f"{kind}s not shown as code in docs/ or README.md: {gaps}"


def test_discovery_sees_what_the_code_has() -> None:
    assert {"CCHC_DB", "CCHC_TODAY"} <= set(env_vars())
    assert {"init", "user add", "results export", "survey codes", "backup", "restore"} <= set(cli_commands())
    assert {"/khao-sat", "/dieu-tra", "/ket-qua", "/dang-nhap"} <= set(page_addresses())


SYNTHETIC = '''
def save(tx, action):
    tx.audit("me", action, "score", "k")

def work(tx, kind, ok):
    save(tx, "leaf.save")
    save(tx, action="leaf.keep")
    tx.audit("me", "x.on" if ok else "x.off", "e", "k")
    tx.audit_many("me", f"evidence.drop_{kind}", "e", [])
'''


def test_audit_discovery_follows_parameters_choices_and_fstrings() -> None:
    names = audit_actions({"synthetic.py": ast.parse(SYNTHETIC)})
    assert set(names) == {"leaf.save", "leaf.keep", "x.on", "x.off", "evidence.drop_{…}"}
    assert missing(names, "`evidence.drop_file` `leaf.save` `leaf.keep` `x.on`") == ["x.off"]


def test_audit_discovery_refuses_what_it_cannot_read() -> None:
    with pytest.raises(AssertionError, match="cannot tell"):
        audit_actions({"synthetic.py": ast.parse("def f(tx):\n    tx.audit('me', ACTION, 'e', 'k')\n")})


def test_the_check_can_fail() -> None:
    """A name in prose only, or only as part of a longer name, is missing; shown as code it is not."""
    docs = code_text("Đặt CCHC_NEW_SETTING rồi chạy.\n\n`CCHC_DB_EXTRA` và `/ket-qua-cu`\n"
                     "- ví dụ:\n\n  ```bash\n  python -m cchc results export --period 2022\n  ```\n")
    names = {"CCHC_NEW_SETTING": "CCHC_NEW_SETTING", "CCHC_DB": "CCHC_DB", "/ket-qua": "/ket\\-qua",
             **cli_commands_for(["results", "export"]), **cli_commands_for(["survey", "codes"])}
    assert missing(names, docs) == ["/ket-qua", "CCHC_DB", "CCHC_NEW_SETTING", "survey codes"]


OUTSIDE_NOTES = re.compile(r"\b(?:DOMAIN|DESIGN)\.md\b")


def test_the_repository_cites_only_itself() -> None:
    """Comments and data cite docs/…, never notes that are not in the repository."""
    roots = ["cchc", "views", "data", "docs", "bench", "app.py", "README.md", "GLOSSARY.md", ".ci"]
    files = [p for r in roots for p in ([ROOT / r] if (ROOT / r).is_file() else (ROOT / r).rglob("*"))
             if p.is_file() and p.suffix in (".py", ".sql", ".yaml", ".md", ".toml", "")]
    files += [p for p in (ROOT / "tests").glob("*.py") if p.name != Path(__file__).name]
    cited = [f"{p.relative_to(ROOT)}:{n}" for p in files
             for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             if OUTSIDE_NOTES.search(line)]
    assert not cited, f"these lines cite notes outside the repository; cite docs/ instead: {cited}"


def test_links_between_docs_lead_somewhere() -> None:
    files = [ROOT / "README.md", ROOT / "GLOSSARY.md", ROOT / "bench" / "README.md", *(ROOT / "docs").rglob("*.md")]
    broken = [f"{f.relative_to(ROOT)} → {target}" for f in files if f.exists()
              for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", f.read_text(encoding="utf-8"))
              if not target.startswith(("http://", "https://", "mailto:")) and not (f.parent / target).exists()]
    assert not broken, f"links to files that do not exist: {broken}"


def cli_commands_for(path: list[str]) -> dict[str, str]:
    """The pattern cli_commands gives a command path, built from a parser of just that path."""
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    for i, word in enumerate(path):
        p = sub.add_parser(word)
        if i < len(path) - 1:
            sub = p.add_subparsers()
    return cli_commands(parser)
