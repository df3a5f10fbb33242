"""SymPy to Unicode, for the terminal: ``σ′(z) ≥ 1/|w|``, ``w₁``, ``z*``.

- :func:`unicode_math` prints on one line (inline maths in running text). It shares the structure of
  the Typst printer (:class:`~gradmath.printing.typst.TypstPrinter`) and swaps its tokens.
- :func:`unicode_display` prints a displayed equation with SymPy's two-dimensional pretty printer,
  taught the gradmath symbol names (:mod:`gradmath.printing.names`), σ, σ′ and artanh.

Examples
--------
>>> import sympy as sp
>>> from gradmath.activations import sigma_prime
>>> w, z = sp.symbols("w z")
>>> unicode_math(sp.Ge(sigma_prime(z), 1 / sp.Abs(w)))
'σ′(z) ≥ 1/|w|'
>>> unicode_math(sp.Symbol("w_1") + sp.Symbol("z^*"))
'w₁ + z*'
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm

from . import names as nm
from .nodes import hand_ordered
from .numfmt import decimal
from .typst import TypstPrinter, float_dps

__all__ = ["UnicodePrinter", "unicode_math", "unicode_display", "unicode_name", "unicode_number",
           "subscript", "superscript"]  # fmt: skip

GREEK_LETTERS = dict(
    zip(
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma "
        "tau upsilon phi chi psi omega".split(),
        "αβγδεζηθικλμνξοπρστυφχψω",
        strict=True,
    )
)
GREEK_LETTERS.update(
    zip(
        "Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu Xi Omicron Pi Rho Sigma "
        "Tau Upsilon Phi Chi Psi Omega".split(),
        "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ",
        strict=True,
    )
)
_SUB = dict(
    zip("0123456789+-=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ", strict=True)
)
_SUP = dict(
    zip(
        "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡ",
        strict=True,
    )
)
_SPECIAL = {"pm": "±", "mp": "∓", "cdot": "·", "infty": "∞", "nabla": "∇", "partial": "∂", "ell": "ℓ",
            "star": "*"}  # fmt: skip
MINUS = "\u2212"
PRIME = "\u2032"


def _scripted(text: str, table: dict[str, str], mark: str) -> str:
    plain = text.replace(MINUS, "-").replace(" ", "")
    if plain and all(ch in table for ch in plain):
        return "".join(table[ch] for ch in plain)
    return f"{mark}({text})" if len(plain) > 1 else f"{mark}{text}"


def subscript(text: str) -> str:
    """``text`` in Unicode subscript characters where all exist, else ``_(text)``."""
    return _scripted(text, _SUB, "_")


def superscript(text: str) -> str:
    """``text`` in Unicode superscript characters where all exist, else ``^(text)``."""
    if text == "*":
        return "*"
    return _scripted(text, _SUP, "^")


def unicode_name(node: nm.Node) -> str:
    """A parsed symbol name as Unicode text."""
    if isinstance(node, nm.Word):
        return GREEK_LETTERS.get(node.text, node.text) + PRIME * node.primes
    if isinstance(node, nm.Number):
        return node.text
    if isinstance(node, nm.Special):
        return _SPECIAL[node.kind]
    if isinstance(node, nm.Op):
        return MINUS if node.char == "-" else node.char
    if isinstance(node, nm.Script):
        out = unicode_name(node.base)
        if node.sub is not None:
            out += subscript(unicode_name(node.sub))
        if node.sup is not None:
            out += superscript(unicode_name(node.sup))
        return out
    if isinstance(node, nm.Row):
        return " ".join(unicode_name(i) for i in node.items) if node.spaced else _join_row(node)
    if isinstance(node, nm.Delim):
        bar = "|" if node.kind == "abs" else "‖"
        return f"{bar}{unicode_name(node.inner)}{bar}"
    if isinstance(node, nm.Call):
        return f"{unicode_name(node.head)}({', '.join(unicode_name(a) for a in node.args)})"
    if isinstance(node, nm.Partial):
        return f"∂{unicode_name(node.num)}/∂{unicode_name(node.den)}"
    if isinstance(node, nm.Transpose):
        inner = unicode_name(node.inner)
        return f"({inner})ᵀ" if isinstance(node.inner, nm.Script) else inner + "ᵀ"
    raise TypeError(f"unknown name node {node!r}")


def _join_row(node: nm.Row) -> str:
    out = ""
    for item in node.items:
        s = unicode_name(item)
        if out and isinstance(item, nm.Op) and item.char in "+-=<>":
            s = f" {s} "
        elif out and isinstance(item, nm.Op) and item.char == ",":
            s = ", "
        out += s
    return out.replace("  ", " ")


def unicode_number(value: float, sig: int = 15) -> str:
    """A float with up to ``sig`` significant digits: ``1.5 × 10⁻³⁰``."""
    d = decimal(value, sig)
    mant = d.mantissa.replace("-", MINUS).replace("inf", "∞")
    if d.exponent is None:
        return mant
    exp = superscript(str(d.exponent))
    return f"10{exp}" if mant == "1" else f"{mant} × 10{exp}"


def _unwrap(s: str) -> str:
    """Drop parentheses around one atom (``(|w|)`` -> ``|w|``); keep them around sums and products."""
    if not (s.startswith("(") and s.endswith(")")):
        return s
    inner, depth = s[1:-1], 0
    for ch in inner:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if depth < 0 or (depth == 0 and ch in " +/·" + MINUS):
            return s
    return inner


class UnicodePrinter(TypstPrinter):
    """One-line Unicode maths (the Typst printer's structure with Unicode tokens)."""

    printmethod = "_unicode"
    symbols = {"==": "=", "<=": "≤", "<": "<", ">=": "≥", ">": ">", "!=": "≠", "approx": "≈",
               "pm": "±", "minus": MINUS, "infinity": "∞", "cross": "×", "true": "true",
               "false": "false", "nan": "NaN", "and": " and ", "or": " or ", "not": "not "}  # fmt: skip

    def name(self, node: nm.Node) -> str:
        return unicode_name(node)

    def number(self, value: float) -> str:
        return unicode_number(value, self._settings["float_digits"])

    def text(self, s: str) -> str:
        return str(s)

    def frac(self, top: str, bottom: str) -> str:
        return f"{_unwrap(top)}/{_unwrap(bottom)}"

    def power(self, base: str, exp: str) -> str:
        return base + superscript(exp)

    def sqrt(self, s: str) -> str:
        return f"√{s}" if s.isalnum() else f"√({s})"

    def root(self, n: str, s: str) -> str:
        return {"3": "∛", "4": "∜"}.get(n, f"{superscript(n)}√") + f"({s})"

    def abs(self, s: str) -> str:
        return f"|{s}|"

    def norm(self, s: str) -> str:
        return f"‖{s}‖"

    def exp(self, s: str) -> str:
        sup = superscript(s)
        return f"e{sup}" if not sup.startswith("^") else f"exp({s})"

    def operator(self, name: str) -> str:
        return name

    def times(self, left: str, right: str) -> str:
        if right[0].isdigit() or right.startswith(MINUS) or right.startswith("-"):
            return f"{left}·{right}"
        if (
            len(right) == 1
            and right.isalpha()
            and (len(left) == 1 or not left[-2].isalnum())
            and left[-1].isalpha()
        ):
            return f"{left}{right}"  # two single letters: "wa", as the book writes them
        return f"{left} {right}"

    def _print_Interval(self, expr) -> str:
        left = "(" if expr.left_open else "["
        right = ")" if expr.right_open else "]"
        return f"{left}{self._print(expr.start)}, {self._print(expr.end)}{right}"

    def _print_MatrixBase(self, expr) -> str:
        return "[" + "; ".join(", ".join(self._print(x) for x in expr.row(i)) for i in range(expr.rows)) + "]"

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase
    _print_Matrix = _print_MatrixBase

    def _print_Transpose(self, expr) -> str:
        s = self._print(expr.arg)
        return self.power(s if len(s) == 1 else f"({s})", "T")  # (wˡ⁺¹)ᵀ, not wˡ⁺¹ᵀ

    def _print_Derivative(self, expr) -> str:
        bottom = "".join(
            f"∂{self._print(v)}" + (superscript(str(c)) if c > 1 else "") for v, c in expr.variable_count
        )
        return f"∂/{bottom} {self.parens(expr.expr, 50)}"

    def _print_Integral(self, expr) -> str:
        return f"∫ {self._print(expr.function)} d{self._print(expr.limits[0][0])}"

    def _big_operator(self, expr, op: str) -> str:
        sign = {"sum": "∑", "product": "∏"}[op]
        var, lo, hi = expr.limits[0]
        return (
            f"{sign}_({self._print(var)}={self._print(lo)}..{self._print(hi)}) {self._print(expr.function)}"
        )

    def _print_Piecewise(self, expr) -> str:
        parts = [f"{self._print(e)} if {self._print(c)}" if c is not sp.true else f"{self._print(e)} otherwise"
                 for e, c in expr.args]  # fmt: skip
        return "{" + "; ".join(parts) + "}"


class UnicodePrettyPrinter(PrettyPrinter):
    """SymPy's two-dimensional pretty printer with the gradmath names and functions."""

    printmethod = "_pretty_gradmath"

    def _print_Symbol(self, e, bold_name=False):
        return prettyForm(unicode_name(nm.parse_name(e.name)))

    _print_Dummy = _print_Symbol

    def _print_sigma(self, e):
        return self._print_Function(e, func_name="σ")

    def _print_sigma_prime(self, e):
        return self._print_Function(e, func_name="σ" + PRIME)

    def _print_atanh(self, e):
        return self._print_Function(e, func_name="artanh")

    def _print_log(self, e):
        return self._print_Function(e, func_name="ln")

    def _print_Function(self, e, sort=False, func_name=None, left="(", right=")"):
        fname = func_name or e.func.__name__
        if func_name is None and fname.endswith("_prime") and len(fname) > 6:
            fname = unicode_name(nm.parse_name(fname[:-6] + "'"))
        elif func_name is None and fname == "norm":
            return self._print_Function(e, func_name="", left="‖", right="‖")
        elif func_name is None and fname == "E":
            return self._print_Function(e, func_name="E", left="[", right="]")
        elif func_name is None:
            fname = unicode_name(nm.parse_name(fname))
        return super()._print_Function(e, sort=sort, func_name=fname, left=left, right=right)

    def _print_Float(self, e):
        return prettyForm(unicode_number(float(e), min(15, float_dps(e))))

    def _print_Transpose(self, expr):
        if isinstance(expr.arg, sp.MatrixSymbol):  # on one line, as inline: (wˡ⁺¹)ᵀ, not a raised T
            return prettyForm(unicode_math(expr))
        return super()._print_Transpose(expr)

    def _print_Mul(self, product):
        if hand_ordered(product):
            old = self.order
            self._settings["order"] = "none"
            try:
                return super()._print_Mul(product)
            finally:
                self._settings["order"] = old
        return super()._print_Mul(product)

    def _print_Add(self, expr, order=None):
        return super()._print_Add(expr, order="none" if hand_ordered(expr) else order)

    def _print_Approx(self, e):
        return prettyForm(*self._print(e.lhs).right(" ≈ ", self._print(e.rhs)))

    def _print_PlusMinus(self, e):
        return prettyForm(*self._print(e.args[0]).right(" ± ", self._print(e.args[1])))


_INLINE: UnicodePrinter | None = None


def unicode_math(expr, **settings) -> str:
    """One-line Unicode for a SymPy expression."""
    global _INLINE
    if settings:
        return UnicodePrinter(settings).doprint(expr)
    if _INLINE is None:
        _INLINE = UnicodePrinter()
    return _INLINE.doprint(expr)


def unicode_display(expr, width: int = 100) -> str:
    """A displayed equation: SymPy's pretty printer (several lines where fractions need them)."""
    printer = UnicodePrettyPrinter({"use_unicode": True, "wrap_line": True, "num_columns": width})
    return printer.doprint(expr)
