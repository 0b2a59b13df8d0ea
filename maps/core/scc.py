"""Reader for craterstats / CraterTools spatial crater count files (``.scc``).

The format is a ``key = value`` header plus two brace tables: ``unit_boundary`` (area polygon
vertices: vertex, sub_area, tag, lon, lat) and ``crater`` (diam [km], optional fraction, lon, lat,
...). We parse it ourselves into plain data so tests go from a crater list to an age through our own
code path instead of letting craterstats read the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

_KEY_RE = re.compile(r"^\s*([A-Za-z_][\w]*)\s*=\s*(.*?)\s*$")
_NUMBER_RE = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class AreaRing:
    """One ring of the counting-area boundary; ``tag`` is ``"ext"`` (outline) or ``"int"`` (hole)."""

    sub_area: int
    tag: str
    lonlat: list[tuple[float, float]]


@dataclass
class CraterCount:
    """A plain crater count: what Django hands to the CSFD code.

    ``fractions`` are craterstats' per-crater weights (1 unless a crater straddles the boundary).
    ``perimeter_km`` is only needed for buffered (b-poisson) counts.
    """

    diameters_km: list[float]
    area_km2: float
    fractions: list[float] | None = None
    lon: list[float] | None = None
    lat: list[float] | None = None
    perimeter_km: float | None = None
    body_radius_km: float | None = None
    rings: list[AreaRing] = field(default_factory=list)
    name: str = ""

    def weights(self) -> list[float]:
        """Per-crater fractions, defaulting to 1 for every crater."""
        return list(self.fractions) if self.fractions is not None else [1.0] * len(self.diameters_km)


def _first_number(text: str) -> float | None:
    m = _NUMBER_RE.search(text)
    return float(m.group(0)) if m else None


def _split_columns(header: str) -> list[str]:
    # "crater = {diam, fraction, lon, lat" -> ["diam", "fraction", "lon", "lat"]
    return [c.strip() for c in header.split("{", 1)[1].split(",") if c.strip()]


def parse_scc(text: str, name: str = "") -> CraterCount:
    """Parse the text of an ``.scc`` file into a :class:`CraterCount`.

    Raises ``ValueError`` when the file has no crater table or no usable total area.
    """
    header: dict[str, str] = {}
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}
    current: tuple[str, list[str], list[list[str]]] | None = None

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if current is not None:
            if line.startswith("}"):
                tables[current[0]] = (current[1], current[2])
                current = None
            else:
                current[2].append(line.split())
            continue
        m = _KEY_RE.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2)
        if value.startswith("{"):
            current = (key, _split_columns(value), [])
        else:
            header[key] = value

    if "crater" not in tables:
        raise ValueError("No crater table in .scc file")
    cols, rows = tables["crater"]
    idx = {c.lower(): i for i, c in enumerate(cols)}
    if "diam" not in idx:
        raise ValueError("Crater table has no 'diam' column")

    def column(nm: str) -> list[float] | None:
        if nm not in idx:
            return None
        return [float(r[idx[nm]]) for r in rows]

    area = _first_number(header.get("Total_area", ""))
    if area is None or area <= 0:
        raise ValueError("No positive Total_area in .scc file")
    perim_text = header.get("Perimeter") or header.get("Total_perimeter")
    radius = _first_number(header.get("a_axis_radius", ""))

    rings: list[AreaRing] = []
    if "unit_boundary" in tables:
        bcols, brows = tables["unit_boundary"]
        bidx = {c.lower(): i for i, c in enumerate(bcols)}
        by_key: dict[tuple[int, str], list[tuple[float, float]]] = {}
        for r in brows:
            key2 = (int(r[bidx["sub_area"]]), r[bidx["tag"]])
            by_key.setdefault(key2, []).append((float(r[bidx["lon"]]), float(r[bidx["lat"]])))
        rings = [AreaRing(k[0], k[1], v) for k, v in sorted(by_key.items())]

    return CraterCount(
        diameters_km=column("diam") or [],
        area_km2=area,
        fractions=column("fraction"),
        lon=column("lon"),
        lat=column("lat"),
        perimeter_km=_first_number(perim_text) if perim_text else None,
        body_radius_km=radius,
        rings=rings,
        name=name,
    )


def read_scc(path: str | Path) -> CraterCount:
    """Read an ``.scc`` file from disk (see :func:`parse_scc`)."""
    p = Path(path)
    return parse_scc(p.read_text(encoding="utf-8", errors="replace"), name=p.stem)
