"""Integrity (完整性): the nightly check that every audit chain still verifies."""
