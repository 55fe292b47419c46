"""The examples in the viz docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["draw", "summary", "steps", "grad_flow"])
def test_docstring_examples_run(name):
    failures, attempted = doctest.testmod(importlib.import_module(f"autograd_core.viz.{name}"))
    assert attempted > 0 and failures == 0
