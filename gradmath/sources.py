"""The texts gradmath works through and the papers it relies on: one bibliography for every output.

Solvers cite an entry by its key (``Cite("nielsen")`` in rich text, ``Source("nielsen", "Problem
1(3)")`` for where a problem is posed); the report prints the bibliography from :data:`SOURCES`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Reference", "Source", "SOURCES", "bibtex"]


@dataclass(frozen=True)
class Reference:
    """One bibliography entry."""

    key: str
    short: str  # "Nielsen (2015)"
    authors: str
    title: str
    year: int
    venue: str = ""
    url: str = ""
    kind: str = "misc"  # BibTeX entry type

    def line(self) -> str:
        """The entry as one line of text."""
        venue = f" {self.venue}." if self.venue else ""
        url = f" {self.url}" if self.url else ""
        return f"{self.authors} ({self.year}). {self.title}.{venue}{url}"


SOURCES: dict[str, Reference] = {
    r.key: r
    for r in (
        Reference(
            "nielsen",
            "Nielsen (2015), ch. 5",
            "Michael A. Nielsen",
            "Neural Networks and Deep Learning, chapter 5: Why are deep neural networks hard to train?",
            2015,
            "Determination Press",
            "http://neuralnetworksanddeeplearning.com/chap5.html",
            "book",
        ),
        Reference(
            "blog-vanishing",
            "Vanishing and Exploding Gradients (blog)",
            "Anonymous blog post",
            "Vanishing and Exploding Gradients",
            2021,
            "blog post",
        ),
        Reference(
            "programmathically",
            "Seb (2021)",
            "Seb",
            "Understanding The Exploding and Vanishing Gradients Problem",
            2021,
            "Programmathically (blog), 31 October 2021",
            "https://programmathically.com/understanding-the-exploding-and-vanishing-gradients-problem/",
        ),
        Reference(
            "glorot2010",
            "Glorot and Bengio (2010)",
            "Xavier Glorot and Yoshua Bengio",
            "Understanding the difficulty of training deep feedforward neural networks",
            2010,
            "Proceedings of AISTATS 2010, PMLR 9:249-256",
            "https://proceedings.mlr.press/v9/glorot10a.html",
            "inproceedings",
        ),
        Reference(
            "he2015",
            "He et al. (2015)",
            "Kaiming He, Xiangyu Zhang, Shaoqing Ren and Jian Sun",
            "Delving deep into rectifiers: surpassing human-level performance on ImageNet classification",
            2015,
            "Proceedings of ICCV 2015, 1026-1034",
            "https://arxiv.org/abs/1502.01852",
            "inproceedings",
        ),
        Reference(
            "pascanu2013",
            "Pascanu et al. (2013)",
            "Razvan Pascanu, Tomas Mikolov and Yoshua Bengio",
            "On the difficulty of training recurrent neural networks",
            2013,
            "Proceedings of ICML 2013, PMLR 28(3):1310-1318",
            "https://arxiv.org/abs/1211.5063",
            "inproceedings",
        ),
        Reference(
            "poole2016",
            "Poole et al. (2016)",
            "Ben Poole, Subhaneil Lahiri, Maithra Raghu, Jascha Sohl-Dickstein and Surya Ganguli",
            "Exponential expressivity in deep neural networks through transient chaos",
            2016,
            "Advances in Neural Information Processing Systems 29",
            "https://arxiv.org/abs/1606.05340",
            "inproceedings",
        ),
        Reference(
            "schoenholz2017",
            "Schoenholz et al. (2017)",
            "Samuel S. Schoenholz, Justin Gilmer, Surya Ganguli and Jascha Sohl-Dickstein",
            "Deep information propagation",
            2017,
            "International Conference on Learning Representations (ICLR)",
            "https://arxiv.org/abs/1611.01232",
            "inproceedings",
        ),
        Reference(
            "lecun1998",
            "LeCun et al. (1998)",
            "Yann LeCun, Léon Bottou, Yoshua Bengio and Patrick Haffner",
            "Gradient-based learning applied to document recognition",
            1998,
            "Proceedings of the IEEE 86(11):2278-2324 (the MNIST database)",
            "http://yann.lecun.com/exdb/mnist/",
            "article",
        ),
    )
}


@dataclass(frozen=True)
class Source:
    """Where a problem or claim is posed: a bibliography key and the place in that text."""

    key: str
    where: str

    def __post_init__(self) -> None:
        if self.key not in SOURCES:
            raise ValueError(f"unknown source {self.key!r}; known: {', '.join(SOURCES)}")

    def __str__(self) -> str:
        return f"{SOURCES[self.key].short}, {self.where}"


def _bib_escape(s: str) -> str:
    return s.replace("&", r"\&")


def bibtex() -> str:
    """The bibliography as BibTeX (what the report hands to Typst)."""
    out = []
    for r in SOURCES.values():
        fields = {"author": r.authors.replace(", ", " and ").replace(" and and ", " and "), "title": r.title,
                  "year": str(r.year)}  # fmt: skip
        if r.authors.startswith("Anonymous"):  # not a person's name: braces keep it literal ("Anonymous")
            fields["author"] = "{Anonymous}"
        if r.venue:
            fields[
                "booktitle" if r.kind == "inproceedings" else "journal" if r.kind == "article" else "note"
            ] = r.venue
        if r.kind == "book":
            fields["publisher"] = r.venue
        if r.url:
            fields["url"] = r.url
        body = ",\n".join(f"  {k} = {{{_bib_escape(v)}}}" for k, v in fields.items())
        out.append(f"@{r.kind}{{{r.key},\n{body}\n}}")
    return "\n\n".join(out) + "\n"
