"""The gradmath naming convention for SymPy symbols, parsed once for every printer.

A symbol's name says how it is typeset, so that solvers write ``Symbol("w_1")`` and every output
(Typst, LaTeX, Unicode) shows w with subscript 1:

==================  =====================================  =================
name                meaning                                Unicode
==================  =====================================  =================
``w_1``, ``w1``     subscript (trailing digits too)        w₁
``a_j-1``           subscript ``j-1``                      aⱼ₋₁
``delta^l``         superscript                            δˡ
``z^*``             superscript star                       z*
``sigma'``          primes                                 σ′
``|w|``             absolute value                         |w|
``||delta^1||``     norm                                   ‖δ¹‖
``dC/db_1``         partial derivative                     ∂C/∂b₁
``f'(z_1)``         a call                                 f′(z₁)
``E[log|w|]``       free form: scanned token by token      E[log|w|]
``W.T``             transpose                              Wᵀ
``nabla_a C``       words separated by a space             ∇ₐ C
==================  =====================================  =================

:func:`parse_name` turns a name into a small tree of :class:`Node` objects; each printer walks the
tree with its own rendering of words, scripts and delimiters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from sympy.printing.conventions import split_super_sub

__all__ = [
    "GREEK",
    "Node",
    "Word",
    "Number",
    "Special",
    "Op",
    "Script",
    "Row",
    "Delim",
    "Call",
    "Partial",
    "Transpose",
    "parse_name",
]

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
    "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega",
    "Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta", "Eta", "Theta", "Iota", "Kappa", "Lambda",
    "Mu", "Nu", "Xi", "Omicron", "Pi", "Rho", "Sigma", "Tau", "Upsilon", "Phi", "Chi", "Psi", "Omega",
}  # fmt: skip

#: names that stand for one special sign
SPECIALS = {"pm": "pm", "mp": "mp", "cdot": "cdot", "infty": "infty", "inf": "infty", "nabla": "nabla",
            "partial": "partial", "ell": "ell", "*": "star"}  # fmt: skip

#: operator names typeset upright (they are functions, not products of letters)
OPERATORS = {
    "sin", "cos", "tan", "cot", "sinh", "cosh", "tanh", "coth", "exp", "log", "ln", "det", "max",
    "min", "sup", "inf", "lim", "tr", "dim", "ker", "deg", "artanh", "arctan", "Var", "E", "P",
}  # fmt: skip


class Node:
    """A piece of a parsed name."""


@dataclass(frozen=True)
class Word(Node):
    """An identifier: one letter, a Greek name, or an upright multi-letter word; with primes."""

    text: str
    primes: int = 0

    @property
    def is_greek(self) -> bool:
        return self.text in GREEK

    @property
    def is_operator(self) -> bool:
        return self.text in OPERATORS

    @property
    def italic(self) -> bool:
        """Single letters and Greek letters are math italics; longer words are upright text."""
        return len(self.text) == 1 or self.is_greek


@dataclass(frozen=True)
class Number(Node):
    text: str


@dataclass(frozen=True)
class Special(Node):
    """A named sign: ``pm``, ``mp``, ``cdot``, ``infty``, ``nabla``, ``partial``, ``ell``, ``star``."""

    kind: str


@dataclass(frozen=True)
class Op(Node):
    """An operator or bracket character: one of ``+ - = < > , . / ( ) [ ] |``."""

    char: str


@dataclass(frozen=True)
class Script(Node):
    base: Node
    sub: Node | None = None
    sup: Node | None = None


@dataclass(frozen=True)
class Row(Node):
    """Nodes side by side; ``spaced`` puts a space between them (names written with a blank)."""

    items: tuple[Node, ...]
    spaced: bool = False


@dataclass(frozen=True)
class Delim(Node):
    """``|x|`` (``kind="abs"``) or ``||x||`` (``kind="norm"``)."""

    kind: str
    inner: Node


@dataclass(frozen=True)
class Call(Node):
    head: Node
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Partial(Node):
    """∂num/∂den (a name ``dC/db_1``)."""

    num: Node
    den: Node


@dataclass(frozen=True)
class Transpose(Node):
    inner: Node


_WORD = re.compile(r"([A-Za-z]+)('*)")
_ATOM = re.compile(r"[A-Za-z]+'*|\d+(?:\.\d+)?|\*")


def _word(token: str) -> Node:
    m = _WORD.fullmatch(token)
    if not m:
        return Op(token)
    base, primes = m.groups()
    if base in SPECIALS:
        node: Node = Special(SPECIALS[base])
        return Script(node) if primes else node
    return Word(base, len(primes))


def _atom(token: str) -> Node:
    if token == "*":
        return Special("star")
    if token[0].isdigit():
        return Number(token)
    return _word(token)


def _row(items: list[Node]) -> Node:
    return items[0] if len(items) == 1 else Row(tuple(items))


def _fragment(text: str) -> Node:
    """A sub- or superscript such as ``j-1``, ``12``, ``*``, ``l+1``."""
    items: list[Node] = []
    for tok in re.findall(r"[A-Za-z]+'*|\d+(?:\.\d+)?|'+|\S", text):
        if tok[0] == "'" and items and isinstance(items[-1], Word):
            last = items[-1]
            items[-1] = Word(last.text, last.primes + len(tok))
        elif tok[0].isalpha() or tok[0].isdigit() or tok == "*":
            items.append(_atom(tok))
        else:
            items.append(Op(tok))
    return _row(items) if items else Row(())


def _scan(name: str) -> Node:
    """A free-form name such as ``E[f'(z)^2]`` or ``E[log|w|]``, token by token."""
    items: list[Node] = []
    i = 0
    while i < len(name):
        ch = name[i]
        m = _ATOM.match(name, i)
        if m:
            items.append(_atom(m.group(0)))
            i = m.end()
        elif ch in "_^" and items:
            m = _ATOM.match(name, i + 1)
            if not m:
                items.append(Op(ch))
                i += 1
                continue
            last = items[-1]
            base, sub, sup = (
                (last.base, last.sub, last.sup) if isinstance(last, Script) else (last, None, None)
            )
            if ch == "_":
                sub = _atom(m.group(0))
            else:
                sup = _atom(m.group(0))
            items[-1] = Script(base, sub, sup)
            i = m.end()
        elif ch == "'" and items and isinstance(items[-1], Word):
            items[-1] = Word(items[-1].text, items[-1].primes + 1)
            i += 1
        elif ch.isspace():
            i += 1
        else:
            items.append(Op(ch))
            i += 1
    return _row(items)


@cache
def parse_name(name: str) -> Node:
    """The tree of a symbol name in the gradmath convention (see the module docstring)."""
    name = name.strip()
    if name in SPECIALS:
        return Special(SPECIALS[name])
    m = re.fullmatch(r"\|\|(.+)\|\|", name)
    if m:
        return Delim("norm", parse_name(m.group(1)))
    m = re.fullmatch(r"\|([^|]+)\|", name)
    if m:
        return Delim("abs", parse_name(m.group(1)))
    if name.endswith("_") and len(name) > 1:  # lambda_ (SymPy's way round the keyword)
        name = name.rstrip("_")
    if " " in name:
        return Row(tuple(parse_name(part) for part in name.split()), spaced=True)
    m = re.fullmatch(r"([^()\s]+)\(([^()]*)\)", name)
    if m:
        args = tuple(parse_name(a) for a in m.group(2).split(",") if a.strip())
        return Call(parse_name(m.group(1)), args)
    if re.search(r"[()\[\]|]", name):
        return _scan(name)
    m = re.fullmatch(r"d([^/]+)/d(.+)", name)
    if m:
        return Partial(parse_name(m.group(1)), parse_name(m.group(2)))
    if name.endswith(".T") and len(name) > 2:
        return Transpose(parse_name(name[:-2]))
    base, sups, subs = split_super_sub(name)
    base_node = _word(base) if _WORD.fullmatch(base) else (_fragment(base) if base else Row(()))
    if not subs and not sups:
        return base_node
    sub = _join(subs)
    sup = _join(sups)
    return Script(base_node, sub, sup)


def _join(parts: list[str]) -> Node | None:
    if not parts:
        return None
    nodes = [_fragment(p) for p in parts]
    if len(nodes) == 1:
        return nodes[0]
    joined: list[Node] = []
    for k, n in enumerate(nodes):
        if k:
            joined.append(Op(","))
        joined.append(n)
    return Row(tuple(joined))
