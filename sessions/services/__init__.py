"""Every write that matters, one module per area."""
