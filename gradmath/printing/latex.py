"""SymPy to LaTeX for Markdown cells (Jupyter): SymPy's own printer taught the gradmath names.

Examples
--------
>>> import sympy as sp
>>> from gradmath.activations import sigma_prime
>>> latex_math(sp.Ge(sigma_prime(sp.Symbol("z_1")), 1 / sp.Symbol("|w|")))
"\\\\sigma'(z_{1}) \\\\geq \\\\frac{1}{|w|}"
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter

from . import names as nm
from .nodes import hand_ordered
from .numfmt import decimal
from .typst import float_dps

__all__ = ["GradmathLatexPrinter", "latex_math", "latex_name", "latex_number"]

_SPECIAL = {"pm": r"\pm", "mp": r"\mp", "cdot": r"\cdot", "infty": r"\infty", "nabla": r"\nabla",
            "partial": r"\partial", "ell": r"\ell", "star": "*"}  # fmt: skip
_LATEX_OPS = {"sin", "cos", "tan", "cot", "sinh", "cosh", "tanh", "coth", "exp", "log", "ln", "det", "max",
              "min", "sup", "inf", "lim", "dim", "ker", "deg", "arctan"}  # fmt: skip


def latex_name(node: nm.Node) -> str:
    """A parsed symbol name as LaTeX."""
    if isinstance(node, nm.Word):
        primes = "'" * node.primes
        if node.is_greek:
            return "\\" + node.text + primes
        if len(node.text) == 1:
            return node.text + primes
        if node.text in _LATEX_OPS:
            return "\\" + node.text + primes
        if node.is_operator:
            return r"\operatorname{" + node.text + "}" + primes
        return r"\mathrm{" + node.text + "}" + primes
    if isinstance(node, nm.Number):
        return node.text
    if isinstance(node, nm.Special):
        return _SPECIAL[node.kind]
    if isinstance(node, nm.Op):
        return {"[": "[", "]": "]", "|": "|"}.get(node.char, node.char)
    if isinstance(node, nm.Script):
        out = latex_name(node.base)
        if node.sub is not None:
            out += "_{" + latex_name(node.sub) + "}"
        if node.sup is not None:
            out += "^{" + latex_name(node.sup) + "}"
        return out
    if isinstance(node, nm.Row):
        return (r"\, " if node.spaced else " ").join(latex_name(i) for i in node.items)
    if isinstance(node, nm.Delim):
        if node.kind == "abs":
            return "|" + latex_name(node.inner) + "|"
        return r"\lVert " + latex_name(node.inner) + r" \rVert"
    if isinstance(node, nm.Call):
        return latex_name(node.head) + "(" + ", ".join(latex_name(a) for a in node.args) + ")"
    if isinstance(node, nm.Partial):
        return r"\frac{\partial " + latex_name(node.num) + r"}{\partial " + latex_name(node.den) + "}"
    if isinstance(node, nm.Transpose):
        inner = latex_name(node.inner)
        inner = "(" + inner + ")" if isinstance(node.inner, nm.Script) else inner
        return inner + r"^{\mathsf{T}}"
    raise TypeError(f"unknown name node {node!r}")


def latex_number(value: float, sig: int = 15) -> str:
    d = decimal(value, sig)
    if d.mantissa in ("inf", "-inf"):
        return d.mantissa.replace("inf", r"\infty")
    if d.exponent is None:
        return d.mantissa
    if d.mantissa == "1":
        return f"10^{{{d.exponent}}}"
    return f"{d.mantissa} \\times 10^{{{d.exponent}}}"


class GradmathLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the gradmath symbol names, σ, σ′, artanh, ≈ and ±."""

    printmethod = "_latex_gradmath"

    def _print_Symbol(self, expr, style="plain"):
        return latex_name(nm.parse_name(expr.name))

    _print_Dummy = _print_Symbol

    def _print_sigma(self, expr, exp=None):
        return self._fn(r"\sigma", expr, exp)

    def _print_sigma_prime(self, expr, exp=None):
        return self._fn(r"\sigma'", expr, exp)

    def _print_atanh(self, expr, exp=None):
        return self._fn(r"\operatorname{artanh}", expr, exp)

    def _print_log(self, expr, exp=None):
        return self._fn(r"\ln", expr, exp)

    def _fn(self, head: str, expr, exp=None) -> str:
        args = ", ".join(self._print(a) for a in expr.args)
        head = head if exp is None else f"{head}^{{{exp}}}"
        if any(tall in args for tall in (r"\frac", r"\sqrt", r"\left", r"\sum", r"\prod")):
            return rf"{head}\left({args}\right)"  # parentheses as tall as what they hold
        return f"{head}({args})"

    def _print_Function(self, expr, exp=None):
        fname = expr.func.__name__
        if fname == "norm":
            return r"\left\lVert " + self._print(expr.args[0]) + r" \right\rVert"
        if fname == "E":
            return r"\mathbb{E}\left[" + ", ".join(self._print(a) for a in expr.args) + r"\right]"
        if fname.endswith("_prime") and len(fname) > 6:
            return self._fn(latex_name(nm.parse_name(fname[:-6] + "'")), expr, exp)
        if (type(expr).__module__ or "").startswith("sympy.functions"):  # undefined functions: None
            return super()._print_Function(expr, exp)
        return self._fn(latex_name(nm.parse_name(fname)), expr, exp)

    def _print_Float(self, expr):
        return latex_number(float(expr), min(15, float_dps(expr)))

    def _print_NumberSymbol(self, expr):  # π, γ, ∞, ...: the renamed printmethod skips their own _latex
        return expr._latex(self)

    _print_Infinity = _print_NegativeInfinity = _print_NumberSymbol

    def _print_Mul(self, expr):
        if hand_ordered(expr):
            old = self.order
            self._settings["order"] = "none"
            try:
                return super()._print_Mul(expr)
            finally:
                self._settings["order"] = old
        return super()._print_Mul(expr)

    def _print_Add(self, expr, order=None):
        return super()._print_Add(expr, order="none" if hand_ordered(expr) else order)

    def _print_Approx(self, expr):
        return rf"{self._print(expr.lhs)} \approx {self._print(expr.rhs)}"

    def _print_PlusMinus(self, expr):
        return rf"{self._print(expr.args[0])} \pm {self._print(expr.args[1])}"


_PRINTER: GradmathLatexPrinter | None = None


def latex_math(expr, **settings) -> str:
    """LaTeX for a SymPy expression, in the gradmath notation."""
    global _PRINTER
    if settings:
        return GradmathLatexPrinter(settings).doprint(expr)
    if _PRINTER is None:
        _PRINTER = GradmathLatexPrinter()
    return _PRINTER.doprint(sp.sympify(expr) if isinstance(expr, (int, float)) else expr)
