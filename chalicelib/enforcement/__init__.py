"""Enforcement handover (移交执法, Art 27): a final failure handed to the same-level enforcement agency."""
