"""The click CLI: a thin layer over the coder's Python API, split by subject."""
