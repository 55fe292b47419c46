"""``Optimizer``: the base of every optimizer, as ``torch.optim.Optimizer``.

An optimizer holds the parameters in *parameter groups*: each group is a dict with the key
``"params"`` (a list of tensors) and the options (``lr``, ``momentum``...) that apply to those
parameters. Options missing from a group come from ``defaults``. Per-parameter memory (momentum
buffers, running averages, step counts) lives in ``state[param]``.

A subclass states its update rule for one parameter in ``_update(param, grad, state, group)``;
``step`` calls it under ``no_grad`` for every parameter that has a gradient. The update changes
the parameter in place with Tensor operations (``add_``, ``mul_``, ``addcdiv_``...)::

    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss_fn(model(inputs), targets).backward()
        optimizer.step()
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from autograd_core import Tensor, enable_grad, no_grad

# Options that must be >= 0 in every optimizer that has them: the name PyTorch's error uses,
# and the values a learner would normally give.
_NON_NEGATIVE_OPTIONS = {
    "lr": ("learning rate", "typical values are 1e-4 to 1e-1"),
    "eps": ("epsilon value", "typical values are 1e-10 to 1e-6"),
    "weight_decay": ("weight_decay value", "typical values are 1e-5 to 1e-1"),
    "momentum": ("momentum value", "typical values are 0 or 0.9"),
    "alpha": ("alpha value", "the usual smoothing constant is 0.99"),
    "lr_decay": ("lr_decay value", "0 keeps the learning rate fixed"),
    "initial_accumulator_value": ("initial_accumulator_value value", "the default is 0"),
    "damping": ("damping", "0 for a pure Newton step, larger for shorter steps"),
}


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``step``, ``zero_grad`` and state dicts.

    ``params`` is an iterable of tensors (one group) or of dicts (several groups, each with
    ``"params"`` and any options that differ from ``defaults``)::

        SGD([{"params": model.body.parameters()},
             {"params": model.head.parameters(), "lr": 1e-3}], lr=1e-2, momentum=0.9)
    """

    def __init__(self, params: Iterable, defaults: dict[str, Any]) -> None:
        self._check_options(defaults)
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        groups = _as_groups(params)
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (the others come from ``defaults``).

        Useful when fine-tuning: unfreeze a layer and hand its parameters to the optimizer.
        A parameter may belong to one group only.
        """
        if not isinstance(param_group, dict):
            raise TypeError(
                f"a parameter group must be a dict with a 'params' key, got {type(param_group).__name__}"
            )
        if "params" not in param_group:
            raise ValueError(
                "a parameter group needs a 'params' key: {'params': model.layer.parameters(), 'lr': 0.01}"
            )
        group = dict(param_group)
        group["params"] = _as_param_list(group["params"])
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._check_options(group)
        seen = {id(p) for existing in self.param_groups for p in existing["params"]}
        for index, param in enumerate(group["params"]):
            if id(param) in seen:
                raise ValueError(
                    f"parameter {index} of the new group (shape {tuple(param.shape)}) is given to the "
                    "optimizer twice: a parameter may appear once, in one group only. Remove the "
                    "duplicate (shared layers yield their parameters once from model.parameters())."
                )
            seen.add(id(param))
        self.param_groups.append(group)

    def _check_options(self, options: dict[str, Any]) -> None:
        """Raise ValueError for an invalid option value.

        Every option named in ``_NON_NEGATIVE_OPTIONS`` (``lr``, ``eps``, ``weight_decay``...)
        must be >= 0; subclasses add the checks peculiar to their own options.
        """
        for key, (what, hint) in _NON_NEGATIVE_OPTIONS.items():
            if key in options and not 0.0 <= options[key]:
                raise ValueError(f"Invalid {what}: {options[key]}. {key} must be >= 0 ({hint}).")

    # ------------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of all parameters (``grad = None``, or zeros in place)."""
        for group in self.param_groups:
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                    continue
                if grad.grad_fn is not None:
                    grad.detach_()
                else:
                    grad.requires_grad_(False)
                grad.zero_()

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; return ``closure()``'s loss if given.

        ``closure`` re-evaluates the model and returns the loss (it runs with grad enabled);
        optimizers that need several evaluations per step (L-BFGS) rely on it.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            state = self.state
            for group in self.param_groups:
                for param in group["params"]:
                    grad = param.grad
                    if grad is not None:
                        self._update(param, grad, state[param], group)
        return loss

    def _update(self, param: Tensor, grad: Tensor, state: dict[str, Any], group: dict[str, Any]) -> None:
        """Change ``param`` in place, given its gradient, its state and its group's options."""
        raise NotImplementedError(f"{type(self).__name__} must define _update(param, grad, state, group)")

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state in PyTorch's layout, with parameters replaced by integer ids.

        ``{"state": {0: {"momentum_buffer": tensor(...)}, ...},
        "param_groups": [{"lr": 0.1, ..., "params": [0, 1]}, ...]}``. Ids count the
        parameters in group order. Tensors are copies: stepping on does not change a saved dict.
        """
        ids: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = [ids.setdefault(id(p), len(ids)) for p in group["params"]]
            groups.append(packed)
        state = {
            ids[id(param)]: {key: _copy_value(value) for key, value in values.items()}
            for param, values in self.state.items()
            if values
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state from ``state_dict()``: the run continues exactly where it stopped.

        The optimizer must have been built over the same parameters in the same groups.
        State tensors are copied and cast to their parameter's dtype (the step count stays as is).
        """
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError(
                "an optimizer state dict is a dict with the keys 'state' and 'param_groups' "
                "(as returned by optimizer.state_dict()); got "
                f"{sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__}"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"the state dict has {len(saved_groups)} parameter group(s) but this optimizer has "
                f"{len(self.param_groups)}. Build the optimizer with the same groups as the one saved."
            )
        for index, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"parameter group {index} has {len(group['params'])} parameter(s) but the state "
                    f"dict's group {index} has {len(saved['params'])}. Build the optimizer over the "
                    "same model as the one saved."
                )
        params_by_id = {
            int(saved_id): param
            for saved, group in zip(saved_groups, self.param_groups)
            for saved_id, param in zip(saved["params"], group["params"])
        }
        state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for saved_id, values in state_dict["state"].items():
            param = params_by_id.get(int(saved_id))
            if param is None:
                raise ValueError(
                    f"the state dict has state for parameter id {saved_id}, which is in none of its "
                    f"parameter groups (ids {sorted(params_by_id)})"
                )
            state[param] = {key: _cast_like(value, param, key) for key, value in values.items()}
        self.state = state
        self.param_groups = [
            {**{key: value for key, value in saved.items() if key != "params"}, "params": group["params"]}
            for saved, group in zip(saved_groups, self.param_groups)
        ]

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        lines.append(")")
        return "\n".join(lines)


