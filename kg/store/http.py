"""The HTTP side of pushes: a small streaming client, Basic and Digest auth, a deadline, and retries.

Failures are sorted into two kinds: :class:`Transient` (refused or lost
connections, HTTP 408/425/429/5xx), which :func:`retrying` tries again, and
:class:`Fatal` (bad URL, unknown host, 401/403 and other HTTP errors, a passed
deadline), which it reports at once. A server's own reason is kept (text pulled
out of an HTML page, control characters escaped). Passwords never reach a
message: URLs are shown :func:`redact`-ed.

Credentials are never sent unasked: the first request goes without them and a
401 challenge is answered with HTTP Digest (RFC 7616: SHA-256 or MD5,
``qop=auth``) when the server offers it, else Basic; later requests answer
the same challenge up front, so a large body is streamed once.

>>> redact("http://alice:s3cret@127.0.0.1:7878/store")
'http://127.0.0.1:7878/store'
"""

from __future__ import annotations

import base64
import hashlib
import html.parser
import http.client
import netrc
import os
import re
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from ..errors import ArgumentError, StoreError
from .results import escape_controls

__all__ = ["CHUNK", "RETRY_STATUS", "Deadline", "Fatal", "HttpClient", "Transient", "credentials_for",
           "digest_authorization", "http_error", "parse_url", "redact", "retrying"]


class Transient(Exception):
    """A failure worth retrying: connection refused/reset, HTTP 408/429/5xx."""


class Fatal(Exception):
    """A failure retrying cannot fix: HTTP 4xx, bad URL, unknown host, the deadline passed."""


#: HTTP statuses worth a retry.
RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}
#: Bytes sent per write when streaming a file.
CHUNK = 1 << 20


class Deadline:
    """A point in time that bounds a whole push: every wait is cut at it.

    >>> Deadline(60).remaining() > 59
    True
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def check(self) -> float:
        """The seconds left, or :class:`Fatal` once none are."""
        left = self.remaining()
        if left <= 0:
            raise Fatal(f"did not finish within the {self.seconds:g} s deadline (--timeout)")
        return left


def parse_url(url: str, example: str = "http://127.0.0.1:7878/store") -> urllib.parse.SplitResult:
    """*url* split, checked to be http(s) with a host and a valid port; else an ArgumentError.

    >>> parse_url("http://h:8890/sparql").port
    8890
    >>> try:
    ...     parse_url("http://[::1/store")
    ... except ArgumentError as exc:
    ...     print(exc.args[0])
    malformed URL 'http://[::1/store' (Invalid IPv6 URL) (e.g. http://127.0.0.1:7878/store)
    """
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError as exc:
        raise ArgumentError(f"malformed URL {escape_controls(_strip_userinfo(url))!r} ({exc})",
                            hint=f"e.g. {example}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArgumentError(f"not an http(s) URL: {escape_controls(redact(url))!r}", hint=f"e.g. {example}")
    return parts


_NOT_QUOTABLE = re.compile(r'["\\\x00-\x1f\x7f]')


def _strip_userinfo(url: str) -> str:
    """*url* without anything up to its last ``@``: a password may hold an unencoded ``/``.

    >>> _strip_userinfo("http://alice:pa/ss@host:99999/store")
    'http://host:99999/store'
    """
    return re.sub(r"(?<=//)[^@]*@", "", url, count=1)


def redact(url: str) -> str:
    """*url* without user:password."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return _strip_userinfo(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if port:
        host += f":{port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def credentials_for(url: str, given: tuple[str, str] | None) -> tuple[str, str] | None:
    """(user, password) from *given*, the URL, ``KG_SPARQL_USER``/``KG_SPARQL_PASSWORD`` or ~/.netrc.

    >>> credentials_for("http://bob:pw@h/store", None)
    ('bob', 'pw')
    """
    if given is not None:
        return given
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None:
        return urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
    if os.environ.get("KG_SPARQL_USER"):
        return os.environ["KG_SPARQL_USER"], os.environ.get("KG_SPARQL_PASSWORD", "")
    try:
        auth = netrc.netrc(os.environ.get("NETRC") or None).authenticators(parts.hostname or "")
    except FileNotFoundError:
        auth = None
    except (netrc.NetrcParseError, OSError) as exc:
        # the message names the file and line, never its content
        where = getattr(exc, "filename", None) or "~/.netrc"
        raise StoreError(f"cannot read {where} (line {getattr(exc, 'lineno', '?')})",
                         hint="fix it, or set KG_SPARQL_USER / KG_SPARQL_PASSWORD") from None
    return (auth[0], auth[2] or "") if auth else None


_PARAM = re.compile(r'([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)')
_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}


