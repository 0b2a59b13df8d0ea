"""Links the app stores and renders for later (notifications): only paths of this site, never a client's URL."""

from __future__ import annotations

from django.utils.http import url_has_allowed_host_and_scheme


def site_path(url: str | None) -> str:
    """``url`` when it is a path on this site (``/projects/7/``), else "".

    Refused: schemes (``javascript:``, ``https:``), other hosts and what browsers read as one (``//host``,
    ``/\\host``), relative paths, whitespace or control characters anywhere (browsers drop some of them).
    """
    url = url or ""
    if not url.startswith("/") or url.startswith(("//", "/\\")):
        return ""
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        return ""
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=set()) else ""
