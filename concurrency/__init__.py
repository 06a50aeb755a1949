"""Optimistic concurrency: every versioned write refuses a stale version and shows both sides.
A low room: Django and DRF only, used by the record kinds, our record of a partner and the
shared records' collaborative edits."""
