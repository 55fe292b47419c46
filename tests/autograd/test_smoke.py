import numpy as np

import autograd_core as ag


def test_scalar_expression_gradient():
    x = ag.tensor(3.0, requires_grad=True)
    y = x * x + 2 * x
    y.backward()
    assert y.item() == 15.0
    assert x.grad.item() == 8.0


def test_matmul_vector_gradient():
    a = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (a @ b).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [[1, 2, 3], [1, 2, 3]])
    np.testing.assert_allclose(b.grad.numpy(), [3, 5, 7])


def test_tensor_name_labels_the_tensor():
    w = ag.tensor([0.5, 0.3], requires_grad=True, name="w")
    assert w.name == "w"
    assert ag.tensor(1.0).name is None


def test_readme_tour_neuron():
    x = ag.tensor([1.0, -2.0], name="x")
    w = ag.tensor([0.5, 0.3], requires_grad=True, name="w")
    b = ag.tensor(0.1, requires_grad=True, name="b")
    y = (w @ x + b).tanh()
    y.backward()
    slope = 1 - np.tanh(0.5 - 0.6 + 0.1) ** 2
    np.testing.assert_allclose(w.grad.numpy(), slope * np.array([1.0, -2.0]), rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), slope, rtol=1e-6)
    source = ag.viz.draw_graph(y).source
    assert all(label in source for label in ("w", "b", "x", "tanh"))
