"""Grad mode: no_grad, enable_grad and set_grad_enabled as context managers and decorators,
nesting, exceptions, and threads (grad mode is a context variable)."""

from __future__ import annotations

import threading

import pytest

import autograd_core as ag


def _leaf():
    return ag.tensor([1.0, 2.0], requires_grad=True)


def test_no_grad_context_records_nothing_and_restores():
    x = _leaf()
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        y = x * 2
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert (x * 2).grad_fn is not None


def test_no_grad_decorator():
    @ag.no_grad()
    def double(t):
        assert not ag.is_grad_enabled()
        return t * 2

    assert double.__name__ == "double"
    assert double(_leaf()).grad_fn is None
    assert ag.is_grad_enabled()


def test_enable_grad_inside_no_grad():
    x = _leaf()
    with ag.no_grad():
        with ag.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad

    @ag.enable_grad()
    def record(t):
        return t * 3

    with ag.no_grad():
        assert record(x).requires_grad


def test_set_grad_enabled_as_context_function_and_decorator():
    x = _leaf()
    with ag.set_grad_enabled(False):
        assert (x * 2).grad_fn is None
    assert ag.is_grad_enabled()
    with ag.no_grad():
        with ag.set_grad_enabled(True):
            assert (x * 2).grad_fn is not None
        assert not ag.is_grad_enabled()

    ag.set_grad_enabled(False)
    try:
        assert not ag.is_grad_enabled()
    finally:
        ag.set_grad_enabled(True)
    assert ag.is_grad_enabled()

    @ag.set_grad_enabled(False)
    def evaluate(t):
        return t * 2

    assert ag.is_grad_enabled()
    assert evaluate(x).grad_fn is None and ag.is_grad_enabled()


def test_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError):
        with ag.no_grad():
            raise ValueError("inside")
    assert ag.is_grad_enabled()

    @ag.no_grad()
    def failing():
        raise KeyError("inside")

    with pytest.raises(KeyError):
        failing()
    assert ag.is_grad_enabled()


def test_nested_no_grad_blocks():
    with ag.no_grad():
        with ag.no_grad():
            assert not ag.is_grad_enabled()
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_grad_mode_is_per_thread():
    """A no_grad block in one thread does not switch recording off in another."""
    inside = threading.Event()
    release = threading.Event()
    seen = {}

    def worker_without_grad():
        with ag.no_grad():
            inside.set()
            release.wait(5)
            seen["worker"] = (_leaf() * 2).requires_grad

    thread = threading.Thread(target=worker_without_grad)
    thread.start()
    assert inside.wait(5)
    seen["main"] = (_leaf() * 2).requires_grad
    other = {}
    probe = threading.Thread(target=lambda: other.setdefault("enabled", ag.is_grad_enabled()))
    probe.start()
    probe.join()
    release.set()
    thread.join()
    assert seen == {"worker": False, "main": True}
    assert other["enabled"] is True


def test_a_new_thread_starts_with_grad_enabled_even_inside_no_grad():
    result = {}
    with ag.no_grad():
        thread = threading.Thread(target=lambda: result.setdefault("enabled", ag.is_grad_enabled()))
        thread.start()
        thread.join()
    assert result["enabled"] is True


def test_backward_runs_without_recording_unless_create_graph():
    x = _leaf()
    seen = []
    h = x * 2
    h.register_hook(lambda g: seen.append(ag.is_grad_enabled()))
    (h * h).sum().backward(retain_graph=True)
    (h * h).sum().backward(create_graph=True)
    assert seen == [False, True]
    assert ag.is_grad_enabled()
