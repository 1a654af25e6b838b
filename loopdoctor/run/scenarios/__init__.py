"""Built-in scenarios, one execution pattern per module."""
