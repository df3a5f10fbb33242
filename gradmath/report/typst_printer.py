"""A SymPy-to-Typst math printer: one ``_print_X`` method per node type.

SymPy has no released Typst printer, so this is ours. The output is Typst *math* source (what goes
between ``$ ... $``). Symbol names follow the gradmath convention: ``w_1`` and ``z1`` are subscripted,
``delta^l`` is superscripted, Greek names become Greek letters, ``'`` is a prime, and a name of the form
``dC/db_1`` is the partial derivative (∂C)/(∂b_1).

Examples
--------
>>> import sympy as sp
>>> typst_math(sp.Symbol("w_1") * sp.Symbol("x") ** 2)
'w_(1) x^(2)'
"""

from __future__ import annotations

import re

import sympy as sp
from sympy.printing.conventions import split_super_sub
from sympy.printing.precedence import PRECEDENCE, precedence
from sympy.printing.printer import Printer

__all__ = ["TypstPrinter", "typst_math", "typst_string"]

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
    "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa", "Lambda",
    "Mu", "Nu", "Xi", "Omicron", "Pi", "Rho", "Sigma", "Tau", "Upsilon", "Phi", "Chi", "Psi", "Omega",
    "nabla", "partial", "ell", "infinity",
}  # fmt: skip

# Function names that Typst math typesets upright on its own (it knows them as operators).
TYPST_OPERATORS = {
    "sin", "cos", "tan", "cot", "sec", "csc", "sinh", "cosh", "tanh", "coth", "arcsin", "arccos",
    "arctan", "exp", "log", "ln", "det", "max", "min", "sup", "inf", "lim", "tr", "dim", "ker", "deg",
}  # fmt: skip

_TOKEN = re.compile(r"[A-Za-z]+'*|\d+(?:\.\d+)?|'+|\S")


def typst_string(text: str) -> str:
    """``text`` as a Typst string literal (valid in code and math mode)."""
    out = str(text).replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "").replace("\t", " ")
    return f'"{out}"'


def _ident(word: str) -> str:
    """One alphabetic word (possibly with trailing primes) as a Typst math identifier."""
    m = re.fullmatch(r"([A-Za-z]+)('*)", word)
    if not m:
        return typst_string(word)
    base, primes = m.groups()
    if base == "lambda_":
        base = "lambda"
    if len(base) == 1 or base in GREEK:
        return base + primes
    return typst_string(base) + primes


def _fragment(text: str) -> str:
    """A sub/superscript fragment such as ``j-1``, ``12``, ``*``, ``l+1`` as Typst math."""
    parts = []
    for tok in _TOKEN.findall(text):
        if tok[0].isalpha():
            parts.append(_ident(tok))
        elif tok[0].isdigit():
            parts.append(tok)
        elif tok[0] == "'":
            parts.append(tok)
        elif tok == "*":
            parts.append("ast")
        elif tok in "+-=<>,":
            parts.append(tok)
        elif tok == ".":
            parts.append(".")
        else:
            parts.append(typst_string(tok))
    out = ""
    for p in parts:
        if p.startswith("'") and out:
            out += p
        else:
            out += (" " if out else "") + p
    return out


_NAMED = {"pm": "plus.minus", "mp": "minus.plus", "cdot": "dot", "infty": "infinity", "inf": "infinity"}


def _scan(name: str) -> str:
    """A free-form name such as ``E[f'(z)^2]`` or ``E[log|w|]``, character by character."""
    out: list[str] = []
    i, n = 0, len(name)

    def atom(j: int) -> tuple[str, int]:
        m = re.match(r"[A-Za-z]+'*|\d+(?:\.\d+)?|\*", name[j:])
        if not m:
            return '""', j
        tok = m.group(0)
        if tok == "*":
            return "ast", j + 1
        if tok[0].isdigit():
            return tok, j + len(tok)
        return _word(tok), j + len(tok)

    while i < n:
        ch = name[i]
        if ch.isalnum() or ch == "*":
            tok, i = atom(i)
            out.append(tok)
        elif ch in "_^" and out:
            tok, i = atom(i + 1)
            out[-1] += f"{ch}({tok})"
        elif ch == "'" and out:
            out[-1] += "'"
            i += 1
        elif ch in "()[]|+-=,/.<>":
            out.append({"[": "[", "]": "]"}.get(ch, ch))
            i += 1
        elif ch.isspace():
            i += 1
        else:
            out.append(typst_string(ch))
            i += 1
    text = " ".join(out)
    # glue a call's parentheses to its head: f' ( z ) -> f'(z)
    return re.sub(r"(\S) \(", r"\1(", text).replace("( ", "(").replace(" )", ")")


