"""Edit conflicts on a company's own records are the same thing as on shared ones."""

from concurrency.versioning import StaleVersion as EditConflict

__all__ = ["EditConflict"]
