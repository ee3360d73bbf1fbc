"""The HTTP side of pushes: a small streaming client, credentials, and retries with backoff.

Failures are sorted into two kinds: :class:`Transient` (refused or lost
connections, timeouts, HTTP 408/425/429/5xx), which :func:`retrying` tries
again, and :class:`Fatal` (bad URL, unknown host, other HTTP errors), which it
reports at once. Passwords never reach a message: URLs are shown
:func:`redact`-ed.

>>> redact("http://alice:s3cret@127.0.0.1:7878/store")
'http://127.0.0.1:7878/store'
"""

from __future__ import annotations

import base64
import http.client
import netrc
import os
import socket
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ArgumentError, StoreError

__all__ = ["CHUNK", "RETRY_STATUS", "Fatal", "HttpClient", "Transient", "auth_header", "http_error", "redact",
           "retrying"]


class Transient(Exception):
    """A failure worth retrying: connection refused/reset, timeout, HTTP 408/429/5xx."""


class Fatal(Exception):
    """A failure retrying cannot fix: HTTP 4xx, bad URL, unknown host."""


#: HTTP statuses worth a retry.
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
#: Bytes sent per write when streaming a file.
CHUNK = 1 << 20


def redact(url: str) -> str:
    """*url* without user:password."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def auth_header(url: str, given: tuple[str, str] | None) -> str | None:
    """An ``Authorization`` header value, from *given*, the URL, env vars or ~/.netrc.

    >>> auth_header("http://bob:pw@h/store", None)
    'Basic Ym9iOnB3'
    """
    parts = urllib.parse.urlsplit(url)
    user = password = None
    if given is not None:
        user, password = given
    elif parts.username is not None:
        user, password = urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
    elif os.environ.get("KG_SPARQL_USER"):
        user, password = os.environ["KG_SPARQL_USER"], os.environ.get("KG_SPARQL_PASSWORD", "")
    else:
        try:
            auth = netrc.netrc(os.environ.get("NETRC") or None).authenticators(parts.hostname or "")
        except FileNotFoundError:
            auth = None
        except (netrc.NetrcParseError, OSError) as exc:
            # the message names the file and line, never its content
            where = getattr(exc, "filename", None) or "~/.netrc"
            raise StoreError(f"cannot read {where} (line {getattr(exc, 'lineno', '?')})",
                             hint="fix it, or set KG_SPARQL_USER / KG_SPARQL_PASSWORD") from None
        if auth:
            user, password = auth[0], auth[2] or ""
    if user is None:
        return None
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


class HttpClient:
    """Minimal HTTP over http.client: one connection per request, streamed bodies, clear errors."""

    def __init__(self, url: str, *, timeout: float, auth: str | None) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ArgumentError(f"not an http(s) URL: {redact(url)!r}",
                                hint="e.g. --endpoint http://127.0.0.1:7878/store")
        self.parts = parts
        self.timeout = timeout
        self.auth = auth
        self.where = redact(url)

    def request(self, method: str, query: Mapping[str, str] | None = None, *, body: Any = None,
                headers: Mapping[str, str] | None = None, size: int | None = None,
                progress: Callable[[int, int], None] | None = None) -> tuple[int, bytes, dict[str, str]]:
        """Send one request; return status, body and lower-cased headers, or raise Transient/Fatal.

        *body* is bytes, or a binary file object streamed in :data:`CHUNK`-byte writes
        (*size* bytes in all, reported to *progress* as ``(sent, size)``).
        """
        p = self.parts
        cls = http.client.HTTPSConnection if p.scheme == "https" else http.client.HTTPConnection
        conn = cls(p.hostname, p.port, timeout=self.timeout)
        target = p.path or "/"
        qs = "&".join(x for x in (p.query, urllib.parse.urlencode(query or {})) if x)
        if qs:
            target += "?" + qs
        try:
            conn.putrequest(method, target)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            if self.auth:
                conn.putheader("Authorization", self.auth)
            if isinstance(body, (bytes, bytearray)):
                conn.putheader("Content-Length", str(len(body)))
                conn.endheaders()
                conn.send(body)
            elif body is not None:  # a binary file object: stream it
                conn.putheader("Content-Length", str(size))
                conn.endheaders()
                sent = 0
                while chunk := body.read(CHUNK):
                    conn.send(chunk)
                    sent += len(chunk)
                    if progress is not None:
                        progress(sent, size or 0)
            else:
                conn.endheaders()
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, data, {k.lower(): v for k, v in resp.getheaders()}
        except socket.gaierror as exc:
            raise Fatal(f"cannot resolve host {p.hostname!r} ({exc.strerror})") from None
        except TimeoutError:
            raise Transient(f"timed out after {self.timeout:g} s") from None
        except ConnectionRefusedError:
            raise Transient("connection refused (is the server running?)") from None
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            raise Transient(f"connection lost ({type(exc).__name__}: {exc})".replace(": )", ")")) from None
        finally:
            conn.close()


def http_error(status: int, body: bytes, what: str) -> Exception:
    """A Transient or Fatal error for an HTTP *status*, with the first line of the server's answer.

    >>> http_error(503, b"busy\\nmore", "PUT")
    Transient('PUT answered HTTP 503: busy')
    """
    msg = body.decode("utf-8", "replace").strip().splitlines()
    detail = f": {msg[0][:200]}" if msg else ""
    text = f"{what} answered HTTP {status}{detail}"
    if status in RETRY_STATUS:
        return Transient(text)
    if status in (401, 403):
        return Fatal(text + " (set KG_SPARQL_USER and KG_SPARQL_PASSWORD, or add the host to ~/.netrc)")
    return Fatal(text)


def retrying(fn: Callable[[], Any], *, retries: int, backoff: float, what: str, attempts: list[int]) -> Any:
    """``fn()``, retried *retries* times on :class:`Transient` with doubling waits; failures as StoreError.

    ``attempts[0]`` counts the calls made.

    >>> retrying(lambda: 42, retries=3, backoff=0.1, what="noop", attempts=[0])
    42
    """
    delay = backoff
    for attempt in range(retries + 1):
        attempts[0] += 1
        try:
            return fn()
        except Fatal as exc:
            raise StoreError(f"{what}: {exc}") from None
        except Transient as exc:
            if attempt == retries:
                tries = f" after {attempt + 1} attempts" if attempt else ""
                raise StoreError(f"{what}{tries}: {exc}",
                                 hint="check that the server is up, or raise --retries/--timeout") from None
            time.sleep(delay)
            delay = min(delay * 2, 30.0)
    raise AssertionError("unreachable")  # pragma: no cover
