"""Writing safely: files replaced atomically (a reader sees the old file or the new one, never
half of one), UTC timestamps, the errors a full disk or a read-only folder raise, and one
line for a database file that cannot be used.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

SCHEMA_VERSION = 1

# what a full disk, a file-size limit, a quota or a folder made read-only raise
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS, errno.EACCES,
                          errno.EPERM, errno.EIO})


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w"):
    """A file handle whose content replaces path only when the block ends without an error."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({"encoding": "utf-8", "newline": ""} if "b" not in mode
                                     else {})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write a file so that readers see the old content or the new, never a half."""
    with atomic_file(path, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)


class WorkspaceError(Exception):
    """A workspace this version cannot safely use (locked, or written by a newer version)."""


INDEX_FIX = "move it aside and run again (a new one is started; run folders are kept)"

RUN_FIX = "this run cannot be read: audit the site again (other runs are kept)"


def database_problem(path: Path, exc: BaseException, fix: str = INDEX_FIX) -> str:
    """One line for a database file that cannot be used, and what to do."""
    text = str(exc)
    low = text.lower()
    if "not a database" in low or "malformed" in low or "encrypted" in low:
        return (f"{path} is not a usable database ({text}): it is damaged, truncated or another "
                f"program's file; {fix}")
    if "readonly" in low or "read-only" in low or "unable to open" in low:
        return f"cannot write {path} ({text}): give aeo a writable workspace (--workspace)"
    if "full" in low or "too big" in low or "file size" in low:
        return f"cannot write {path} ({text}): free some disk space, or raise the file-size limit"
    return f"cannot use {path}: {text}"
