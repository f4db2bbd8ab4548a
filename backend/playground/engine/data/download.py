"""Checked downloader for the IDX sets: mirrors in order, temp file, verify, then rename.

`ensure_dataset(name)` makes sure all four files of MNIST or Fashion-MNIST are on
disk (the local data dir or the cache) and fetches the missing ones into
`<cache_dir>/<folder>/`. A file only gets its final name after its checksum and
IDX structure have been verified, so a broken download never looks like data.

    python -m playground.engine.data.download mnist [fashion-mnist] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

from .idx import DataError, decompress_if_gzip
from .mnist import DEFAULT_CACHE_DIR, Folder, IdxFile, check_file, get_set, load_files, locate_files, resolve_cache_dir

DEFAULT_TIMEOUT = 30.0
_CHUNK = 1 << 20
_USER_AGENT = "nn-playground-downloader/1"


def verify_download(file: IdxFile, path: Path) -> None:
    """Check a downloaded file: md5 of the .gz when published, sha256 + structure of its content."""
    raw = path.read_bytes()
    if file.md5_gz is not None:
        digest = hashlib.md5(raw).hexdigest()
        if digest != file.md5_gz:
            raise DataError(f"md5 of the download is {digest}, expected {file.md5_gz}")
    check_file(file, decompress_if_gzip(raw, path.name), path.name)


def _fetch_to(url: str, dest: Path, timeout: float) -> int:
    """Stream `url` into `dest`; returns the byte count."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    size = 0
    with urllib.request.urlopen(request, timeout=timeout) as response, open(dest, "wb") as out:
        while chunk := response.read(_CHUNK):
            out.write(chunk)
            size += len(chunk)
    return size


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot connect ({exc.reason})"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return str(exc) or type(exc).__name__


def download_file(file: IdxFile, mirrors: Iterable[str], dest_dir: Path, timeout: float = DEFAULT_TIMEOUT,
                  log: Callable[[str], None] | None = None) -> Path:
    """Fetch `<mirror><filename>.gz` from the first mirror that serves a verified copy."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / f"{file.filename}.gz"
    tried = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + f"{file.filename}.gz"
        # The temp file sits beside the target so the final rename is atomic (same filesystem).
        fd, tmp_name = tempfile.mkstemp(prefix=f".{file.filename}.", suffix=".part", dir=dest_dir)
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            size = _fetch_to(url, tmp, timeout)
            verify_download(file, tmp)
            os.replace(tmp, final)
        except (OSError, DataError, ValueError) as exc:
            tmp.unlink(missing_ok=True)
            tried.append(f"{url}: {_describe(exc)}")
            if log:
                log(f"  {url}: {_describe(exc)}")
            continue
        if log:
            log(f"  {url}: ok, {size} bytes verified")
        return final
    raise DataError(f"could not download {file.filename}.gz; tried: " + ("; ".join(tried) or "no mirrors"))


def ensure_dataset(name: str, data_dir: Folder = None, cache_dir: Folder = None, mirrors: Iterable[str] | None = None,
                   timeout: float = DEFAULT_TIMEOUT, log: Callable[[str], None] | None = None) -> dict[str, Path]:
    """role -> path of each file of `name`, downloading the missing ones into the cache dir.

    Files already present (data dir or cache) are used as they are, without a
    request; they are verified when loaded. `mirrors` overrides the set's list.
    """
    spec = get_set(name)
    found = locate_files(name, data_dir, cache_dir)
    paths = {role: path for role, path in found.items() if path is not None}
    missing = [role for role in found if role not in paths]
    if not missing:
        return paths
    dest_dir = resolve_cache_dir(cache_dir) / spec.folder
    mirrors = tuple(mirrors) if mirrors is not None else spec.mirrors
    try:
        for role in missing:
            if log:
                log(f"{name}: fetching {spec.files[role].filename}.gz into {dest_dir}")
            paths[role] = download_file(spec.files[role], mirrors, dest_dir, timeout, log)
    except DataError as exc:
        raise DataError(f"{name}: {exc}") from None
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m playground.engine.data.download",
        description="Fetch MNIST / Fashion-MNIST IDX files into the cache and verify them.",
    )
    parser.add_argument("names", nargs="+", help="mnist and/or fashion-mnist")
    parser.add_argument("--data-dir", help="local folder checked first (default: PLAYGROUND_DATA_DIR)")
    # A command line reads its environment here; the engine's functions take the folder.
    parser.add_argument("--cache-dir", default=os.environ.get("PLAYGROUND_CACHE_DIR") or None,
                        help=f"download folder (default: PLAYGROUND_CACHE_DIR or {DEFAULT_CACHE_DIR})")
    parser.add_argument("--mirror", action="append", help="base URL to try instead of the built-in mirrors (repeatable)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per request")
    args = parser.parse_args(argv)
    status = 0
    for name in args.names:
        try:
            paths = ensure_dataset(name, data_dir=args.data_dir, cache_dir=args.cache_dir,
                                   mirrors=args.mirror, timeout=args.timeout, log=print)
            # Files found on disk were not checked by ensure_dataset; loading checks them all.
            load_files(name, paths)
        except DataError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 1
            continue
        for role, path in paths.items():
            print(f"{name} {role}: {path}")
        print(f"{name}: all files verified")
    return status


if __name__ == "__main__":
    sys.exit(main())
