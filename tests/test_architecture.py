"""The architecture's rules, measured on the source (issue 7): short functions and modules, no borrowed
private names, each problem id in exactly one module, and every solution renders in every medium."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import gradmath
from gradmath.registry import problem_class

PACKAGE = Path(gradmath.__file__).parent
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 600


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def test_no_function_longer_than_80_lines():
    long = []
    for path in MODULES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1  # the docstring counts
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.name} ({n} lines)")
    assert not long, long


def test_no_module_longer_than_600_lines():
    long = [
        f"{p.relative_to(PACKAGE)} ({n})"
        for p in MODULES
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert not long, long


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(module: str, level: int, current: str, is_package: bool) -> str:
    if level == 0:
        return module or ""
    base = current.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def test_no_private_name_is_used_outside_its_module():
    offences = []
    for path in MODULES:
        tree = _tree(path)
        current = _module_name(path)
        aliases: dict[str, str] = {}  # local name -> gradmath module it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                target = _resolve(node.module or "", node.level, current, path.name == "__init__.py")
                if not target.startswith("gradmath"):
                    continue
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        offences.append(f"{current} imports {target}.{alias.name}")
                    aliases[alias.asname or alias.name] = f"{target}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("gradmath"):
                        aliases[alias.asname or alias.name.split(".")[0]] = alias.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
            ):
                offences.append(f"{current} uses {aliases[node.value.id]}.{node.attr}")
    assert not offences, offences


def _code_lines(text: str) -> str:
    """The module without its doctest examples (``>>> solve("...")`` is usage, not a definition)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">>>"))


def test_each_problem_id_is_written_in_exactly_one_module():
    sources = {p: _code_lines(p.read_text(encoding="utf-8")) for p in MODULES}
    for pid in gradmath.PROBLEMS:
        where = [
            str(p.relative_to(PACKAGE))
            for p, text in sources.items()
            if re.search(rf"(?<!Ref\()[\"']{re.escape(pid)}[\"']", text)  # a Ref is a use, not a definition
        ]
        assert len(where) == 1, (pid, where)
        assert where[0] == str(
            Path(problem_class(pid).__module__.replace(".", "/") + ".py").relative_to("gradmath")
        )


def test_the_contract_does_not_import_solvers():
    for name in ("contract.py", "text.py", "registry.py"):
        tree = _tree(PACKAGE / name)
        imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not any("solvers" in m for m in imported), (name, imported)


# --- every solution, rendered every way (quick runs, solved once) ---------------------------------------

ASCII_MATHS = re.compile(
    r">=|<=|sigma'|sigma_|\bsqrt\(|\b[A-Za-z]_[A-Za-z0-9]\b|\*\*|\^|\batanh\(|\bdC/db|Eq\(|Abs\(|sigma_prime\("
)


@pytest.fixture(scope="module")
def solutions(quick_solution):
    return {pid: quick_solution(pid) for pid in gradmath.PROBLEMS}


def test_every_solution_renders_as_markdown_with_maths(solutions):
    for pid, sol in solutions.items():
        md = sol._repr_markdown_()
        assert md.startswith("### ") and "$" in md, pid
        assert "**Answer.**" in md and "**Checks**" in md and sol.verdict.value in md, pid
        # π, γ, ∞ print as maths, not as their SymPy names (a piecewise function's words are text)
        assert not re.search(r"\\text\{(?!for\}|otherwise\})", md), pid


def test_terminal_rendering_has_no_ascii_maths(solutions):
    for pid, sol in solutions.items():
        text = sol.to_unicode()
        hits = ASCII_MATHS.findall(text)
        assert not hits, (pid, hits[:10])


def test_every_solution_is_complete(solutions):
    for pid, sol in solutions.items():
        assert sol.answer_text and sol.statement and sol.steps, pid
        assert sol.findings, pid
        assert sol.checks and sol.passed, (pid, [c.claim.plain() for c in sol.failed_checks])
        assert sol.verdict_reason, pid


def test_no_derivation_step_repeats_a_result_table(solutions):
    from gradmath.contract import Table

    for pid, sol in solutions.items():
        results = [a.value.rows for a in sol.answer_lines if isinstance(a.value, Table)]
        repeats = [i for i, st in enumerate(sol.steps) if st.table is not None and st.table.rows in results]
        assert not repeats, (pid, repeats)


def test_no_figure_is_named_like_a_problem(solutions):
    """A Ref to a problem id must find its section, not a figure that happens to share the name."""
    clashes = [(pid, f.name) for pid, sol in solutions.items() for f in sol.figures if f.name in solutions]
    assert not clashes
