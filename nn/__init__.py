"""nn: PyTorch-style neural-network modules, layers, losses and initialisation, built purely
on autograd_core's Tensor operations."""
