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
