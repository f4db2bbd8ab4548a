"""Pydantic v2 request and response models: the only place engine objects become JSON."""