def _word(tok: str) -> str:
    base = tok.rstrip("'")
    if base in _NAMED:
        return _NAMED[base] + tok[len(base) :]
    if base in TYPST_OPERATORS:
        return tok
    return _ident(tok)


def _symbol_name(name: str) -> str:
    """A symbol's name (gradmath convention) as Typst math."""
    name = name.strip()
    if name in _NAMED:
        return _NAMED[name]
    m = re.fullmatch(r"\|\|(.+)\|\|", name)
    if m:
        return f"norm({_symbol_name(m.group(1))})"
    m = re.fullmatch(r"\|([^|]+)\|", name)
    if m:
        return f"abs({_symbol_name(m.group(1))})"
    if name.endswith("_") and len(name) > 1:  # lambda_ (SymPy's way to avoid the keyword)
        name = name.rstrip("_")
    if " " in name:
        return " ".join(_symbol_name(part) for part in name.split())
    m = re.fullmatch(r"([^()\s]+)\(([^()]*)\)", name)
    if m:  # a symbol named like a call, "f'(z_1)"
        args = ", ".join(_symbol_name(a) for a in m.group(2).split(",") if a.strip())
        return f"{_symbol_name(m.group(1))}({args})"
    if re.search(r"[()\[\]|]", name):
        return _scan(name)
    m = re.fullmatch(r"d([^/]+)/d(.+)", name)
    if m:
        return f"(partial {_symbol_name(m.group(1))})/(partial {_symbol_name(m.group(2))})"
    if name.endswith(".T") and len(name) > 2:
        return f"{_symbol_name(name[:-2])}^T"
    base, sups, subs = split_super_sub(name)
    m = re.fullmatch(r"([A-Za-z]+'*)", base)
    if m:
        out = _ident(base)
    elif base == "":
        out = '""'
    else:
        out = _fragment(base)
    if subs:
        out += "_(" + ", ".join(_fragment(s) for s in subs) + ")"
    if sups:
        out += "^(" + ", ".join(_fragment(s) for s in sups) + ")"
    return out


def _format_float(value: float, digits: int = 15) -> str:
    """A float with up to ``digits`` significant digits, scientific notation as a x 10^(n)."""
    if value != value:
        return '"NaN"'
    if value in (float("inf"), float("-inf")):
        return "infinity" if value > 0 else "-infinity"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mant, exp = text.split("e")
        return f"{mant} times 10^({int(exp)})"
    return text


