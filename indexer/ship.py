"""Shipping the live generation to a replica index directory.

A replica is an index directory of its own (``CURRENT`` and generations),
read by its own ``defnews serve``. Shipping copies the source's live
generation into a new generation there, checks every file against the
source's manifest (size and CRC-32) as it copies, and only then swaps the
replica's ``CURRENT`` with the same atomic publish a writer uses. A server
on the replica re-resolves ``CURRENT`` per request, so it picks the new
generation up without a restart and never sees a half-copied one.

Whoosh never rewrites a segment file, so a file the replica's live
generation already holds with the same size and checksum is hard-linked,
not copied: after the first ship, a ship costs the new segments only.
"""

from __future__ import annotations

import os
import shutil
import time
import zlib
from dataclasses import dataclass

from . import store
from .errors import DefnewsError, IndexMissingError

_CHUNK = 1 << 20


@dataclass
class ShipReport:
    source: str  # the source generation's path
    replica: str  # the replica generation's path (the one already live when up to date)
    copied_files: int = 0
    copied_bytes: int = 0
    linked_files: int = 0
    seconds: float = 0.0
    up_to_date: bool = False

    def summary(self) -> str:
        source = os.path.basename(self.source)
        replica = os.path.basename(self.replica)
        if self.up_to_date:
            return f"up to date: {replica} is {source}"
        return (
            f"shipped {source} as {replica}: {self.copied_files} files copied "
            f"({self.copied_bytes / 1e6:.1f} MB), {self.linked_files} linked, "
            f"in {self.seconds:.1f} s"
        )


def ship(index_dir: str, replica_dir: str, wait: float = 0.0) -> ShipReport:
    """Copy ``index_dir``'s live generation to ``replica_dir`` and make it
    live there. Raise LockedError if another ship holds the replica."""
    started = time.monotonic()
    if os.path.abspath(index_dir) == os.path.abspath(replica_dir):
        raise DefnewsError(f"the replica {replica_dir} is the index itself")
    source = store.current_generation(index_dir)
    if source is None:
        raise IndexMissingError(f"no index at {index_dir} to ship")
    lease = store.ReaderLease(source)  # the source's writers keep it meanwhile
    try:
        meta = store.read_meta(source)
        wanted = meta.get("manifest")
        if not wanted:
            raise DefnewsError(
                f"{source} has no manifest (built by an older defnews); "
                "rebuild it before shipping: defnews reindex --rebuild"
            )
        with store.writer_lock(replica_dir, wait):
            live = store.current_generation(replica_dir)
            have = store.read_meta(live).get("manifest", {}) if live else {}
            if live and have == wanted:
                return ShipReport(source, live, up_to_date=True)
            report = ShipReport(source, store.new_generation(replica_dir, base=None))
            try:
                for name, (size, crc) in sorted(wanted.items()):
                    src = os.path.join(source, name)
                    dst = os.path.join(report.replica, name)
                    if live and have.get(name) == [size, crc] and _link(live, name, dst):
                        report.linked_files += 1
                        continue
                    _copy_checked(src, dst, size, crc)
                    report.copied_files += 1
                    report.copied_bytes += size
                shipped = {**meta, "shipped_from": os.path.abspath(source)}
                store.publish(replica_dir, report.replica, shipped)
            except BaseException:
                store.discard(report.replica)
                raise
            store.collect_garbage(replica_dir)
    finally:
        lease.release()
    report.seconds = time.monotonic() - started
    return report


def _link(live: str, name: str, dst: str) -> bool:
    try:
        os.link(os.path.join(live, name), dst)
        return True
    except OSError:
        return False  # another file system: copy it


def _copy_checked(src: str, dst: str, size: int, crc: int) -> None:
    """Copy ``src`` to ``dst``, checking the bytes against the manifest."""
    got_size, got_crc = 0, 0
    try:
        with open(src, "rb") as fin, open(dst, "wb") as fout:
            while chunk := fin.read(_CHUNK):
                got_size += len(chunk)
                got_crc = zlib.crc32(chunk, got_crc)
                fout.write(chunk)
        shutil.copystat(src, dst)
    except OSError as e:
        raise DefnewsError(f"cannot copy {src}: {e.strerror or e}; nothing was shipped") from None
    if (got_size, got_crc) != (size, crc):
        raise DefnewsError(
            f"{src} is {got_size} bytes with CRC-32 {got_crc:08x}, but its generation's "
            f"manifest says {size} bytes, {crc:08x}: the source is damaged or still being "
            "copied; nothing was shipped"
        )
