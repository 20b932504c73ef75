"""AWS API to snapshot: raw API payloads stop in this package."""

from chaincut.collect.runner import ProgressCallback, collect

__all__ = ["ProgressCallback", "collect"]