class TypstPrinter(Printer):
    """Print SymPy expressions as Typst math source."""

    printmethod = "_typst"
    _default_settings = {"order": None, "float_digits": 15}

    # --- helpers ---------------------------------------------------------------------------
    def parens(self, expr, level: int, strict: bool = False) -> str:
        prec = precedence(expr)
        s = self._print(expr)
        if prec < level or (strict and prec <= level):
            return f"({s})"
        return s

    def _args(self, args) -> str:
        return ", ".join(self._print(a) for a in args)

    def emptyPrinter(self, expr) -> str:  # noqa: N802 (SymPy's name)
        return typst_string(str(expr))

    # --- atoms -----------------------------------------------------------------------------
    def _print_Symbol(self, expr) -> str:
        return _symbol_name(expr.name)

    _print_Dummy = _print_Symbol
    _print_MatrixSymbol = _print_Symbol

    def _print_Integer(self, expr) -> str:
        return str(expr.p)

    def _print_int(self, expr) -> str:
        return str(expr)

    def _print_float(self, expr) -> str:
        return _format_float(expr, self._settings["float_digits"])

    def _print_Rational(self, expr) -> str:
        if expr.q == 1:
            return str(expr.p)
        sign = "-" if expr.p < 0 else ""
        return f"{sign}{abs(expr.p)}/{expr.q}"

    def _print_Float(self, expr) -> str:
        return _format_float(float(expr), self._settings["float_digits"])

    def _print_Infinity(self, expr) -> str:
        return "infinity"

    def _print_NegativeInfinity(self, expr) -> str:
        return "-infinity"

    def _print_ComplexInfinity(self, expr) -> str:
        return "tilde(infinity)"

    def _print_NaN(self, expr) -> str:
        return '"NaN"'

    def _print_Pi(self, expr) -> str:
        return "pi"

    def _print_EulerGamma(self, expr) -> str:
        return "gamma"

    def _print_Exp1(self, expr) -> str:
        return "e"

    def _print_ImaginaryUnit(self, expr) -> str:
        return "i"

    def _print_BooleanTrue(self, expr) -> str:
        return '"true"'

    def _print_BooleanFalse(self, expr) -> str:
        return '"false"'

    def _print_str(self, expr) -> str:
        return typst_string(expr)

    # --- arithmetic ------------------------------------------------------------------------
    def _print_Add(self, expr, order=None) -> str:
        terms = self._as_ordered_terms(expr, order=order)
        out = ""
        for i, term in enumerate(terms):
            if term.could_extract_minus_sign():
                s = self.parens(-term, PRECEDENCE["Add"], strict=True)
                out += f"-{s}" if i == 0 else f" - {s}"
            else:
                s = self.parens(term, PRECEDENCE["Add"], strict=True)
                out += s if i == 0 else f" + {s}"
        return out

    def _print_Mul(self, expr) -> str:
        if expr.could_extract_minus_sign():
            inner = -expr
            if isinstance(inner, sp.Mul) or precedence(inner) > PRECEDENCE["Add"]:
                return "-" + self.parens(inner, PRECEDENCE["Mul"])
            return f"-({self._print(inner)})"
        coeff, factors = expr.as_coeff_mul()
        num, den = [], []
        if coeff != 1:
            if isinstance(coeff, sp.Rational) and coeff.q != 1:
                num.append(sp.Integer(coeff.p))
                den.append(sp.Integer(coeff.q))
            else:
                num.append(coeff)
        for f in factors:
            if (
                isinstance(f, sp.Pow)
                and f.exp.is_Rational
                and f.exp.is_negative
                and not isinstance(f.base, sp.MatrixBase)
            ):
                den.append(f.base if f.exp == -1 else sp.Pow(f.base, -f.exp, evaluate=False))
            else:
                num.append(f)
        num = [n for n in num if n != 1] or [sp.Integer(1)]

        def product(items) -> str:
            out = ""
            for i, item in enumerate(items):
                s = self.parens(item, PRECEDENCE["Mul"])
                if i == 0:
                    out = s
                elif s[0].isdigit() or s.startswith("-") or out[-1].isdigit() and s[0].isdigit():
                    out += f" dot {s}"
                else:
                    out += f" {s}"
            return out

        if not den:
            return product(num)
        if len(den) == 1 and den[0] == coeff.q and len(num) > 1 and num[0] == abs(coeff.p):
            return f"{coeff.p}/{coeff.q} {product(num[1:])}"
        top = product(num)
        bottom = product(den)
        if len(num) > 1 or precedence(num[0]) < PRECEDENCE["Mul"] or "/" in top:
            top = f"({top})"
        if len(den) > 1 or precedence(den[0]) < PRECEDENCE["Mul"] or "/" in bottom:
            bottom = f"({bottom})"
        return f"{top}/{bottom}"

    def _print_Pow(self, expr) -> str:
        base, exp = expr.base, expr.exp
        if exp is sp.S.Half:
            return f"sqrt({self._print(base)})"
        if exp.is_Rational and exp.is_negative:
            pos = sp.Pow(base, -exp, evaluate=False) if exp != -1 else base
            return f"1/({self._print(pos)})"
        if exp.is_Rational and exp.p == 1 and exp.q > 2:
            return f"root({exp.q}, {self._print(base)})"
        b = self._print(base)
        if (
            precedence(base) <= PRECEDENCE["Pow"]
            or isinstance(base, (sp.Pow, sp.Function))
            and not isinstance(base, sp.Abs)
            or "_" in b
            or "^" in b
        ):
            if isinstance(base, sp.Symbol) and "^" not in b and "/" not in b:
                pass
            else:
                b = f"({b})"
        return f"{b}^({self._print(exp)})"

    def _print_exp(self, expr) -> str:
        return f"e^({self._print(expr.args[0])})"

    def _print_log(self, expr) -> str:
        if len(expr.args) == 2:
            return f"log_({self._print(expr.args[1])})({self._print(expr.args[0])})"
        return f"ln({self._print(expr.args[0])})"

    def _print_Abs(self, expr) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_sqrt(self, expr) -> str:  # pragma: no cover (SymPy builds a Pow)
        return f"sqrt({self._print(expr.args[0])})"

    # --- functions -------------------------------------------------------------------------
    def _print_sigma(self, expr) -> str:
        return f"sigma({self._args(expr.args)})"

    def _print_sigma_prime(self, expr) -> str:
        return f"sigma'({self._args(expr.args)})"

    def _print_Function(self, expr) -> str:
        name = expr.func.__name__
        if name == "norm":
            return f"norm({self._args(expr.args)})"
        if name in TYPST_OPERATORS:
            return f"{name}({self._args(expr.args)})"
        if name.endswith("_prime") and len(name) > 6:
            head = _symbol_name(name[:-6])
            return f"{head}'({self._args(expr.args)})"
        head = _symbol_name(name)
        if "_" in head or "^" in head:
            head = f"{head}"
        return f"{head}({self._args(expr.args)})"

    _print_AppliedUndef = _print_Function

    def _print_Max(self, expr) -> str:
        return f"max({self._args(expr.args)})"

    def _print_Min(self, expr) -> str:
        return f"min({self._args(expr.args)})"

    def _print_Derivative(self, expr) -> str:
        f = expr.expr
        total = sum(count for _, count in expr.variable_count)
        top = "partial" + (f"^({total})" if total > 1 else "")
        bottom = " ".join(
            f"partial {self._print(v)}" + (f"^({c})" if c > 1 else "") for v, c in expr.variable_count
        )
        body = self.parens(f, PRECEDENCE["Mul"])
        return f"({top})/({bottom}) {body}"

    def _print_Integral(self, expr) -> str:
        out = ""
        for lim in reversed(expr.limits):
            if len(lim) == 3:
                out += f"integral_({self._print(lim[1])})^({self._print(lim[2])}) "
            else:
                out += "integral "
        out += self.parens(expr.function, PRECEDENCE["Mul"])
        for lim in expr.limits:
            out += f" dif {self._print(lim[0])}"
        return out

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

    # --- relations, logic ------------------------------------------------------------------
    _REL = {"==": "=", "<=": "<=", "<": "<", ">=": ">=", ">": ">", "!=": "!="}

    def _print_Relational(self, expr) -> str:
        op = self._REL.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    def _print_Piecewise(self, expr) -> str:
        rows = []
        for e, c in expr.args:
            cond = '"otherwise"' if c is sp.true else f'"if" {self._print(c)}'
            rows.append(f"{self._print(e)} & {cond}")
        return "cases(" + ", ".join(rows) + ")"

    def _print_And(self, expr) -> str:
        return ' "and" '.join(self.parens(a, PRECEDENCE["And"]) for a in expr.args)

    def _print_Or(self, expr) -> str:
        return ' "or" '.join(self.parens(a, PRECEDENCE["Or"]) for a in expr.args)

    def _print_Not(self, expr) -> str:
        return f"not {self.parens(expr.args[0], PRECEDENCE['Not'])}"

    # --- containers ------------------------------------------------------------------------
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
        out = []
        if args and args[0] == -1:
            args = args[1:]
            out.append("-")
        out.append(" ".join(self.parens(a, PRECEDENCE["Mul"]) for a in args))
        return "".join(out)

    def _print_MatAdd(self, expr) -> str:
        return self._print_Add(expr)

    def _print_Transpose(self, expr) -> str:
        arg = expr.arg
        s = self._print(arg)
        if not isinstance(arg, sp.MatrixSymbol) or "_" in s or "^" in s:
            s = f"({s})"
        return f"{s}^T"

    def _print_MatPow(self, expr) -> str:
        return f"({self._print(expr.base)})^({self._print(expr.exp)})"

    def _print_Inverse(self, expr) -> str:
        return f"({self._print(expr.arg)})^(-1)"

    def _print_Identity(self, expr) -> str:
        return "I"

    def _print_ZeroMatrix(self, expr) -> str:
        return "0"


_PRINTER = None


def typst_math(expr, **settings) -> str:
    """Typst math source for a SymPy expression (or a Python number, tuple, list)."""
    global _PRINTER
    if settings:
        return TypstPrinter(settings).doprint(expr)
    if _PRINTER is None:
        _PRINTER = TypstPrinter()
    return _PRINTER.doprint(expr)
