"""nn.utils: gradient clipping and the parameter/vector conversions."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters


def _with_grads(*grads):
    params = []
    for grad in grads:
        p = nn.Parameter(ag.zeros(len(grad), dtype=ag.float64))
        p.grad = ag.tensor(np.asarray(grad, dtype=np.float64))
        params.append(p)
    return params


def test_clip_grad_norm_scales_all_gradients_together():
    params = _with_grads([3.0, 0.0], [0.0, 4.0, 12.0])
    total = clip_grad_norm_(params, max_norm=6.5)
    assert total.item() == pytest.approx(13.0)
    scale = 6.5 / (13.0 + 1e-6)
    np.testing.assert_allclose(params[0].grad.numpy(), [3.0 * scale, 0.0])
    np.testing.assert_allclose(params[1].grad.numpy(), [0.0, 4.0 * scale, 12.0 * scale])
    joint = np.sqrt(sum((p.grad.numpy() ** 2).sum() for p in params))
    assert joint == pytest.approx(6.5, rel=1e-6)


def test_clip_grad_norm_leaves_small_gradients_alone():
    params = _with_grads([0.3, 0.4])
    assert clip_grad_norm_(params, 1.0).item() == pytest.approx(0.5)
    np.testing.assert_array_equal(params[0].grad.numpy(), [0.3, 0.4])


def test_clip_grad_norm_other_norms_and_single_tensor():
    params = _with_grads([1.0, -5.0], [2.0])
    assert clip_grad_norm_(params, 100.0, norm_type=float("inf")).item() == 5.0
    assert clip_grad_norm_(params, 100.0, norm_type=1).item() == 8.0
    (single,) = _with_grads([6.0, 8.0])
    assert clip_grad_norm_(single, 5.0).item() == pytest.approx(10.0)
    np.testing.assert_allclose(single.grad.numpy(), [3.0, 4.0], rtol=1e-6)


def test_clip_grad_norm_without_gradients_and_nonfinite():
    assert clip_grad_norm_([nn.Parameter(ag.zeros(2))], 1.0).item() == 0.0
    params = _with_grads([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite.*error_if_nonfinite=False"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)


def test_clip_grad_value():
    params = _with_grads([-3.0, 0.5, 2.0])
    clip_grad_value_(params, 1.0)
    np.testing.assert_array_equal(params[0].grad.numpy(), [-1.0, 0.5, 1.0])


def test_clipping_matches_torch():
    torch = pytest.importorskip("torch")
    model = nn.Linear(5, 3)
    torch_model = torch.nn.Linear(5, 3)
    model.load_state_dict({k: v.detach().numpy() for k, v in torch_model.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32) * 10
    (model(ag.tensor(x)) ** 2).sum().backward()
    (torch_model(torch.tensor(x)) ** 2).sum().backward()
    ours = clip_grad_norm_(model.parameters(), 1.0)
    theirs = torch.nn.utils.clip_grad_norm_(torch_model.parameters(), 1.0)
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-5)
    np.testing.assert_allclose(
        model.weight.grad.numpy(), torch_model.weight.grad.numpy(), rtol=1e-5, atol=1e-7
    )


def test_parameters_to_vector_and_back():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vector = parameters_to_vector(model.parameters())
    assert vector.shape == (11,)
    expected = np.concatenate([p.numpy().ravel() for p in model.parameters()])
    np.testing.assert_array_equal(vector.numpy(), expected)
    vector_to_parameters(ag.arange(11.0), model.parameters())
    np.testing.assert_array_equal(model[0].weight.numpy(), np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(model[1].bias.numpy(), [10.0])


def test_parameters_to_vector_is_differentiable():
    model = nn.Linear(2, 2)
    (parameters_to_vector(model.parameters()) ** 2).sum().backward()
    np.testing.assert_allclose(model.weight.grad.numpy(), 2 * model.weight.numpy())


def test_vector_to_parameters_errors():
    params = list(nn.Linear(2, 2).parameters())
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        vector_to_parameters([1.0] * 6, params)
    with pytest.raises(ValueError, match="hold 6 values"):
        vector_to_parameters(ag.zeros(5), params)