def _challenges(values: list[str]) -> list[tuple[str, dict[str, str]]]:
    """``WWW-Authenticate`` values as (scheme, params) pairs, schemes lower-cased.

    >>> _challenges(['Digest realm="S", nonce="n1", qop="auth", Basic realm="S"'])
    [('digest', {'realm': 'S', 'nonce': 'n1', 'qop': 'auth'}), ('basic', {'realm': 'S'})]
    """
    out: list[tuple[str, dict[str, str]]] = []
    for value in values:
        pieces = re.split(r"(?:^|,)\s*(Basic|Digest|Bearer|Negotiate|NTLM|Mutual)\b", value, flags=re.IGNORECASE)
        for scheme, params in zip(pieces[1::2], pieces[2::2]):
            out.append((scheme.lower(), {k.lower(): v[1:-1].replace('\\"', '"') if v.startswith('"') else v
                                         for k, v in _PARAM.findall(params)}))
    return out


def digest_authorization(challenge: Mapping[str, str], method: str, uri: str, user: str, password: str,
                         nc: int, cnonce: str | None = None) -> str:
    """An ``Authorization: Digest`` value answering *challenge* (RFC 7616 / RFC 2617).

    The RFC 2617 example (MD5, qop=auth):

    >>> ch = {"realm": "testrealm@host.com", "qop": "auth,auth-int", "opaque": "5ccc069c403ebaf9f0171e9517f40e41",
    ...       "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093"}
    >>> v = digest_authorization(ch, "GET", "/dir/index.html", "Mufasa", "Circle Of Life", 1, "0a4f113b")
    >>> 'response="6629fae49393a05397450978507c4ef1"' in v
    True
    """
    algorithm = challenge.get("algorithm", "MD5").upper()
    sess = algorithm.endswith("-SESS")
    hash_fn = _HASHES.get(algorithm.removesuffix("-SESS"))
    if hash_fn is None:
        raise Fatal(f"the server asks for Digest with {algorithm}, which kg does not support (MD5, SHA-256)")

    def h(text: str) -> str:
        return hash_fn(text.encode("utf-8")).hexdigest()

    realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
    for name, value in (("user name", user), ("realm", realm), ("nonce", nonce)):
        if _NOT_QUOTABLE.search(value):  # it would break the header, or leak it in an error
            raise Fatal(f"the {name} holds a character an HTTP Digest header cannot carry "
                        "(a quote, backslash or control character)")
    cnonce = cnonce or secrets.token_hex(8)
    ha1 = h(f"{user}:{realm}:{password}")
    if sess:
        ha1 = h(f"{ha1}:{nonce}:{cnonce}")
    ha2 = h(f"{method}:{uri}")
    qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    fields = [f'username="{user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"',
              f"algorithm={challenge.get('algorithm', 'MD5')}"]
    if "auth" in qops:
        response = h(f"{ha1}:{nonce}:{nc:08x}:{cnonce}:auth:{ha2}")
        fields += ["qop=auth", f"nc={nc:08x}", f'cnonce="{cnonce}"']
    elif qops:
        raise Fatal(f"the server asks for Digest with qop={','.join(qops)}, which kg does not support (auth)")
    else:
        response = h(f"{ha1}:{nonce}:{ha2}")
    fields.append(f'response="{response}"')
    if "opaque" in challenge:
        fields.append(f'opaque="{challenge["opaque"]}"')
    return "Digest " + ", ".join(fields)


