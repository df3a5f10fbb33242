"""The documentation's code runs: the contract example of docs/ARCHITECTURE.md registers and solves."""

from __future__ import annotations

import re
from pathlib import Path

import sympy

from gradmath import registry

ROOT = Path(__file__).resolve().parent.parent


def test_architecture_example_registers_and_solves():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    exec(compile(code, "ARCHITECTURE.md", "exec"), {})  # noqa: S102 - our own documentation
    try:
        sol = registry.solve("quarter-bound")
        assert sol.answer == {"max": sympy.Rational(1, 4)}
        assert sol.passed and sol.verdict.value == "confirmed"
        assert "σ′(0) = 1/4" in sol.to_unicode()
        assert "$\\sigma'" in sol._repr_markdown_()
    finally:
        registry._CLASSES.pop("quarter-bound", None)
