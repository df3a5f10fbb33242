"""gradmath: why deep neural networks are hard to train (Nielsen, ch. 5), solved and checked.

The public API:

- :func:`solve` and :data:`PROBLEMS`: one solver per textbook problem and claim, each returning a
  :class:`Solution` (statement, derivation steps, answer, independent checks, figures, verdict);
  :class:`RunOptions` (quick, seeds, data, progress) says how to run them.
- :class:`Text` and :func:`tx`: rich text with inline maths, rendered to Typst, Unicode and Markdown.
- :func:`interval_width`, :func:`activation_interval`, :func:`interval_width_max`: Problem 1.
- :class:`Network`: a vectorised NumPy network with the book's network2 semantics.
- :func:`load_mnist`, :func:`read_idx`: real MNIST, embedded subset or the full files.

Examples
--------
>>> import gradmath
>>> sol = gradmath.solve("interval-width-max")
>>> round(sol.answer["width"], 2)
0.45
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# name -> module that defines it; imported on first use, so that `import gradmath` does not import SymPy,
# SciPy and every solver: `python -m gradmath.report` starts its worker processes before it imports them
_LAZY = {
    "solve": "registry",
    "PROBLEMS": "registry",
    "RunOptions": "registry",
    "Solution": "contract",
    "Check": "contract",
    "Step": "contract",
    "Table": "contract",
    "AnswerLine": "contract",
    "Finding": "contract",
    "Correction": "contract",
    "Verdict": "contract",
    "Figure": "contract",
    "Panel": "contract",
    "Series": "contract",
    "Text": "text",
    "tx": "text",
    "interval_width": "bounds",
    "activation_interval": "bounds",
    "interval_width_max": "bounds",
    "Network": "network",
    "TrainingHistory": "training",
    "load_mnist": "datasets",
    "read_idx": "datasets",
    "MnistData": "datasets",
    "activations": None,
}

__all__ = list(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        module = _LAZY[name]
        if module is None:
            return importlib.import_module(f"gradmath.{name}")
        value = getattr(importlib.import_module(f"gradmath.{module}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'gradmath' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