# ---------------------------------------------------------------------- helpers
def _as_groups(params) -> list[dict[str, Any]]:
    """The constructor's ``params`` as a list of group dicts."""
    if isinstance(params, Tensor):
        raise TypeError(
            "params must be an iterable of tensors or of dicts, got a single Tensor. "
            "Wrap it in a list: SGD([w], lr=0.1)."
        )
    if hasattr(params, "parameters") and callable(params.parameters):
        raise TypeError(
            f"params must be an iterable of tensors, got the {type(params).__name__} itself. "
            "Pass model.parameters()."
        )
    _refuse_set(params)
    try:
        items = list(params)
    except TypeError:
        raise TypeError(
            f"params must be an iterable of tensors or of dicts, got {type(params).__name__}. "
            "Pass model.parameters() or a list of tensors."
        ) from None
    if not items:
        raise ValueError(
            "the optimizer got an empty parameter list: the model has no parameters, or "
            "model.parameters() was already used up (it is a generator; call it again)."
        )
    if all(isinstance(item, dict) for item in items):
        return items
    if any(isinstance(item, dict) for item in items):
        raise TypeError("params mixes dicts and tensors: give either tensors (one group) or dicts (groups)")
    return [{"params": items}]


def _as_param_list(params) -> list[Tensor]:
    if isinstance(params, Tensor):
        params = [params]
    _refuse_set(params)
    params = list(params)
    for index, param in enumerate(params):
        if not isinstance(param, Tensor):
            raise TypeError(
                f"an optimizer can only optimize Tensors, but parameter {index} is a "
                f"{type(param).__name__}. Pass model.parameters() or a list of tensors."
            )
        if not param.is_leaf:
            raise ValueError(
                f"can't optimize a non-leaf Tensor (parameter {index}, shape {tuple(param.shape)}, "
                f"made by {param.grad_fn.name()}): an optimizer updates leaves. Create the parameter "
                "directly (tensor(..., requires_grad=True)) or pass x.detach().requires_grad_()."
            )
        if not param.is_floating_point():
            raise TypeError(
                f"parameter {index} is a {param.dtype} tensor: only floating-point tensors can be "
                "optimized. Make it float first (t.float())."
            )
    return params


def _refuse_set(params) -> None:
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            "parameters must be given in an ordered collection (a list), not a set: the order of "
            "a set changes between runs, and state dicts refer to parameters by position."
        )


def _copy_value(value):
    return value.clone() if isinstance(value, Tensor) else value


def _cast_like(value, param: Tensor, key: str):
    """A copy of a saved state value; tensors other than the step count take the param's dtype."""
    if not isinstance(value, Tensor):
        return value
    value = value.detach().clone()
    if key != "step" and param.is_floating_point():
        value = value.to(param.dtype)
    return value
