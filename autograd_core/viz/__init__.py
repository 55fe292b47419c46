"""``autograd_core.viz``: pictures of the computation graph, with values and gradients.

- ``draw_graph(loss)``: every tensor a record (name, shape, value, gradient, badges), every
  operation a node, coloured by gradient size, grouped by module, folded when large.
- ``make_dot(var, params)``: torchviz's name and arguments for the same picture.
- ``draw_backprop_steps(loss)``: the backward pass as a flip-book, one picture per step.
- ``plot_grad_flow(model)``: mean and max |grad| and grad:data ratio per layer (matplotlib).

Laying a graph out needs Graphviz's ``dot`` program (``apt-get install graphviz``,
``brew install graphviz`` or ``conda install graphviz``); the DOT text does not.
"""

from .draw import draw_graph, make_dot
from .grad_flow import plot_grad_flow
from .steps import BackpropSteps, draw_backprop_steps
from .view import GraphView, GraphvizNotInstalledError

__all__ = [
    "BackpropSteps",
    "GraphView",
    "GraphvizNotInstalledError",
    "draw_backprop_steps",
    "draw_graph",
    "make_dot",
    "plot_grad_flow",
]
