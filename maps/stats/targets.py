"""What a statistic is computed over, as plain data that fits in a URL, a Celery argument or a cache entry.

A target is an analysis, an image, a project or a region query (body + lon/lat polygon + filters). Pages pass
it as one token: ``analysis:12``, ``image:3``, ``project:4`` or ``region:<base64url JSON>``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from maps.stats.errors import InvalidTarget

KINDS = ("analysis", "image", "project", "region")
MAX_TOKEN_CHARS = 200_000


@dataclass(frozen=True)
class Target:
    """One counting surface. ``pk`` for analysis/image/project; the other fields for a region query.

    ``geometry`` is GeoJSON (Polygon/MultiPolygon) in the body's lon/lat degrees. ``area_km2`` overrides the
    area measured from the geometry (a counting area stated by the researcher, e.g. from CraterTools).
    """

    kind: str
    pk: int | None = None
    body: str = ""
    geometry: dict[str, Any] | None = None
    classes: tuple[str, ...] = ()
    min_confidence: float = 0.0
    analyses: tuple[int, ...] = ()
    area_km2: float | None = None
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def token(self) -> str:
        """The compact form used in URLs (see :func:`parse_token`)."""
        if self.kind != "region":
            return f"{self.kind}:{self.pk}"
        data = {k: v for k, v in asdict(self).items() if v not in (None, (), [], "", {}, 0.0) and k != "kind"}
        raw = json.dumps(data, separators=(",", ":")).encode()
        return "region:" + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe dict (Celery argument, cache entry, API echo)."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


def _float(value: Any, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidTarget(f"{name} must be a number.") from None
    if not math.isfinite(number):  # NaN or infinity would reach the answer, which JSON cannot carry
        raise InvalidTarget(f"{name} must be a finite number.")
    return number


def _id(value: Any, name: str) -> int:
    """An object id from JSON or a query string: an integer or a string of digits (not a bool, float or list)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidTarget(f"{name} must be an integer id.")
    try:
        return int(value)
    except ValueError:
        raise InvalidTarget(f"{name} must be an integer id.") from None


def _items(value: Any, name: str, what: str) -> list[Any]:
    """A comma-separated string or a JSON list (empty when missing)."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return value.split(",")
    if isinstance(value, list | tuple):
        return list(value)
    raise InvalidTarget(f"{name} must be a list of {what}.")


def _ints(value: Any) -> tuple[int, ...]:
    return tuple(_id(v, "analyses") for v in _items(value, "analyses", "ids") if str(v).strip())


def _strings(value: Any) -> tuple[str, ...]:
    items = _items(value, "classes", "class names")
    return tuple(str(v).strip() for v in items if str(v).strip())


def _geometry(value: Any) -> dict[str, Any] | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise InvalidTarget("geometry must be GeoJSON.") from None
    if isinstance(value, Mapping) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, Mapping) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise InvalidTarget("geometry must be a GeoJSON Polygon or MultiPolygon in lon/lat degrees.")
    return dict(value)


def region_target(data: Any) -> Target:
    """A region target from request data (query parameters or a JSON body)."""
    if not isinstance(data, Mapping):
        raise InvalidTarget("A region is an object with body and geometry.")
    body = str(data.get("body") or "").strip().lower()
    if not body:
        raise InvalidTarget("A region needs a body (e.g. body=mars).")
    geometry = _geometry(data.get("geometry"))
    if geometry is None:
        raise InvalidTarget("A region needs a geometry.")
    min_conf = _float(data.get("min_confidence"), "min_confidence") or 0.0
    area = _float(data.get("area_km2"), "area_km2")
    if area is not None and area <= 0:
        raise InvalidTarget("area_km2 must be positive.")
    return Target(
        kind="region",
        body=body,
        geometry=geometry,
        classes=_strings(data.get("classes")),
        min_confidence=min_conf,
        analyses=_ints(data.get("analyses")),
        area_km2=area,
        name=str(data.get("name") or "")[:200],
    )


def parse_token(token: str) -> Target:
    """Inverse of :meth:`Target.token`; raises :class:`InvalidTarget` on anything malformed."""
    if not token or len(token) > MAX_TOKEN_CHARS or ":" not in token:
        raise InvalidTarget("Unknown statistics target.")
    kind, rest = token.split(":", 1)
    if kind not in KINDS:
        raise InvalidTarget("Unknown statistics target.")
    if kind != "region":
        try:
            return Target(kind=kind, pk=int(rest))
        except ValueError:
            raise InvalidTarget("Unknown statistics target.") from None
    try:
        data = json.loads(base64.urlsafe_b64decode(rest + "=" * (-len(rest) % 4)))
    except (binascii.Error, ValueError):
        raise InvalidTarget("Malformed region.") from None
    if not isinstance(data, dict):
        raise InvalidTarget("Malformed region.")
    return region_target(data)


def target_from_dict(data: Any) -> Target:
    """Inverse of :meth:`Target.as_dict` (also accepts a ``token`` key); raises :class:`InvalidTarget`."""
    if not isinstance(data, Mapping):
        raise InvalidTarget("A target is a token (analysis:<id>, image:<id>, ...) or an object with kind and pk.")
    if data.get("token"):
        return parse_token(str(data["token"]))
    kind = data.get("kind")
    if kind == "region":
        return region_target(data)
    if isinstance(kind, str) and kind in KINDS and data.get("pk") is not None:
        return Target(kind=kind, pk=_id(data["pk"], "pk"))
    raise InvalidTarget("Unknown statistics target.")
