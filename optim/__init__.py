"""optim: PyTorch-style optimizers and learning-rate schedules, updating parameters with
in-place Tensor operations under no_grad."""
