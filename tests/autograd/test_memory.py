"""Graph size and freeing: a chain a million operations deep is backpropagated (in time linear
in its depth) and deleted without backward (no recursion, no crash); what backward saved is
released afterwards; a training step's graph is freed by reference counting alone."""

from __future__ import annotations

import gc
import subprocess
import sys
import tracemalloc
import weakref

import numpy as np
import pytest

import autograd_core as ag

DEPTH = 1_000_000


# Both scripts switch the cycle collector off: its passes over a million live objects would
# dominate the time, and the graph needs no cycle collection (reference counting frees it, as
# the gc-disabled tests below check).
BACKPROPAGATE = f"""
import gc, sys, time
import autograd_core as ag

gc.disable()

def chain(depth):
    x = ag.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(depth):
        y = y + 1.0
    start = time.process_time()
    y.backward(ag.ones(1))
    return x, y, time.process_time() - start

x, y, small = chain({DEPTH // 5})
del x, y
x, y, large = chain({DEPTH})
assert y.item() == {DEPTH + 1.0}, y.item()
assert x.grad.item() == 1.0, x.grad
print(sys.getrecursionlimit(), small, large)
"""

DELETE = f"""
import gc
import autograd_core as ag

gc.disable()

x = ag.tensor([1.0], requires_grad=True)
y = x
for _ in range({DEPTH}):
    y = y * 1.0
del y
print("deleted", x.grad)
"""


@pytest.fixture(scope="module")
def deep_chains():
    """Both million-node scripts, started together in fresh interpreters (they run side by side;
    a crash, or the graph's memory, stays in the child)."""
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for name, script in (("backpropagate", BACKPROPAGATE), ("delete", DELETE))
    }
    yield processes
    for process in processes.values():
        if process.poll() is None:
            process.kill()
            process.wait()


def _output(process: subprocess.Popen, timeout: float = 300) -> str:
    """What the script printed; fails with its output if it did not exit cleanly."""
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"exit code {process.returncode}\n{stdout}\n{stderr}"
    return stdout


def test_million_deep_chain_backpropagates_in_linear_time(deep_chains):
    output = _output(deep_chains["backpropagate"])
    limit, small, large = output.split()
    assert int(limit) < DEPTH
    # linear: five times the depth takes about five times the CPU time (quadratic: 25 times)
    assert float(large) < 12 * float(small), output


def test_million_deep_chain_deleted_without_backward(deep_chains):
    assert _output(deep_chains["delete"]).strip() == "deleted None"


def test_deep_chain_in_process_with_a_low_recursion_limit():
    """Sorting, backpropagating and freeing never recurse: 20,000 nodes under a limit of 200."""
    x = ag.tensor([2.0], requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y * 1.0 + 0.0
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        y.backward(ag.ones(1))
        z = x
        for _ in range(20_000):
            z = z * 1.0
        del y, z
    finally:
        sys.setrecursionlimit(limit)
    assert x.grad.item() == 1.0


def test_saved_intermediate_is_released_after_backward():
    x = ag.randn(300, 300, requires_grad=True)
    w = ag.randn(300, 300, requires_grad=True)
    h = x.exp()
    tensor_ref, array_ref = weakref.ref(h), weakref.ref(h.numpy())
    loss = (h * w).sum()
    del h
    assert tensor_ref() is not None and array_ref() is not None, "backward needs it: the graph keeps it"
    loss.backward()
    assert tensor_ref() is None and array_ref() is None
    assert loss.item() == pytest.approx(float((np.exp(x.numpy()) * w.numpy()).sum()), rel=1e-4)


def test_retain_graph_keeps_the_intermediate_until_the_graph_goes():
    x = ag.randn(100, 100, requires_grad=True)
    h = x.sin()
    tensor_ref = weakref.ref(h)
    loss = (h * h).sum()
    del h
    loss.backward(retain_graph=True)
    assert tensor_ref() is not None
    loss.backward()
    assert tensor_ref() is None


def test_graph_memory_is_returned_after_the_step():
    """tracemalloc: once the loss is gone, only the leaves and their .grad remain allocated."""
    x = ag.randn(200, 200, requires_grad=True)
    w = ag.randn(200, 200, requires_grad=True)
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        loss = ((x @ w).tanh() * x.exp()).sum()
        during = tracemalloc.get_traced_memory()[0]
        loss.backward()
        del loss
        end = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    grads = x.grad.numpy().nbytes + w.grad.numpy().nbytes
    assert during - start > 3 * x.numpy().nbytes, "the forward pass holds its intermediates"
    assert end - start < grads + 64 * 1024, (start, during, end, grads)


def test_training_step_graph_is_freed_without_the_cycle_collector():
    """With gc disabled, a training step (matmul, relu, log_softmax, loss, backward, in-place
    update under no_grad) frees its whole graph by reference counting, and leaves no cycle
    for the collector to find."""
    ag.manual_seed(0)
    w1, b1 = ag.randn(20, 16, requires_grad=True), ag.zeros(16, requires_grad=True)
    w2, b2 = ag.randn(16, 5, requires_grad=True), ag.zeros(5, requires_grad=True)
    x, y = ag.randn(8, 20), ag.randint(0, 5, (8,))
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            z1 = x @ w1 + b1
            h1 = z1.relu()
            logits = h1 @ w2 + b2
            log_probabilities = logits.log_softmax(-1)
            loss = -log_probabilities[ag.arange(8), y].mean()
            refs = [weakref.ref(t) for t in (z1, h1, logits, log_probabilities, loss)]
            loss.backward()
            with ag.no_grad():
                for parameter in (w1, b1, w2, b2):
                    parameter.sub_(parameter.grad, alpha=0.1)
                    parameter.grad = None
            del z1, h1, logits, log_probabilities, loss
            assert all(ref() is None for ref in refs)
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0
    assert w1.is_leaf and w1.grad is None


def test_graph_built_but_never_backpropagated_is_freed():
    x = ag.randn(10, 10, requires_grad=True)
    gc.collect()
    gc.disable()
    try:
        h = (x @ x).sigmoid()
        out = (h[2:] * h.sum(0)).max()
        refs = [weakref.ref(h), weakref.ref(out)]
        del h, out
        assert all(ref() is None for ref in refs)
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0
