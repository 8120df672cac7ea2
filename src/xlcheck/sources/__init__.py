"""Readers: one per source format, each producing the same Grid."""
