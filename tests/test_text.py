"""Rich text: the three renderings against hand-written expectations, and Typst escaping against
Typst's own parser (typst.query returns the element tree: no plain character may become markup)."""

from __future__ import annotations

import json
import pickle

import pytest
import sympy as sp
import typst
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gradmath.activations import sigma_prime
from gradmath.notation import factor
from gradmath.text import Cite, Code, Num, Ref, Text, as_text, display, join, tx

w, z = sp.symbols("w z")


def test_template_renders_three_ways():
    t = tx("so {} forces {}", sp.Ge(sp.Abs(w) / 4, 1), sp.Ge(sp.Abs(w), 4))
    assert t.unicode() == "so |w|/4 ≥ 1 forces |w| ≥ 4"
    assert t.typst() == "so $abs(w)/4 >= 1$ forces $abs(w) >= 4$"
    assert t.markdown() == r"so $\frac{\left|{w}\right|}{4} \geq 1$ forces $\left|{w}\right| \geq 4$"
    assert str(t) == t.unicode()


def test_named_and_positional_placeholders_and_numbers():
    t = tx("{b} then {} then {:.3}", sp.Symbol("w_1"), 3.14159265, b=sp.Symbol("z^*"))
    assert t.unicode() == "z* then w₁ then 3.14"
    assert tx("{}", 7).unicode() == "7"
    assert tx("{}", True).unicode() == "yes"


def test_number_with_uncertainty_and_percent():
    assert tx("{}", Num(0.811712, err=0.000298)).unicode() == "0.81171 ± 0.00030"
    assert Num(0.811712, err=0.000298).typst() == "$0.81171 plus.minus 0.00030$"
    assert Num(0.9645, err=0.0004, percent=True).unicode() == "96.45 ± 0.04 %"  # 400: one digit (PDG)
    assert Num(1.234e-5, err=3.1e-7).unicode() == "(1.234 ± 0.031) × 10⁻⁵"
    assert Num(2.5e-35, sig=2).unicode() == "2.5 × 10⁻³⁵"
    assert Num(-0.5, sig=3).unicode() == "−0.5"


def test_display_maths_has_its_own_lines():
    t = tx("Hence") + display(sp.Eq(sp.Symbol("x"), sp.Rational(1, 4)))
    assert t.has_display
    assert "\n$ x = 1/4 $\n" in t.typst()
    assert "$$\nx = \\frac{1}{4}\n$$" in t.markdown()
    assert "x = 1/4" in t.unicode()


def test_book_order_is_kept_in_every_rendering():
    f = factor()
    assert f.doit() == sp.Abs(
        sp.Symbol("w", real=True)
        * sigma_prime(sp.Symbol("w", real=True) * sp.Symbol("a", real=True) + sp.Symbol("b", real=True))
    )
    t = tx("{}", f)
    assert t.unicode() == "|w σ′(wa + b)|"
    assert t.typst() == "$abs(w sigma'(w a + b))$"
    assert "w a + b" in t.markdown()


def test_concatenation_merges_plain_parts_and_is_immutable():
    t = as_text("a") + "b" + tx("{}", w)
    assert t.parts[0] == "ab"
    with pytest.raises(AttributeError):
        t.parts = ()
    assert join([w, z, "c"]).unicode() == "w, z, c"
    assert not Text() and bool(t)


def test_pickle_round_trip():
    t = tx("a {} b {}", sp.Symbol("w_1"), Num(0.5, err=0.01)) + Cite("nielsen", "eq. 123")
    assert pickle.loads(pickle.dumps(t)) == t


def test_cite_and_ref():
    t = tx("see ") + Cite("glorot2010") + " and " + Ref("fig-x", "the figure")
    assert t.typst() == "see #cite(<glorot2010>) and @fig-x"
    assert t.unicode() == "see [Glorot and Bengio (2010)] and the figure"


def test_unsupported_value_is_refused():
    with pytest.raises(TypeError, match="dict"):
        tx("{}", {"a": 1})


# --- Typst: plain text stays plain, whatever it contains -------------------------------------------

_CHARS = "abc XYZ 019 *_#$[]<>@=-+/~`\\'\"().,:;!?{}|^%&"


def _flatten(node) -> str:
    """The text of a Typst element tree (as typst.query gives it)."""
    if isinstance(node, list):
        return "".join(_flatten(n) for n in node)
    if not isinstance(node, dict):
        return ""
    func = node.get("func")
    if func in ("text", "symbol"):
        return node["text"]
    if func == "space":
        return " "
    if func == "smartquote":
        return '"' if node.get("double", True) else "'"
    if func == "equation":
        return "<math>"
    assert func in ("sequence", "block", "par"), f"plain text became Typst markup: {func}"
    return _flatten(node.get("body", node.get("children", [])))


def _typst_tree(markup: str, tmp_path):
    """The element tree Typst makes of ``markup`` (as typst.query gives it)."""
    src = tmp_path / "t.typ"
    src.write_text("#block[" + markup + "] <t>\n")
    return json.loads(typst.query(str(src), "<t>", format="json"))


def _typst_text(markup: str, tmp_path) -> str:
    return _flatten(_typst_tree(markup, tmp_path))


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=_CHARS, min_size=1, max_size=40))
@example("...")  # Typst's ellipsis shorthand (found by Hypothesis in CI)
@example("0. a")  # an enumeration item when it opens a paragraph
@example("a -- b --- c -? d ~ e")  # dash, soft-hyphen and non-breaking-space shorthands
@example("see http://x.org/a")  # an automatic link
def test_typst_escaping_keeps_any_plain_text(tmp_path_factory, s):
    tmp = tmp_path_factory.mktemp("typ")
    got = _typst_text(Text([s]).typst(), tmp)
    assert " ".join(got.split()) == " ".join(s.split())


def test_typst_escaping_around_maths(tmp_path):
    t = tx("*not bold* {} // not a comment = not a heading", sp.Symbol("w_1"))
    assert _typst_text(t.typst(), tmp_path) == "*not bold* <math> // not a comment = not a heading"


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=_CHARS, min_size=1, max_size=40))
def test_code_is_verbatim_in_typst(tmp_path_factory, s):
    """A command keeps every character (``--mnist`` is not an en dash), in a raw element."""
    tree = _typst_tree(tx("run {}", Code(s)).typst(), tmp_path_factory.mktemp("typ"))
    raws = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("func") == "raw":
                raws.append(node["text"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(tree)
    assert raws == [s]


def test_code_in_the_terminal_and_in_markdown():
    t = tx("run {} with the files", Code("python -m gradmath.report --mnist PATH"))
    assert t.unicode() == "run python -m gradmath.report --mnist PATH with the files"
    assert t.markdown() == "run `python -m gradmath.report --mnist PATH` with the files"
    assert tx("{}", Code("a`b")).markdown() == "``a`b``"
