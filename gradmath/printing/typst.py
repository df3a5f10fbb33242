"""A SymPy-to-Typst math printer: one ``_print_X`` method per node type.

SymPy has no Typst printer, so this is ours. The output is Typst *math* source (what goes between
``$ ... $``). Symbol names follow the gradmath convention (:mod:`gradmath.printing.names`).

The class is also the base of the linear Unicode printer (:mod:`gradmath.printing.unicode`): the
structure (where parentheses go, what is a fraction) is the same, only the tokens differ, so each
token is one small method (``frac``, ``power``, ``sqrt``, ``abs``, ``times``, ...).

A product built with ``Mul(..., evaluate=False)`` keeps its factors in the order given, so that
eq. 121 reads σ′(z₁) w₂ σ′(z₂) ... as in the book (see :func:`ordered`).

Examples
--------
>>> import sympy as sp
>>> typst_math(sp.Symbol("w_1") * sp.Symbol("x") ** 2)
'w_(1) x^(2)'
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.printer import Printer

from . import names as nm
from .nodes import hand_ordered
from .numfmt import decimal

__all__ = ["TypstPrinter", "typst_math", "typst_string", "typst_name", "typst_number", "float_dps"]

# Function names that Typst math typesets upright on its own (it knows them as operators).
TYPST_OPERATORS = {
    "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "arcsin", "arccos",
    "arctan", "exp", "log", "ln", "det", "max", "min", "sup", "inf", "lim", "tr", "dim", "ker", "deg",
}  # fmt: skip

_SPECIAL = {"pm": "plus.minus", "mp": "minus.plus", "cdot": "dot", "infty": "infinity", "nabla": "nabla",
            "partial": "partial", "ell": "ell", "star": "ast"}  # fmt: skip
_OPS = {"/": "slash", "|": "|", "[": "[", "]": "]", "(": "(", ")": ")"}


def typst_string(text: str) -> str:
    """``text`` as a Typst string literal (valid in code and math mode)."""
    out = str(text).replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "").replace("\t", " ")
    return f'"{out}"'


def typst_name(node: nm.Node) -> str:
    """A parsed symbol name as Typst math."""
    if isinstance(node, nm.Word):
        primes = "'" * node.primes
        if node.italic:
            return node.text + primes
        if node.text in TYPST_OPERATORS:
            return node.text + primes
        if node.is_operator:
            return f"op({typst_string(node.text)})" + primes
        return typst_string(node.text) + primes
    if isinstance(node, nm.Number):
        return node.text
    if isinstance(node, nm.Special):
        return _SPECIAL[node.kind]
    if isinstance(node, nm.Op):
        return _OPS.get(node.char, node.char if node.char in "+-=<>,." else typst_string(node.char))
    if isinstance(node, nm.Script):
        out = typst_name(node.base)
        if node.sub is not None:
            out += f"_({typst_name(node.sub)})"
        if node.sup is not None:
            out += f"^({typst_name(node.sup)})"
        return out
    if isinstance(node, nm.Row):
        if not node.items:
            return '""'
        return (" thin " if node.spaced else " ").join(typst_name(i) for i in node.items)
    if isinstance(node, nm.Delim):
        return f"{'abs' if node.kind == 'abs' else 'norm'}({typst_name(node.inner)})"
    if isinstance(node, nm.Call):
        return f"{typst_name(node.head)}({', '.join(typst_name(a) for a in node.args)})"
    if isinstance(node, nm.Partial):
        return f"(partial {typst_name(node.num)})/(partial {typst_name(node.den)})"
    if isinstance(node, nm.Transpose):
        inner = typst_name(node.inner)
        return f"({inner})^T" if isinstance(node.inner, nm.Script) else f"{inner}^T"
    raise TypeError(f"unknown name node {node!r}")


def float_dps(expr: sp.Float) -> int:
    """The decimal digits a SymPy Float was made with (``Float(x, 8)`` has 8)."""
    from mpmath.libmp import prec_to_dps

    return max(1, prec_to_dps(expr._prec))


def typst_number(value: float, sig: int = 15) -> str:
    """A float with up to ``sig`` significant digits, small and large ones as a times 10^(n)."""
    d = decimal(value, sig)
    if d.mantissa in ("NaN",):
        return '"NaN"'
    if d.mantissa in ("inf", "-inf"):
        return d.mantissa.replace("inf", "infinity")
    if d.exponent is None:
        return d.mantissa
    if d.mantissa == "1":
        return f"10^({d.exponent})"
    return f"{d.mantissa} times 10^({d.exponent})"


def _wrap(s: str) -> str:
    """``(s)``, unless ``s`` is already one parenthesised group."""
    if s.startswith("(") and s.endswith(")"):
        depth = 0
        for i, ch in enumerate(s):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(s) - 1:
                break
        else:
            return s
    return f"({s})"


class TypstPrinter(Printer):
    """Print SymPy expressions as Typst math source."""

    printmethod = "_typst"
    _default_settings = {"order": None, "float_digits": 15}

    # --- tokens (overridden by the Unicode printer) -------------------------------------------
    def name(self, node: nm.Node) -> str:
        return typst_name(node)

    def number(self, value: float) -> str:
        return typst_number(value, self._settings["float_digits"])

    def text(self, s: str) -> str:
        return typst_string(s)

    def frac(self, top: str, bottom: str) -> str:
        return f"{top}/{bottom}"

    def power(self, base: str, exp: str) -> str:
        return f"{base}^({exp})"

    def sqrt(self, s: str) -> str:
        return f"sqrt({s})"

    def root(self, n: str, s: str) -> str:
        return f"root({n}, {s})"

    def abs(self, s: str) -> str:
        return f"abs({s})"

    def norm(self, s: str) -> str:
        return f"norm({s})"

    def exp(self, s: str) -> str:
        return f"e^({s})"

    def operator(self, name: str) -> str:
        return name if name in TYPST_OPERATORS else f"op({typst_string(name)})"

    def times(self, left: str, right: str) -> str:
        """Juxtaposition, with a visible dot between two numbers."""
        if right[0].isdigit() or right.startswith("-") or (left[-1].isdigit() and right[0].isdigit()):
            return f"{left} dot {right}"
        return f"{left} {right}"

    symbols = {"==": "=", "<=": "<=", "<": "<", ">=": ">=", ">": ">", "!=": "!=", "approx": "approx",
               "pm": "plus.minus", "minus": "-", "infinity": "infinity", "cross": "times",
               "true": '"true"', "false": '"false"', "nan": '"NaN"', "and": ' "and" ', "or": ' "or" ',
               "not": "not "}  # fmt: skip

    # --- helpers ------------------------------------------------------------------------------
    def parens(self, expr, level: int, strict: bool = False) -> str:
        prec = precedence(expr)
        s = self._print(expr)
        if prec < level or (strict and prec <= level):
            return f"({s})"
        return s

    def _args(self, args) -> str:
        return ", ".join(self._print(a) for a in args)

    def emptyPrinter(self, expr) -> str:  # noqa: N802 (SymPy's name)
        return self.text(str(expr))

    # --- atoms --------------------------------------------------------------------------------
    def _print_Symbol(self, expr) -> str:
        return self.name(nm.parse_name(expr.name))

    _print_Dummy = _print_Symbol
    _print_MatrixSymbol = _print_Symbol

    def _print_Integer(self, expr) -> str:
        return str(expr.p) if expr.p >= 0 else self.symbols["minus"] + str(-expr.p)

    def _print_int(self, expr) -> str:
        return self._print_Integer(sp.Integer(expr))

    def _print_float(self, expr) -> str:
        return self.number(expr)

    def _print_Rational(self, expr) -> str:
        if expr.q == 1:
            return self._print_Integer(sp.Integer(expr.p))
        sign = self.symbols["minus"] if expr.p < 0 else ""
        return sign + self.frac(str(abs(expr.p)), str(expr.q))

    def _print_Float(self, expr) -> str:
        digits = min(self._settings["float_digits"], float_dps(expr))
        return type(self)(dict(self._settings, float_digits=digits)).number(float(expr))

    def _print_Infinity(self, expr) -> str:
        return self.symbols["infinity"]

    def _print_NegativeInfinity(self, expr) -> str:
        return self.symbols["minus"] + self.symbols["infinity"]

    def _print_NaN(self, expr) -> str:
        return self.symbols["nan"]

    def _print_Pi(self, expr) -> str:
        return self.name(nm.Word("pi"))

    def _print_EulerGamma(self, expr) -> str:
        return self.name(nm.Word("gamma"))

    def _print_Exp1(self, expr) -> str:
        return "e"

    def _print_ImaginaryUnit(self, expr) -> str:
        return "i"

    def _print_BooleanTrue(self, expr) -> str:
        return self.symbols["true"]

    def _print_BooleanFalse(self, expr) -> str:
        return self.symbols["false"]

    def _print_str(self, expr) -> str:
        return self.text(expr)

    # --- arithmetic ---------------------------------------------------------------------------
    def _print_Add(self, expr, order=None) -> str:
        terms = list(expr.args) if hand_ordered(expr) else self._as_ordered_terms(expr, order=order)
        out = ""
        minus = self.symbols["minus"]
        for i, term in enumerate(terms):
            if term.could_extract_minus_sign():
                s = self.parens(-term, PRECEDENCE["Add"], strict=True)
                out += f"{minus}{s}" if i == 0 else f" {minus} {s}"
            else:
                s = self.parens(term, PRECEDENCE["Add"], strict=True)
                out += s if i == 0 else f" + {s}"
        return out

    def _print_Mul(self, expr) -> str:
        if expr.could_extract_minus_sign() and not hand_ordered(expr):
            inner = -expr
            if isinstance(inner, sp.Mul) or precedence(inner) > PRECEDENCE["Add"]:
                return self.symbols["minus"] + self.parens(inner, PRECEDENCE["Mul"])
            return f"{self.symbols['minus']}({self._print(inner)})"
        if hand_ordered(expr):
            coeff, factors = sp.S.One, expr.args
        else:
            coeff, factors = expr.as_coeff_mul()
        num, den = [], []
        if coeff != 1:
            if isinstance(coeff, sp.Rational) and coeff.q != 1:
                num.append(sp.Integer(coeff.p))
                den.append(sp.Integer(coeff.q))
            else:
                num.append(coeff)
        for f in factors:
            if isinstance(f, sp.Pow) and f.exp.is_Rational and f.exp.is_negative and not f.base.is_Matrix:
                den.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False))
            else:
                num.append(f)
        num = [n for n in num if n != 1] or [sp.Integer(1)]
        if not den:
            return self._product(num)
        if len(den) == 1 and den[0] == coeff.q and len(num) > 1 and num[0] == abs(coeff.p):
            return f"{self.frac(str(coeff.p), str(coeff.q))} {self._product(num[1:])}"
        top, bottom = self._product(num), self._product(den)
        if len(num) > 1 or precedence(num[0]) < PRECEDENCE["Mul"] or "/" in top:
            top = _wrap(top)
        if len(den) > 1 or precedence(den[0]) < PRECEDENCE["Mul"] or "/" in bottom:
            bottom = _wrap(bottom)
        return self.frac(top, bottom)

    def _product(self, items) -> str:
        out = ""
        for i, item in enumerate(items):
            s = self.parens(item, PRECEDENCE["Mul"])
            out = s if i == 0 else self.times(out, s)
        return out

    def _print_Pow(self, expr) -> str:
        base, exp = expr.base, expr.exp
        if exp is sp.S.Half:
            return self.sqrt(self._print(base))
        if exp.is_Rational and exp.is_negative:
            pos = sp.Pow(base, -exp, evaluate=False) if exp != -1 else base
            return self.frac("1", f"({self._print(pos)})")
        if exp.is_Rational and exp.p == 1 and exp.q > 2:
            return self.root(str(exp.q), self._print(base))
        b = self._print(base)
        needs = precedence(base) <= PRECEDENCE["Pow"] or isinstance(base, sp.Pow) or "_" in b or "^" in b
        if needs and not (isinstance(base, sp.Symbol) and "^" not in b and "/" not in b):
            b = f"({b})"
        return self.power(b, self._print(exp))

    def _print_exp(self, expr) -> str:
        return self.exp(self._print(expr.args[0]))

    def _print_log(self, expr) -> str:
        if len(expr.args) == 2:
            return f"log_({self._print(expr.args[1])})({self._print(expr.args[0])})"
        return f"{self.operator('ln')}({self._print(expr.args[0])})"

    def _print_Abs(self, expr) -> str:
        return self.abs(self._print(expr.args[0]))

    def _print_atanh(self, expr) -> str:
        return f"{self.operator('artanh')}({self._print(expr.args[0])})"

    # --- functions ----------------------------------------------------------------------------
    def _print_sigma(self, expr) -> str:
        return f"{self.name(nm.Word('sigma'))}({self._args(expr.args)})"

    def _print_sigma_prime(self, expr) -> str:
        return f"{self.name(nm.Word('sigma', 1))}({self._args(expr.args)})"

    def _print_Function(self, expr) -> str:
        fname = expr.func.__name__
        if fname == "norm":
            return self.norm(self._args(expr.args))
        if fname == "E":  # an expectation: E[...]
            return f"E[{self._args(expr.args)}]"
        if fname in TYPST_OPERATORS:
            return f"{self.operator(fname)}({self._args(expr.args)})"
        if fname.endswith("_prime") and len(fname) > 6:
            head = self.name(nm.parse_name(fname[:-6] + "'"))
            return f"{head}({self._args(expr.args)})"
        return f"{self.name(nm.parse_name(fname))}({self._args(expr.args)})"

    _print_AppliedUndef = _print_Function

    def _print_Max(self, expr) -> str:
        return f"{self.operator('max')}({self._args(expr.args)})"

    def _print_Min(self, expr) -> str:
        return f"{self.operator('min')}({self._args(expr.args)})"

    def _print_Derivative(self, expr) -> str:
        total = sum(count for _, count in expr.variable_count)
        top = "partial" + (f"^({total})" if total > 1 else "")
        bottom = " ".join(
            f"partial {self._print(v)}" + (f"^({c})" if c > 1 else "") for v, c in expr.variable_count
        )
        return f"({top})/({bottom}) {self.parens(expr.expr, PRECEDENCE['Mul'])}"

    def _print_Integral(self, expr) -> str:
        out = ""
        for lim in reversed(expr.limits):
            out += (
                f"integral_({self._print(lim[1])})^({self._print(lim[2])}) " if len(lim) == 3 else "integral "
            )
        out += self.parens(expr.function, PRECEDENCE["Mul"])
        return out + "".join(f" dif {self._print(lim[0])}" for lim in expr.limits)

    def _big_operator(self, expr, op: str) -> str:
        out = ""
        for var, lo, hi in expr.limits:
            out += f"{op}_({self._print(var)} = {self._print(lo)})^({self._print(hi)}) "
        return out + self.parens(expr.function, PRECEDENCE["Mul"])

    def _print_Sum(self, expr) -> str:
        return self._big_operator(expr, "sum")

    def _print_Product(self, expr) -> str:
        return self._big_operator(expr, "product")

    def _print_Order(self, expr) -> str:
        return f"O({self._print(expr.expr)})"

    # --- relations, logic ---------------------------------------------------------------------
    def _print_Relational(self, expr) -> str:
        op = self.symbols.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    def _print_Approx(self, expr) -> str:
        return f"{self._print(expr.lhs)} {self.symbols['approx']} {self._print(expr.rhs)}"

    def _print_PlusMinus(self, expr) -> str:
        return f"{self._print(expr.args[0])} {self.symbols['pm']} {self._print(expr.args[1])}"

    def _print_Piecewise(self, expr) -> str:
        rows = []
        for e, c in expr.args:
            cond = '"otherwise"' if c is sp.true else f'"if" {self._print(c)}'
            rows.append(f"{self._print(e)} & {cond}")
        return "cases(" + ", ".join(rows) + ")"

    def _print_And(self, expr) -> str:
        return self.symbols["and"].join(self.parens(a, PRECEDENCE["And"]) for a in expr.args)

    def _print_Or(self, expr) -> str:
        return self.symbols["or"].join(self.parens(a, PRECEDENCE["Or"]) for a in expr.args)

    def _print_Not(self, expr) -> str:
        return self.symbols["not"] + self.parens(expr.args[0], PRECEDENCE["Not"])

    # --- containers ---------------------------------------------------------------------------
    def _print_Tuple(self, expr) -> str:
        return f"({self._args(expr)})"

    _print_tuple = _print_Tuple

    def _print_list(self, expr) -> str:
        return f"[{self._args(expr)}]"

    def _print_Interval(self, expr) -> str:
        left = "(" if expr.left_open else "["
        right = ")" if expr.right_open else "]"
        return f"lr({left} {self._print(expr.start)}, {self._print(expr.end)} {right})"

    def _print_FiniteSet(self, expr) -> str:
        return "{" + self._args(sorted(expr.args, key=sp.default_sort_key)) + "}"

    def _print_MatrixBase(self, expr) -> str:
        rows = "; ".join(
            ", ".join(self._print(expr[i, j]) for j in range(expr.cols)) for i in range(expr.rows)
        )
        return f"mat({rows})"

    _print_ImmutableDenseMatrix = _print_MatrixBase
    _print_MutableDenseMatrix = _print_MatrixBase
    _print_ImmutableMatrix = _print_MatrixBase
    _print_Matrix = _print_MatrixBase

    def _print_MatMul(self, expr) -> str:
        args = list(expr.args)
        lead = ""
        if args and args[0] == -1:
            args, lead = args[1:], self.symbols["minus"]
        return lead + " ".join(self.parens(a, PRECEDENCE["Mul"]) for a in args)

    def _print_MatAdd(self, expr) -> str:
        return self._print_Add(expr)

    def _print_Transpose(self, expr) -> str:
        s = self._print(expr.arg)
        if not isinstance(expr.arg, sp.MatrixSymbol) or "_" in s or "^" in s:
            s = f"({s})"
        return self.power(s, "T")

    def _print_MatPow(self, expr) -> str:
        return self.power(f"({self._print(expr.base)})", self._print(expr.exp))

    def _print_Inverse(self, expr) -> str:
        return self.power(f"({self._print(expr.arg)})", f"{self.symbols['minus']}1")

    def _print_Identity(self, expr) -> str:
        return "I"

    def _print_ZeroMatrix(self, expr) -> str:
        return "0"


_PRINTER: TypstPrinter | None = None


def typst_math(expr, **settings) -> str:
    """Typst math source for a SymPy expression (or a Python number, tuple, list)."""
    global _PRINTER
    if settings:
        return TypstPrinter(settings).doprint(expr)
    if _PRINTER is None:
        _PRINTER = TypstPrinter()
    return _PRINTER.doprint(expr)