class _Auth:
    """The credentials of one push and the challenge the server last sent (shared by its clients)."""

    def __init__(self, credentials: tuple[str, str] | None) -> None:
        self.credentials = credentials
        self.scheme: str | None = None
        self.challenge: dict[str, str] = {}
        self.nc = 0

    def header(self, method: str, uri: str) -> str | None:
        if self.credentials is None or self.scheme is None:
            return None
        user, password = self.credentials
        if self.scheme == "basic":
            return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self.nc += 1
        return digest_authorization(self.challenge, method, uri, user, password, self.nc)

    def answer(self, headers: list[str], sent: bool) -> bool:
        """Take a 401's challenges; whether a new try with credentials makes sense."""
        if self.credentials is None:
            return False
        found = _challenges(headers)
        digests = [p for s, p in found if s == "digest"]
        digests.sort(key=lambda p: p.get("algorithm", "MD5").upper().startswith("SHA-256"), reverse=True)
        if digests:
            stale = digests[0].get("stale", "").lower() == "true"
            if sent and self.scheme == "digest" and not stale:
                return False  # the credentials were refused
            self.scheme, self.challenge, self.nc = "digest", digests[0], 0
            return True
        if sent:
            return False
        self.scheme = "basic"  # a Basic challenge, or none at all
        return True


