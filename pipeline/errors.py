"""Edit conflicts on a company's own records are the same thing as on shared ones."""

from sharing.services.collaboration import StaleVersion as EditConflict

__all__ = ["EditConflict"]
