"""Reading files a user points at without hanging or exhausting memory (numpy-free, stdlib only).

Every reader of user files (projects, CSV data, lessons) goes through here: the path must name a
regular file (not a FIFO, device, socket, folder or a file under /proc, /sys or /dev), it is opened
non-blocking, its size is capped before a byte is read and again while reading, and text is
streamed line by line with a cap on each line's length. Refusals are :class:`UnsafeFile` (a
ValueError) with one plain sentence naming the file.
"""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from .progress import checkpoint

MAX_LINE_CHARS = 1_000_000  # the longest line a CSV file may have (about 50,000 numbers)
MAX_INT_DIGITS = 300  # a JSON integer with more digits than this is refused (1e300 still fits a float)
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")  # live kernel files: their sizes say nothing
_CHUNK = 1 << 20


class UnsafeFile(ValueError):
    """A path the studio will not read; the message says which file and why, in plain words."""


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a disk device"), (stat.S_ISSOCK, "a socket"))


def size_text(n: int) -> str:
    """A byte count for people: 1.5 MB, 12.0 kB, 80 bytes."""
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    return f"{n / 1e3:.1f} kB" if n >= 1e3 else f"{n} bytes"


def check_regular(path: str | os.PathLike, what: str = "file") -> os.stat_result:
    """The file's stat when it is a regular file the studio may read; UnsafeFile (or OSError) else."""
    path = Path(path)
    st = os.stat(path)  # FileNotFoundError / PermissionError: the caller words them
    for test, kind in _KINDS:
        if test(st.st_mode):
            raise UnsafeFile(f"cannot read {path}: it is {kind}, not a {what}")
    if not stat.S_ISREG(st.st_mode):  # pragma: no cover - every other kind is listed above
        raise UnsafeFile(f"{path} is not a regular file, so it is not a {what}")
    real = os.path.realpath(path)
    for top in SYSTEM_FOLDERS:
        if real == top or real.startswith(top + "/"):
            raise UnsafeFile(f"cannot read {path}: it is a live system file under {top}, not a {what}")
    return st


def _open_fd(path: str | os.PathLike, what: str) -> tuple[int, os.stat_result]:
    check_regular(path, what)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)  # the file opened may not be the one checked (a swap in between)
        if not stat.S_ISREG(st.st_mode):
            raise UnsafeFile(f"{path} is not a regular file, so it is not a {what}")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def too_large(path, size: int, limit: int, what: str) -> UnsafeFile:
    return UnsafeFile(f"{Path(path).name} is too large for a {what} ({size / 2**20:.1f} MB; the limit "
                      f"is {limit / 2**20:g} MB)")


def open_binary(path: str | os.PathLike, max_bytes: int, what: str = "file") -> tuple[io.RawIOBase, int]:
    """The regular file opened for reading (unbuffered, non-blocking) and its size, refused when
    larger than ``max_bytes``."""
    fd, st = _open_fd(path, what)
    if st.st_size > max_bytes:
        os.close(fd)
        raise too_large(path, st.st_size, max_bytes, what)
    return _Capped(io.FileIO(fd, "rb", closefd=True), path, max_bytes, what), st.st_size


class _Capped(io.RawIOBase):
    """A raw reader that refuses to hand on more than ``limit`` bytes (a file that grows)."""

    def __init__(self, fh: io.FileIO, path, limit: int, what: str) -> None:
        self.fh, self.path, self.limit, self.what, self.count = fh, path, limit, what, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            n = self.fh.readinto(buffer)
        except BlockingIOError:
            raise UnsafeFile(f"{self.path} has nothing to read yet (it is a live stream, not a "
                             f"{self.what})") from None
        if n is None:  # non-blocking with no data
            raise UnsafeFile(f"{self.path} has nothing to read yet (it is a live stream, not a {self.what})")
        self.count += n
        if self.count > self.limit:
            raise too_large(self.path, self.count, self.limit, self.what)
        return n

    def close(self) -> None:
        self.fh.close()
        super().close()


def read_bytes(path: str | os.PathLike, max_bytes: int, what: str = "file") -> bytes:
    """All of a regular file's bytes, at most ``max_bytes`` of them (UnsafeFile beyond)."""
    raw, size = open_binary(path, max_bytes, what)
    stage = f"reading {Path(path).name}"
    with raw:
        parts, done = [], 0
        while True:
            checkpoint(stage, done / size if size else None)
            block = raw.read(_CHUNK)
            if not block:
                break
            parts.append(block)
            done += len(block)
    return b"".join(parts)


def read_text(path: str | os.PathLike, max_bytes: int, what: str = "file") -> str:
    """A regular file's UTF-8 text (a BOM dropped), at most ``max_bytes``; UnsafeFile when it is not text."""
    raw = read_bytes(path, max_bytes, what)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise UnsafeFile(f"{Path(path).name}, line {line}: the file is not UTF-8 text, so it is not "
                         f"a {what}") from None


def lines(text_stream, where: str, max_chars: int = MAX_LINE_CHARS,
          max_lines: int | None = None) -> Iterator[str]:
    """The stream's lines (CR, LF or CRLF endings kept), each read with a cap: a longer line is
    refused before it is all in memory, and so is a line past ``max_lines`` (blank ones count)."""
    number = 0
    while True:
        line = text_stream.readline(max_chars + 1)
        if not line:
            return
        number += 1
        if max_lines is not None and number > max_lines:
            raise UnsafeFile(f"{where} has more than {max_lines:,} lines (blank lines count), the most "
                             "the studio reads")
        if len(line) > max_chars:
            raise UnsafeFile(f"{where}, line {number} is longer than {max_chars:,} characters (the "
                             "limit for one line)")
        yield line


class BigNumber:
    """A JSON integer too large for a float, kept as a marker so the validator can name its field."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return f"a {len(self.token.lstrip('-'))}-digit integer (too large for a number here)"


def parse_int(token: str):
    """json.loads' parse_int: an int when it fits a float, else a :class:`BigNumber` marker."""
    if len(token.lstrip("-")) > MAX_INT_DIGITS:
        return BigNumber(token)
    return int(token)


def json_loads(text: str, **hooks):
    """json.loads with integers too large for a float kept as :class:`BigNumber` markers."""
    return json.loads(text, parse_int=parse_int, **hooks)
