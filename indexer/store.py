"""Index generations on disk, published atomically.

An index directory holds immutable generations and a pointer to the live one::

    data/index/CURRENT        "gen-000007"
    data/index/gen-000007/    a complete Whoosh index

A writer builds the next generation beside the live one (hard links to the
previous generation's files, which Whoosh never rewrites, make this cheap),
then replaces CURRENT with an atomic rename. A reader resolves CURRENT once and
opens that generation, so it sees either the old or the new state, never a
half-written one, and a crash mid-write leaves the live index untouched.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import sys
import time
import zlib

from .errors import DefnewsError

POINTER = "CURRENT"
PREFIX = "gen-"
META = "defnews.json"
# In each generation: readers hold a shared lock on LEASE while they use it;
# RETIRED holds the time it stopped being live.
LEASE = "READERS"
RETIRED = "RETIRED"
# Files derived from a generation's index, written anew for each one.
DERIVED = ("facets.pickle",)
# The writers' lock, beside the generations.
WRITER_LOCK = ".writer.lock"

# A retired generation is kept at least this long, for readers that resolved
# CURRENT a moment before it moved but have not taken their lease yet.
GRACE_SECONDS = 30


class LockedError(DefnewsError):
    """Another writer holds the index."""


def current_generation(index_dir: str) -> str | None:
    """Return the path of the live generation, or None if there is none."""
    try:
        with open(os.path.join(index_dir, POINTER), encoding="utf-8") as f:
            name = f.read().strip()
    except FileNotFoundError:
        return None
    path = os.path.join(index_dir, name)
    return path if name.startswith(PREFIX) and os.path.isdir(path) else None


def read_meta(gen_path: str) -> dict:
    """Return the generation's metadata (analysis version, build time)."""
    try:
        with open(os.path.join(gen_path, META), encoding="utf-8") as f:
            return json.load(f)
    except (FileNotFoundError, ValueError):
        return {}


def is_bookkeeping(name: str) -> bool:
    """Files of a generation that are not index data (locks, leases, meta)."""
    return name.endswith("LOCK") or name in (META, LEASE, RETIRED)


def manifest(
    gen_path: str,
    base: str | None = None,
    skip: tuple[str, ...] = (),
    only: tuple[str, ...] | None = None,
) -> dict[str, list[int]]:
    """Size and CRC-32 of the data files (``only`` those, or all but ``skip``),
    for ``defnews check`` to verify.

    Files hard-linked from ``base`` (the same inode, so the same bytes:
    Whoosh never rewrites a file) reuse the checksum recorded there, so a
    small update does not re-read the whole index.
    """
    known = read_meta(base).get("manifest", {}) if base else {}
    files = {}
    for name in sorted(os.listdir(gen_path)):
        if is_bookkeeping(name) or name in skip or (only is not None and name not in only):
            continue
        path = os.path.join(gen_path, name)
        st = os.stat(path)
        previous = known.get(name)
        if previous and previous[0] == st.st_size and _same_file(base, name, st):
            files[name] = previous
        else:
            files[name] = [st.st_size, file_crc32(path)]
    return files


def file_crc32(path: str) -> int:
    crc = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc


def _same_file(base: str, name: str, st: os.stat_result) -> bool:
    try:
        other = os.stat(os.path.join(base, name))
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino)


def new_generation(index_dir: str, base: str | None) -> str:
    """Create the next generation directory, sharing the files of ``base``."""
    os.makedirs(index_dir, exist_ok=True)
    number = max(_generation_numbers(index_dir), default=0) + 1
    while True:
        path = os.path.join(index_dir, f"{PREFIX}{number:06d}")
        try:
            os.mkdir(path)
            break
        except FileExistsError:
            number += 1
    if base:
        for name in os.listdir(base):
            if is_bookkeeping(name) or name in DERIVED:
                continue  # locks and leases are per directory; the rest is rewritten
            _link_or_copy(os.path.join(base, name), os.path.join(path, name))
    open(os.path.join(path, LEASE), "w").close()
    return path


