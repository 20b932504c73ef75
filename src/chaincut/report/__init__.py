"""Rendering: terminal and machine-readable output of chaincut's results."""
