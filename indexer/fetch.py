"""Polite HTTP GET for feeds and pages: conditional requests, timeouts,
retries with backoff, a delay per host, size and time caps."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlparse

from . import __version__
from .config import FetchSettings
from .errors import DefnewsError

USER_AGENT = f"defnews/{__version__} (defense-news search indexer; polite, conditional GETs)"
_CHUNK = 64 * 1024


class FetchError(DefnewsError):
    """A URL could not be fetched; the message says why."""


@dataclass(frozen=True)
class Response:
    url: str
    status: int  # 200, or 304 when unchanged since the last fetch
    body: bytes
    headers: dict[str, str]


class Fetcher:
    """One per run: remembers when it last asked each host."""

    def __init__(self, settings: FetchSettings | None = None, sleep=time.sleep):
        self.settings = settings or FetchSettings()
        self.sleep = sleep
        self._last_request: dict[str, float] = {}

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET ``url``; with ``etag``/``last_modified`` an unchanged resource
        answers 304 with no body. Raises FetchError after the retries."""
        if urlparse(url).scheme not in ("http", "https"):
            raise FetchError(f"{url}: only http and https URLs are fetched")
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = self.settings.retries + 1
        for attempt in range(attempts):
            self._wait_for_host(url)
            try:
                return self._get_once(url, headers)
            except FetchError as e:
                if not getattr(e, "retry", False) or attempt == attempts - 1:
                    raise
                self.sleep(min(30.0, 0.5 * 2**attempt))
        raise AssertionError("unreachable")

    def _wait_for_host(self, url: str) -> None:
        host = urlparse(url).netloc
        last = self._last_request.get(host)
        if last is not None:
            pause = self.settings.host_delay - (time.monotonic() - last)
            if pause > 0:
                self.sleep(pause)
        self._last_request[host] = time.monotonic()

    def _get_once(self, url: str, headers: dict) -> Response:
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as response:
                body = self._read_capped(response, url)
                return Response(
                    response.geturl(), response.status, body, dict(response.headers.items())
                )
        except urllib.error.HTTPError as e:
            e.close()  # it holds the connection
            if e.code == 304:
                return Response(url, 304, b"", dict(e.headers.items()))
            error = FetchError(f"{url}: HTTP {e.code} {e.reason}")
            error.retry = e.code >= 500 or e.code == 429
            raise error from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as e:
            reason = getattr(e, "reason", e)
            error = FetchError(f"{url}: {reason}")
            error.retry = True
            raise error from None

    def _read_capped(self, response, url: str) -> bytes:
        """Read at most max_bytes, within a few timeouts in all (an endless
        or trickling response is cut off, not waited for)."""
        deadline = time.monotonic() + 3 * self.settings.timeout
        chunks, size = [], 0
        # read1, not read: read(n) blocks until n bytes arrive, so a server
        # trickling a byte per second would never reach the deadline check.
        while chunk := response.read1(_CHUNK):
            size += len(chunk)
            if size > self.settings.max_bytes:
                raise FetchError(f"{url}: response larger than {self.settings.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchError(
                    f"{url}: response took longer than {3 * self.settings.timeout:.0f}s"
                )
            chunks.append(chunk)
        return b"".join(chunks)
