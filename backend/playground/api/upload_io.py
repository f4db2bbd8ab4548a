"""Reading uploaded files with a size limit (413 beyond it)."""

from __future__ import annotations

from starlette.datastructures import UploadFile  # FastAPI's UploadFile and a parsed form's both are one

from playground.api.errors import ApiError

CHUNK = 1 << 20


async def read_limited(file: UploadFile, limit: int) -> bytes:
    """The whole upload, or 413 as soon as it passes `limit` bytes."""
    parts, total = [], 0
    while True:
        chunk = await file.read(CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            raise ApiError(413, f"file too large: more than {limit} bytes")
        parts.append(chunk)
    return b"".join(parts)