class _TextOf(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.extend(line.strip() for line in data.splitlines() if line.strip())


def server_reason(body: bytes, content_type: str = "") -> str:
    """The server's message in *body*: the text of an HTML page, one line, controls escaped, at most 300 chars.

    >>> server_reason(b"<html><title>Failed</title><h1>HTTP/1.1 403 Forbidden</h1><xmp>SQ110: no\\x1b[31m</xmp>",
    ...               "text/html")
    'Failed; SQ110: no\\\\x1b[31m'
    """
    text = body[:65536].decode("utf-8", "replace")
    if "html" in content_type.lower() or text.lstrip()[:1] == "<":
        parser = _TextOf()
        parser.feed(text)
        lines = [p for p in parser.parts if not re.match(r"HTTP/\d(\.\d)? \d{3}\b", p)]
    else:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
    reason = escape_controls("; ".join(dict.fromkeys(lines)))
    return reason if len(reason) <= 300 else reason[:299] + "…"


class HttpClient:
    """Minimal HTTP over http.client: one connection per request, streamed bodies, auth, a deadline."""

    def __init__(self, url: str, *, deadline: Deadline, credentials: tuple[str, str] | None = None,
                 auth: _Auth | None = None) -> None:
        self.parts = parse_url(url)
        self.deadline = deadline
        self.auth = auth or _Auth(credentials)
        self.where = escape_controls(redact(url))

    def request(self, method: str, query: Mapping[str, str] | None = None, *, body: Any = None,
                headers: Mapping[str, str] | None = None, size: int | None = None,
                progress: Callable[[int, int], None] | None = None) -> tuple[int, bytes, dict[str, str]]:
        """Send one request; return status, body and lower-cased headers, or raise Transient/Fatal.

        *body* is bytes, or a binary file object (seekable) streamed in :data:`CHUNK`-byte writes
        (*size* bytes in all, reported to *progress* as ``(sent, size)``). A 401 challenge is
        answered once, resending the body.
        """
        p = self.parts
        target = p.path or "/"
        qs = "&".join(x for x in (p.query, urllib.parse.urlencode(query or {}, quote_via=urllib.parse.quote))
                      if x)
        if qs:
            target += "?" + qs
        sent_auth = False
        for _ in range(3):
            authorization = self.auth.header(method, target)
            status, data, resp_headers, challenges = self._once(method, target, body, headers, size, progress,
                                                                authorization)
            if status != 401 or not self.auth.answer(challenges, sent_auth or authorization is not None):
                return status, data, resp_headers
            sent_auth = True
            if body is not None and not isinstance(body, (bytes, bytearray)):
                body.seek(0)
        return status, data, resp_headers

    def _once(self, method: str, target: str, body: Any, headers: Mapping[str, str] | None, size: int | None,
              progress: Callable[[int, int], None] | None,
              authorization: str | None) -> tuple[int, bytes, dict[str, str], list[str]]:
        p = self.parts
        left = self.deadline.check()
        cls = http.client.HTTPSConnection if p.scheme == "https" else http.client.HTTPConnection
        conn = cls(p.hostname, p.port, timeout=left)
        timed_out = threading.Event()

        def cut() -> None:  # the deadline bounds a trickling server too, not just each read
            timed_out.set()
            sock = conn.sock
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        watchdog = threading.Timer(left, cut)
        watchdog.daemon = True
        watchdog.start()
        try:
            conn.putrequest(method, target)
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            if authorization:
                conn.putheader("Authorization", authorization)
            try:
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
            except (BrokenPipeError, ConnectionResetError):
                if timed_out.is_set():
                    raise
                # the server may have answered (a 401 or 413) and closed before the body was all sent
                try:
                    resp = conn.getresponse()
                    return resp.status, resp.read(), _lower(resp), resp.msg.get_all("WWW-Authenticate") or []
                except (OSError, http.client.HTTPException):
                    pass
                raise
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, data, _lower(resp), resp.msg.get_all("WWW-Authenticate") or []
        except socket.gaierror as exc:
            raise Fatal(f"cannot resolve host {escape_controls(p.hostname or '')!r} ({exc.strerror})") from None
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            if timed_out.is_set() or isinstance(exc, TimeoutError) or self.deadline.remaining() <= 0:
                raise Fatal(f"did not finish within the {self.deadline.seconds:g} s deadline (--timeout)") from None
            if isinstance(exc, ConnectionRefusedError):
                raise Transient("connection refused (is the server running?)") from None
            raise Transient(f"connection lost ({type(exc).__name__}: {exc})".replace(": )", ")")) from None
        finally:
            watchdog.cancel()
            conn.close()


def _lower(resp: http.client.HTTPResponse) -> dict[str, str]:
    return {k.lower(): v for k, v in resp.getheaders()}


def http_error(status: int, body: bytes, what: str, headers: Mapping[str, str] | None = None) -> Exception:
    """A Transient or Fatal error for an HTTP *status*, with the server's own reason.

    >>> http_error(503, b"busy\\nmore", "PUT")
    Transient('PUT answered HTTP 503: busy; more')
    """
    reason = server_reason(body, (headers or {}).get("content-type", ""))
    detail = f": {reason}" if reason else ""
    if status == 401:
        return Fatal(f"authentication failed: {what} answered HTTP 401{detail} (give the right user and "
                     "password: KG_SPARQL_USER and KG_SPARQL_PASSWORD, ~/.netrc, or user:password@ in the URL)")
    if status == 403:
        return Fatal(f"permission denied: {what} answered HTTP 403{detail} (this user may not write here; on "
                     "Virtuoso push to /sparql-graph-crud-auth with the dba user)")
    text = f"{what} answered HTTP {status}{detail}"
    return Transient(text) if status in RETRY_STATUS else Fatal(text)


def retrying(fn: Callable[[], Any], *, retries: int, backoff: float, what: str, attempts: list[int],
             deadline: Deadline | None = None) -> Any:
    """``fn()``, retried *retries* times on :class:`Transient` with doubling waits; failures as StoreError.

    ``attempts[0]`` counts the calls made; no wait runs past *deadline*.

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
            left = deadline.remaining() if deadline is not None else float("inf")
            if attempt == retries or left <= delay:
                tries = f" after {attempt + 1} attempts" if attempt else ""
                raise StoreError(f"{what}{tries}: {exc}",
                                 hint="check that the server is up, or raise --retries/--timeout") from None
            time.sleep(delay)
            delay = min(delay * 2, 30.0)
    raise AssertionError("unreachable")  # pragma: no cover