def publish(index_dir: str, gen_path: str, meta: dict) -> None:
    """Make ``gen_path`` the live generation: flush it, then swap the pointer."""
    with open(os.path.join(gen_path, META), "w", encoding="utf-8") as f:
        json.dump(meta, f)
    for name in os.listdir(gen_path):
        _fsync_file(os.path.join(gen_path, name))
    _fsync_dir(gen_path)
    previous = current_generation(index_dir)
    tmp = os.path.join(index_dir, f".{POINTER}.{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(os.path.basename(gen_path) + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, os.path.join(index_dir, POINTER))
    _fsync_dir(index_dir)
    if previous and previous != gen_path:
        with open(os.path.join(previous, RETIRED), "w", encoding="utf-8") as f:
            f.write(f"{time.time()}\n")


def discard(gen_path: str) -> None:
    """Remove an unpublished generation."""
    shutil.rmtree(gen_path, ignore_errors=True)


def collect_garbage(index_dir: str, now: float | None = None) -> list[str]:
    """Remove generations no reader can still use. Call with the writer lock.

    A generation goes when it is not live and either was never published (a
    crashed writer's leftover: no metadata) or was retired more than
    GRACE_SECONDS ago, and no reader holds its lease.
    """
    now = time.time() if now is None else now
    live = current_generation(index_dir)
    if live is None:
        return []
    live_number = int(os.path.basename(live)[len(PREFIX) :])
    # (The writer lock is held: no other generation is being built now.)
    removed = []
    for number in _generation_numbers(index_dir):
        path = os.path.join(index_dir, f"{PREFIX}{number:06d}")
        if number == live_number:
            continue
        published = os.path.exists(os.path.join(path, META))
        if published and now - _retired_at(path) < GRACE_SECONDS:
            continue
        with _try_exclusive(os.path.join(path, LEASE)) as free:
            if free:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _retired_at(path: str) -> float:
    try:
        with open(os.path.join(path, RETIRED), encoding="utf-8") as f:
            return float(f.read().strip())
    except (OSError, ValueError):
        return os.stat(path).st_mtime if os.path.exists(path) else 0.0


@contextlib.contextmanager
def _try_exclusive(lease_path: str):
    try:
        fd = os.open(lease_path, os.O_RDONLY)
    except FileNotFoundError:
        yield True  # an old or half-made generation without a lease file
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        yield False
        return
    try:
        yield True
    finally:
        os.close(fd)


class ReaderLease:
    """A shared lock on a generation: while held, the generation is not
    collected. Released by ``release()`` or when the process ends."""

    def __init__(self, gen_path: str):
        self.gen_path = gen_path
        self._fd = None
        try:
            self._fd = os.open(os.path.join(gen_path, LEASE), os.O_RDONLY)
            fcntl.flock(self._fd, fcntl.LOCK_SH)
        except OSError:
            self.release()  # no lease file: an old generation; nothing to hold

    def release(self, _close=os.close) -> None:
        # _close is bound now: at interpreter exit, __del__ may run after
        # the os module's globals are gone.
        if self._fd is not None:
            _close(self._fd)
            self._fd = None

    __del__ = release


@contextlib.contextmanager
def writer_lock(index_dir: str, wait: float = 0.0):
    """Hold the index's writer lock; raise LockedError if another run holds
    it for longer than ``wait`` seconds.

    The lock is a kernel ``flock``, dropped when the last descriptor of it
    closes, so it lives exactly as long as the process that took it: a child
    this process forks (an indexing worker) closes its inherited copy at
    once (``_close_in_child``). A lock whose recorded run has exited but
    which leftover processes still hold (orphaned workers of a defnews from
    before that fix) is not honoured: it is taken over (``_take_over``).
    """
    os.makedirs(index_dir, exist_ok=True)
    path = os.path.join(index_dir, WRITER_LOCK)
    deadline = time.monotonic() + wait
    while True:
        fd = _open_lock(path)
        try:
            if _try_flock(fd):
                if _is_current(fd, path):
                    break  # locked, and not a file a takeover replaced meanwhile
            else:
                holder = _exited_holder(fd)
                if holder is not None:
                    _take_over(fd, path, index_dir, holder)
                elif time.monotonic() >= deadline:
                    holder = _recorded_holder(fd)
                    raise LockedError(
                        f"another defnews run (pid {holder or '?'}) is writing {index_dir}; exiting"
                    )
                else:
                    time.sleep(0.1)
        except BaseException:
            _close_lock(fd)
            raise
        _close_lock(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        _close_lock(fd)


# Descriptors of writer locks this process has open.
_held_locks: set[int] = set()


def _open_lock(path: str) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    _held_locks.add(fd)
    return fd


def _close_lock(fd: int) -> None:
    _held_locks.discard(fd)
    os.close(fd)


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _is_current(fd: int, path: str) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _close_in_child() -> None:
    # Closing a copy leaves the parent's lock as it is (LOCK_UN would not).
    for fd in _held_locks:
        with contextlib.suppress(OSError):
            os.close(fd)
    _held_locks.clear()


os.register_at_fork(after_in_child=_close_in_child)


def _exited_holder(fd: int) -> int | None:
    """The pid recorded in a held lock, if that process has exited."""
    holder = _recorded_holder(fd)
    if holder is None or _alive(holder):
        return None
    time.sleep(0.5)  # a new holder may be between its flock and writing its pid
    return holder if _recorded_holder(fd) == holder else None


def _take_over(fd: int, path: str, index_dir: str, holder: int) -> None:
    """Replace the lock file whose run has exited with a fresh one, which the
    caller then locks. Takeovers are serialised by a second lock, and one
    replaces the file only if it is still the one judged stale, so two runs
    that both saw it never both end up writing."""
    guard = os.open(path + ".takeover", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not _is_current(fd, path):
            return  # another run took it over first
        leftovers = ", ".join(map(str, lock_holders(path))) or "unknown"
        fresh = f"{path}.{os.getpid()}"
        os.close(os.open(fresh, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644))
        os.replace(fresh, path)
        print(
            f"defnews: the writer lock of {index_dir} was taken by pid {holder}, which has "
            f"exited, and is still held by pid {leftovers}, left behind by it; taking the "
            f"lock over (end those processes)",
            file=sys.stderr,
        )
    finally:
        os.close(guard)


def _recorded_holder(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie has exited; its parent just has not reaped it yet
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        return stat[stat.rindex(")") + 2] != "Z"
    except (OSError, ValueError, IndexError):
        return True


def lock_holders(path: str) -> list[int]:
    """Pids of the processes with ``path`` open (Linux's /proc; [] elsewhere)."""
    target = os.path.realpath(path)
    pids = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        fd_dir = os.path.join("/proc", entry, "fd")
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue  # gone, or not ours to read
        for fd in fds:
            try:
                if os.readlink(os.path.join(fd_dir, fd)) == target:
                    pids.append(int(entry))
                    break
            except OSError:
                continue
    return pids


def _generation_numbers(index_dir: str) -> list[int]:
    numbers = []
    for name in os.listdir(index_dir) if os.path.isdir(index_dir) else ():
        if name.startswith(PREFIX) and name[len(PREFIX) :].isdigit():
            numbers.append(int(name[len(PREFIX) :]))
    return numbers


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _fsync_file(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
