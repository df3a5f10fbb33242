"""Imported once by the server process the report's workers fork from: every solver and matplotlib,
so that each worker starts with them loaded (see :mod:`gradmath.report.runner`)."""

from .worker import preload

preload()
