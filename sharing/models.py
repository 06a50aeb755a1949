"""Partnerships, shared records and sharing lists live here (public schema); see issue #3."""
