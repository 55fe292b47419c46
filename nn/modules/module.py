"""``Module``: the base class of every layer and model.

A module holds parameters, buffers and sub-modules as attributes and computes in ``forward``.
Assigning an attribute registers it by its type: a ``Parameter`` goes to ``_parameters``, a
``Module`` to ``_modules``, a tensor passed to ``register_buffer`` to ``_buffers``. Everything
else (``parameters()``, ``state_dict()``, ``train()``, ``to()``, ``repr``) walks that tree.

>>> import autograd_core as ag
>>> import nn
>>> class TwoLayer(nn.Module):
...     def __init__(self):
...         super().__init__()
...         self.fc1 = nn.Linear(4, 8)
...         self.fc2 = nn.Linear(8, 1)
...
...     def forward(self, x):
...         return self.fc2(self.fc1(x).relu())
>>> model = TwoLayer()
>>> [name for name, _ in model.named_parameters()]
['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
>>> model(ag.ones(3, 4)).shape
(3, 1)
"""

from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import autograd_core
from autograd_core import Tensor
from autograd_core.autograd.graph import current_scope, module_scope

from ..parameter import Parameter

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

# Bumped whenever a parameter or sub-module is added, replaced or removed anywhere, so that a
# module called as the outermost one knows when to refresh its parameters' qualified names.
_structure_version = [0]
_hook_ids = itertools.count()


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict(strict=False)`` returns: keys that were missing and unexpected."""

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"

    __str__ = __repr__


class RemovableHandle:
    """Returned by ``register_forward_hook`` and friends: ``handle.remove()`` takes the hook off.

    Also a context manager: ``with module.register_forward_hook(f): ...`` removes it on exit.
    """

    def __init__(self, *hook_dicts: dict) -> None:
        self.id = next(_hook_ids)
        self._hook_dicts = hook_dicts

    def remove(self) -> None:
        for hooks in self._hook_dicts:
            if isinstance(hooks, dict):
                hooks.pop(self.id, None)
            else:
                hooks.discard(self.id)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (PyTorch's helper for nested reprs)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _check_attribute_name(kind: str, name, module: Module) -> None:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name!r}')


class Module:
    """Base class for all neural-network modules: subclass it, create the layers in
    ``__init__`` (after ``super().__init__()``) and compute the output in ``forward``.

    Call the module (``model(x)``), not ``forward``: the call runs the hooks and records the
    module on the graph nodes it creates, so a picture of the graph can group them.
    """

    training: bool

    def __init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", {})
        setattr_(self, "_buffers", {})
        setattr_(self, "_non_persistent_buffers_set", set())
        setattr_(self, "_modules", {})
        setattr_(self, "_forward_pre_hooks", OrderedDict())
        setattr_(self, "_forward_pre_hooks_with_kwargs", set())
        setattr_(self, "_forward_hooks", OrderedDict())
        setattr_(self, "_forward_hooks_with_kwargs", set())
        setattr_(self, "_names_version", -1)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function: define '
            "forward(self, ...) to compute the module's output"
        )

    # ------------------------------------------------------------------------- calling
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` inside ``module_scope(self)``, with the forward hooks around it."""
        if self._names_version != _structure_version[0] and not current_scope():
            self._name_parameters()
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)
        with module_scope(self):
            return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args: tuple, kwargs: dict):
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            "a forward pre-hook registered with with_kwargs=True must return None "
                            f"or a tuple (args, kwargs), got {type(result).__name__}"
                        )
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        with module_scope(self):
            output = self.forward(*args, **kwargs)
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id in self._forward_hooks_with_kwargs:
                result = hook(self, args, kwargs, output)
            else:
                result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def register_forward_pre_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before every forward; it may return replacement args.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs)`` and may return a
        new ``(args, kwargs)``.
        """
        handle = RemovableHandle(self._forward_pre_hooks, self._forward_pre_hooks_with_kwargs)
        _insert_hook(self._forward_pre_hooks, handle.id, hook, prepend)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs.add(handle.id)
        return handle

    def register_forward_hook(
        self, hook: Callable, *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every forward; it may return a new output.

        With ``with_kwargs=True`` the hook is ``hook(module, args, kwargs, output)``.
        """
        handle = RemovableHandle(self._forward_hooks, self._forward_hooks_with_kwargs)
        _insert_hook(self._forward_hooks, handle.id, hook, prepend)
        if with_kwargs:
            self._forward_hooks_with_kwargs.add(handle.id)
        return handle

    # ------------------------------------------------------------------- registration
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or ``None``, a declared but absent one such as ``bias=False``)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                "cannot assign parameter before Module.__init__() call: call super().__init__() "
                f"first in {type(self).__name__}.__init__"
            )
        _check_attribute_name("parameter", name, self)
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(nn.Parameter or None required); wrap it: nn.Parameter(tensor)"
            )
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"cannot assign non-leaf Tensor to parameter '{name}': a parameter must be a "
                "leaf. Compute it in forward, or wrap a detached copy: nn.Parameter(t.detach())"
            )
        self._parameters[name] = param
        _structure_version[0] += 1

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter (BatchNorm's ``running_mean``).

        Buffers move with ``to()``; persistent ones are saved in ``state_dict()``.
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError(
                "cannot assign buffer before Module.__init__() call: call super().__init__() "
                f"first in {type(self).__name__}.__init__"
            )
        _check_attribute_name("buffer", name, self)
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (Tensor or None required)"
            )
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a sub-module, reachable as ``self.<name>``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        if "_modules" not in self.__dict__:
            raise AttributeError(
                "cannot assign module before Module.__init__() call: call super().__init__() "
                f"first in {type(self).__name__}.__init__"
            )
        _check_attribute_name("module", name, self)
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module
        _structure_version[0] += 1

    register_module = add_module

    def __setattr__(self, name: str, value: object) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError(
                    "cannot assign parameters before Module.__init__() call: call "
                    f"super().__init__() first in {type(self).__name__}.__init__"
                )
            self._forget(name, keep="_parameters")
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' (nn.Parameter or "
                    "None expected); wrap it: nn.Parameter(tensor), or change the values in place "
                    "under no_grad"
                )
            self.register_parameter(name, value)
            return
        modules = self.__dict__.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError(
                    "cannot assign module before Module.__init__() call: call "
                    f"super().__init__() first in {type(self).__name__}.__init__"
                )
            self._forget(name, keep="_modules")
            modules[name] = value
            _structure_version[0] += 1
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' (Module or None)"
                )
            modules[name] = value
            _structure_version[0] += 1
            return
        buffers = self.__dict__.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)"
                )
            buffers[name] = value
            return
        object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: str) -> None:
        """Drop ``name`` from the registries other than ``keep`` (where it keeps its place)."""
        self.__dict__.pop(name, None)
        self._buffers.pop(name, None)
        self._non_persistent_buffers_set.discard(name)
        if keep != "_parameters":
            self._parameters.pop(name, None)
        if keep != "_modules":
            self._modules.pop(name, None)

    def __getattr__(self, name: str) -> Tensor | Module:
        """Registered parameters, buffers and sub-modules; anything else is an AttributeError."""
        state = self.__dict__
        if "_parameters" not in state:
            raise AttributeError(
                f"'{type(self).__name__}' object has no attribute '{name}': its Module.__init__ did "
                f"not run. Call super().__init__() first in {type(self).__name__}.__init__"
            )
        for registry in ("_parameters", "_buffers", "_modules"):
            members = state.get(registry)
            if members is not None and name in members:
                return members[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters or name in self._modules:
            self._parameters.pop(name, None)
            self._modules.pop(name, None)
            _structure_version[0] += 1
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list:
        return sorted(
            set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules)
        )

    # ------------------------------------------------------------------------ walking
    def named_modules(
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """``(qualified_name, module)`` for this module and every descendant, depth first."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for the direct sub-modules, each module once."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool):
        seen = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(qualified_name, parameter)`` pairs: ``fc1.weight``, ``0.bias``... each parameter once.

        Called on the whole tree (no prefix), it also gives each parameter its qualified name
        as ``param.name`` (for graph pictures), unless you named it yourself.
        """
        if prefix == "" and recurse and self._names_version != _structure_version[0]:
            self._name_parameters()
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter of this module (and its descendants when ``recurse``), each once."""
        for _, param in self._named_members("_parameters", "", recurse, True):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self._named_members("_buffers", "", recurse, True):
            yield buffer

    def get_submodule(self, target: str) -> Module:
        """The sub-module at a dotted path such as ``"encoder.fc1"`` (``""`` is this module)."""
        module = self
        if target == "":
            return module
        for item in target.split("."):
            child = module._modules.get(item) if isinstance(module, Module) else None
            if child is None:
                raise AttributeError(
                    f"{type(module).__name__} has no submodule `{item}` (looking up {target!r})"
                )
            module = child
        return module

    def _name_parameters(self) -> None:
        """Give parameters their qualified names (``fc1.weight``) unless the user named them."""
        changed = False
        for name, param in self._named_members("_parameters", "", True, True):
            if not isinstance(param, Parameter):
                continue
            current = param.name
            if current == name:
                continue
            auto = getattr(param, "_auto_name", None)
            if current is None or current == auto:
                param.name = name
                param._auto_name = name
                changed = True
        if changed:
            _structure_version[0] += 1
        object.__setattr__(self, "_names_version", _structure_version[0])

    # ------------------------------------------------------------------ mode and grads
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``True``) or evaluation mode on this module and all below it."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {mode!r}")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode: Dropout is the identity, BatchNorm uses its running statistics."""
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to ``None`` (default) or to zeros."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                grad = param.grad.detach() if param.grad.grad_fn is not None else param.grad
                with autograd_core.no_grad():
                    grad.zero_()
                param.grad = grad

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Switch gradient tracking for every parameter (freeze a layer with ``False``)."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def apply(self, fn: Callable[[Module], None]) -> Module:
        """Call ``fn`` on every sub-module (children first) and then on this module.

        >>> import nn
        >>> net = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
        >>> _ = net.apply(lambda m: nn.init.zeros_(m.bias) if isinstance(m, nn.Linear) else None)
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ state dicts
    def state_dict(
        self, *, destination: dict | None = None, prefix: str = "", keep_vars: bool = False
    ) -> dict:
        """An ordered dict of every parameter and persistent buffer by qualified name.

        The values share storage with the module (detached unless ``keep_vars``); save it with
        ``autograd_core.save`` and load it back with ``load_state_dict``.
        """
        if destination is None:
            destination = OrderedDict()
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buffer if keep_vars else buffer.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=f"{prefix}{name}.", keep_vars=keep_vars)
        return destination

    def _local_state(self) -> dict:
        state = {name: param for name, param in self._parameters.items() if param is not None}
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                state[name] = buffer
        return state

    def load_state_dict(self, state_dict: Mapping, strict: bool = True) -> _IncompatibleKeys:
        """Copy the values of ``state_dict`` (Tensors or NumPy arrays) into this module's
        parameters and buffers, in place (the parameter objects stay the same, so an optimizer
        built before keeps working).

        With ``strict=True`` every key must match: missing and unexpected keys raise a
        ``RuntimeError`` that lists them. A value whose shape differs always raises. Returns
        ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}.")
        missing, unexpected, errors = [], [], []
        pending = [("", self)]
        while pending:
            prefix, module = pending.pop(0)
            local = module._local_state()
            for name, target in local.items():
                key = prefix + name
                if key not in state_dict:
                    missing.append(key)
                    continue
                error = _copy_into(key, target, state_dict[key])
                if error is not None:
                    errors.append(error)
            for key in state_dict:
                if not key.startswith(prefix):
                    continue
                head, dot, _ = key[len(prefix) :].partition(".")
                if (dot and head not in module._modules) or (not dot and head not in local):
                    unexpected.append(key)
            for name, child in module._modules.items():
                if child is not None:
                    pending.append((f"{prefix}{name}.", child))
        if strict:
            shapes = {key: tuple(_shape_of(value)) for key, value in state_dict.items()}
            own = self.state_dict(keep_vars=True)
            if unexpected:
                listed = ", ".join(f'"{key}" (shape {shapes[key]})' for key in unexpected)
                errors.insert(0, f"Unexpected key(s) in state_dict: {listed}. ")
            if missing:
                listed = ", ".join(f'"{key}" (expected shape {tuple(own[key].shape)})' for key in missing)
                errors.insert(0, f"Missing key(s) in state_dict: {listed}. ")
        if errors:
            hint = ""
            if strict and (missing or unexpected):
                hint = "\n\tPass strict=False to load only the keys that match."
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors) + hint
            )
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ dtype, device
    def to(
        self,
        *args: Tensor | str | autograd_core.device | DTypeLike,
        **kwargs: str | autograd_core.device | DTypeLike | bool,
    ) -> Module:
        """``to(dtype)``, ``to("cpu")``, ``to(device, dtype)``, ``to(tensor)``: converts the
        floating parameters and buffers in place (the same Parameter objects) and returns self."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, (str, autograd_core.device)):
                device = arg
            else:
                dtype = arg
        if device is not None:
            autograd_core.device(str(device))
        if dtype is None:
            return self
        dtype = autograd_core.dtypes.as_dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
        return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def _apply(self, fn: Callable[[Tensor], Tensor]) -> Module:
        """Convert every parameter (keeping the Parameter object), gradient and buffer with ``fn``."""
        for module in self.children():
            module._apply(fn)
        with autograd_core.no_grad():
            for param in self._parameters.values():
                if param is None:
                    continue
                param.data = fn(param)
                if param.grad is not None:
                    param.grad = fn(param.grad)
            for name, buffer in self._buffers.items():
                if buffer is not None:
                    self._buffers[name] = fn(buffer)
        return self

    def float(self) -> Module:
        return self.to(autograd_core.float32)

    def double(self) -> Module:
        return self.to(autograd_core.float64)

    def cpu(self) -> Module:
        return self

    def cuda(self, device: int | str | autograd_core.device | None = None) -> Module:
        autograd_core.device("cuda")
        return self

    # ------------------------------------------------------------------------ printing
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (``in_features=2, ...``)."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): {_addindent(repr(module), 2)}" for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                text += extra_lines[0]
            else:
                text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


def _insert_hook(hooks: OrderedDict, hook_id: int, hook: Callable, prepend: bool) -> None:
    hooks[hook_id] = hook
    if prepend:
        hooks.move_to_end(hook_id, last=False)


def _shape_of(value) -> tuple:
    shape = getattr(value, "shape", None)
    return tuple(shape) if shape is not None else ()


def _copy_into(key: str, target: Tensor, value) -> str | None:
    """Copy ``value`` into ``target`` under no_grad; an error message if it does not fit."""
    if not isinstance(value, Tensor):
        try:
            value = autograd_core.as_tensor(value)
        except (TypeError, ValueError) as error:
            return f"could not load {key}: {error}"
    if tuple(value.shape) != tuple(target.shape):
        return (
            f"size mismatch for {key}: copying a param with shape {tuple(value.shape)} from checkpoint, "
            f"the shape in current model is {tuple(target.shape)}."
        )
    with autograd_core.no_grad():
        target.copy_(value)
    return None
