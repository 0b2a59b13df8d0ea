"""Multi-file planetary products: a label and its data uploaded together, or one zip holding them.

A product (PDS4 ``.xml`` + ``.img``, PDS3 ``.LBL`` + ``.IMG`` or ``.JP2``, ISIS3 detached label + cube, a
GeoTIFF + ``.aux.xml``) is opened by GDAL from a private directory holding only its own files. Before GDAL sees
it, every file reference in its labels must name a file of the same upload by its bare name (no folder, no
``..``, no URL, no ``/vsi`` path, no VRT or XML entity indirection), and a zip is checked member by member
(traversal, absolute paths, links, nested archives, member count, expanded size, expansion ratio) before one
byte is extracted. After opening, ``safe_open`` still refuses a dataset that lists any file outside the set.
"""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rasters.core.errors import ArchiveTooLarge, NestedArchive, RasterTooLarge, UnsafeProduct, UnsupportedFormat
from rasters.core.safe_open import sniff_drivers

MAX_PRODUCT_FILES = 16
# Formats whose label is text that may point at other files (JPEG 2000 and TIFF are checked after opening).
_TEXT_LABELS = frozenset({"PDS", "PDS4", "ISIS2", "ISIS3", "VICAR"})
MAX_LABEL_BYTES = 1024**2  # a label (or an attached label's text) is read at most this far
_SNIFF_BYTES = 4096

_NAME_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+\- ]{0,199}$")
_ARCHIVE_SUFFIXES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".zst", ".z")
_ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!",
    b"\x28\xb5\x2f\xfd",
)

# Text that turns a label into a pointer to something else, whatever the format.
_INDIRECTION = (
    (re.compile(rb"/vsi[a-z0-9_]*", re.IGNORECASE), "a GDAL virtual file path (/vsi...)"),
    (re.compile(rb"<\s*VRTDataset", re.IGNORECASE), "a virtual raster (VRT)"),
    (re.compile(rb"<\s*SourceFilename", re.IGNORECASE), "a virtual raster source (SourceFilename)"),
    (re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE), "an XML document type or entity"),
    (
        re.compile(rb"\b(PDS4|ISIS3|PDS|VICAR|GTIFF|NETCDF|HDF5|GPKG):[^\s\"'<]*[/\\]", re.IGNORECASE),
        "a GDAL subdataset name",
    ),
)

# PDS3 pointers to documentation that GDAL never opens: they may name a file the upload leaves out.
_DOCUMENTATION_POINTERS = re.compile(r"(_CATALOG|_DESCRIPTION|DATA_SET_MAP_PROJECTION|STRUCTURE|_FMT)$")
_ODL_POINTER = re.compile(r"^[ \t]*\^([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.+?)[ \t]*$", re.MULTILINE)
# PDS3 FILE_NAME keywords: a COMPRESSED_FILE (HiRISE's JP2) is opened by that name, not through a pointer.
_ODL_FILE_NAME = re.compile(r"^[ \t]*((?:UNCOMPRESSED_)?FILE_NAME)[ \t]*=[ \t]*(.+?)[ \t]*$", re.MULTILINE)
_ODL_END = re.compile(rb"^[ \t]*END[ \t]*\r?$", re.MULTILINE | re.IGNORECASE)
_QUOTED = re.compile(r"\"([^\"]*)\"|'([^']*)'")
_PDS4_FILE = re.compile(rb"<\s*(?:[A-Za-z0-9_]+:)?(file_name|directory_path_name)\s*>([^<]*)<", re.IGNORECASE)


@dataclass(frozen=True)
class Product:
    """The files of one upload as GDAL will see them, the label (or image) to open first among them."""

    directory: Path
    names: tuple[str, ...]
    primary: str
    kind: str

    @property
    def primary_path(self) -> Path:
        """Path of the dataset GDAL opens."""
        return self.directory / self.primary


def safe_name(name: str) -> str:
    """A client file name as stored: a bare name of ordinary characters, or UnsafeProduct."""
    if "/" in name or "\\" in name or ".." in name or "\x00" in name or ":" in name:
        raise UnsafeProduct(f"“{_shown(name)}”: file names may not contain folders, “..” or drive letters.")
    if not _NAME_OK.match(name):
        raise UnsafeProduct(
            f"“{_shown(name)}”: file names must start with a letter or digit and use letters, digits, "
            "spaces, dots, dashes, plus or underscores (at most 200 characters)."
        )
    return name


def _shown(name: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in name)[:120]


def is_archive_name(name: str) -> bool:
    """True for a file name that says zip, tar, gzip and the like."""
    return name.lower().endswith(_ARCHIVE_SUFFIXES)


def check_unique(names: Iterable[str]) -> list[str]:
    """The names, refused when two differ only by case (GDAL's PDS drivers match pointers case-blind)."""
    seen: dict[str, str] = {}
    result = []
    for name in names:
        key = name.lower()
        if key in seen:
            raise UnsafeProduct(f"“{_shown(name)}” is uploaded twice (names are compared ignoring case).")
        seen[key] = name
        result.append(name)
    if len(result) > MAX_PRODUCT_FILES:
        raise RasterTooLarge(f"A product has at most {MAX_PRODUCT_FILES} files; this upload has {len(result)}.")
    return result


# --- zip -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipLimits:
    """Bounds a zip must respect before anything is extracted."""

    max_members: int = MAX_PRODUCT_FILES
    max_total_bytes: int = 2 * 1024**3
    # Raw planetary images of real scenes deflate by a few times; hundreds is a bomb.
    max_ratio: float = 100.0


def check_zip(path: Path, limits: ZipLimits) -> list[tuple[zipfile.ZipInfo, str]]:
    """The zip's file members and the bare names they will get, or the refusal; nothing is extracted.

    Folders inside the zip are allowed (a product zipped with its folder) and flattened; a member with an
    absolute path, a ``..`` part, a link, an archive inside, or sizes beyond ``limits`` refuses the whole zip.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnsupportedFormat("The zip archive is damaged and cannot be read.") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members * 4:
            raise ArchiveTooLarge(
                f"The archive has {len(infos)} entries; a product has at most {limits.max_members} files."
            )
        members: list[tuple[zipfile.ZipInfo, str]] = []
        total = compressed = 0
        for info in infos:
            raw = info.filename
            parts = raw.replace("\\", "/").split("/")
            if raw.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", raw):
                raise UnsafeProduct(f"The archive member “{_shown(raw)}” has an absolute path.")
            if ".." in parts:
                raise UnsafeProduct(f"The archive member “{_shown(raw)}” points outside the archive (“..”).")
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise UnsafeProduct(f"The archive member “{_shown(raw)}” is a symbolic link.")
            if info.is_dir():
                continue
            if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
                raise UnsafeProduct(f"The archive member “{_shown(raw)}” is not a regular file.")
            if info.flag_bits & 0x1:
                raise UnsupportedFormat("Encrypted archives are not accepted.")
            name = parts[-1]
            if parts[0] == "__MACOSX" or name.startswith("._") or name in {".DS_Store", "Thumbs.db"}:
                continue  # desktop zip tools' own litter, never part of a product
            if is_archive_name(name):
                raise NestedArchive(
                    f"“{_shown(name)}” is an archive inside the archive; zip the product's files themselves."
                )
            members.append((info, safe_name(name)))
            total += info.file_size
            compressed += info.compress_size
            if info.file_size > limits.max_ratio * max(info.compress_size, 1) and info.file_size > 1024**2:
                raise ArchiveTooLarge(
                    f"“{_shown(name)}” expands more than {limits.max_ratio:.0f} times: refused as a zip bomb."
                )
        if len(members) > limits.max_members:
            raise ArchiveTooLarge(f"The archive has {len(members)} files; a product has at most {limits.max_members}.")
        if not members:
            raise UnsupportedFormat("The archive holds no files.")
        if total > limits.max_total_bytes:
            raise ArchiveTooLarge(
                f"The archive expands to {total // 1024**2} MB; at most {limits.max_total_bytes // 1024**2} MB."
            )
        if total > limits.max_ratio * max(compressed, 1) and total > 1024**2:
            raise ArchiveTooLarge(f"The archive expands more than {limits.max_ratio:.0f} times: refused as a zip bomb.")
        check_unique(name for _, name in members)
        for info, name in members:
            with archive.open(info) as handle:
                if handle.read(8).startswith(_ARCHIVE_MAGIC):
                    raise NestedArchive(f"“{_shown(name)}” is an archive inside the archive.")
        return members


def extract_zip(path: Path, directory: Path, limits: ZipLimits) -> list[str]:
    """Check the zip (``check_zip``), then write its files flat into ``directory``; the names written.

    Declared sizes can lie, so the bytes written are counted against the same limits while extracting.
    """
    members = check_zip(path, limits)
    written = 0
    with zipfile.ZipFile(path) as archive:
        for info, name in members:
            target = directory / name
            member_bytes = 0
            with archive.open(info) as source, target.open("xb") as out:
                while chunk := source.read(1024**2):
                    member_bytes += len(chunk)
                    written += len(chunk)
                    if member_bytes > info.file_size or written > limits.max_total_bytes:
                        raise ArchiveTooLarge("The archive expands to more than it declares.")
                    out.write(chunk)
    return [name for _, name in members]


# --- labels and their references ---------------------------------------------------------------------------


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def label_text(path: Path) -> bytes:
    """The label part of a file: the whole of a detached label, the attached label of a cube or image."""
    text = _head(path, MAX_LABEL_BYTES)
    end = _ODL_END.search(text)
    return text[: end.end()] if end else text


def _kind_of(path: Path) -> tuple[str, list[str]] | None:
    """The format a file's first bytes name and the drivers allowed for it, or None for raw data / sidecars."""
    try:
        drivers = sniff_drivers(_head(path, _SNIFF_BYTES))
    except UnsupportedFormat:
        return None
    return drivers[0], drivers


def label_references(text: bytes) -> list[tuple[str, str]]:
    """(pointer, file name) pairs a label names: PDS3/ISIS ``^POINTER`` values and PDS4 ``<file_name>``."""
    found: list[tuple[str, str]] = []
    decoded = text.decode("latin-1")
    for match in _ODL_POINTER.finditer(decoded):
        key, value = match.group(1).upper(), match.group(2).strip()
        quoted = [a or b for a, b in _QUOTED.findall(value)]
        if quoted:
            found.extend((key, name.strip()) for name in quoted)
            continue
        bare = value.strip("()").split(",")[0].strip()
        # ``^IMAGE = 12`` or ``^IMAGE = 12 <BYTES>`` points inside the label's own file.
        if bare and not re.match(r"^\d+(\s*<\s*BYTES?\s*>)?$", bare, re.IGNORECASE):
            found.append((key, bare))
    for item in _ODL_FILE_NAME.finditer(decoded):
        found.append((item.group(1).upper(), _unquote(item.group(2))))
    for element in _PDS4_FILE.finditer(text):
        found.append((element.group(1).decode("latin-1").upper(), element.group(2).decode("latin-1").strip()))
    return found


def _unquote(value: str) -> str:
    value = value.strip()
    return value[1:-1].strip() if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" else value


def check_label(name: str, text: bytes, names: Sequence[str]) -> set[str]:
    """Refuse a label that points outside the upload; the upload's files it names (matched ignoring case).

    The image a HiRISE-style label declares as the JP2's ``UNCOMPRESSED_FILE_NAME`` is not delivered, and
    GDAL reads the JP2 instead: its pointers may name it.
    """
    for pattern, what in _INDIRECTION:
        if pattern.search(text):
            raise UnsafeProduct(f"“{name}” contains {what}; only the product's own files may be referenced.")
    by_lower = {other.lower(): other for other in names}
    references = label_references(text)
    undelivered = {target.lower() for key, target in references if key == "UNCOMPRESSED_FILE_NAME"}
    used: set[str] = set()
    for key, target in references:
        if key == "DIRECTORY_PATH_NAME":
            if target:
                raise UnsafeProduct(f"“{name}” places its data in a folder ({_shown(target)}); upload the files flat.")
            continue
        if "://" in target or "/" in target or "\\" in target or ".." in target or ":" in target:
            raise UnsafeProduct(
                f"“{name}” refers to “{_shown(target)}”, outside this upload; "
                "a label may name only files uploaded with it."
            )
        if target.lower() in by_lower:
            used.add(by_lower[target.lower()])
        elif not _DOCUMENTATION_POINTERS.search(key) and target.lower() not in undelivered:
            raise UnsafeProduct(f"“{name}” refers to “{_shown(target)}”, which is not part of this upload.")
    return used


def assemble(directory: Path, names: Sequence[str]) -> Product:
    """Pick the dataset GDAL opens among a product's files, after checking every label's references.

    The primary is the one image or label no other label names (a PDS3 ``.LBL`` naming its ``.IMG`` or
    ``.JP2``, a PDS4 ``.xml`` naming its ``.img``, an ISIS3 label naming its cube); ``<primary>.aux.xml`` may
    sit beside it. A file that belongs to none of these, or two independent images, refuses the upload.
    """
    names = check_unique(names)
    kinds = {name: _kind_of(directory / name) for name in names}
    referenced: set[str] = set()
    for name in names:
        kind = kinds[name]
        if (kind is not None and kind[0] in _TEXT_LABELS) or name.lower().endswith((".xml", ".lbl")):
            text = label_text(directory / name)
            referenced |= check_label(name, text, names) - {name}
    candidates = [name for name in names if kinds[name] is not None and name not in referenced]
    if not candidates:
        raise UnsupportedFormat("None of the uploaded files is an image or label this server reads.")
    if len(candidates) > 1:
        raise UnsupportedFormat(
            f"The upload holds {len(candidates)} separate images ({', '.join(candidates)}); upload them one at a time."
        )
    primary = candidates[0]
    sidecar = f"{primary}.aux.xml".lower()
    for name in names:
        if name == primary or name in referenced:
            continue
        if name.lower() == sidecar:
            if not _head(directory / name, 512).lstrip().startswith(b"<PAMDataset"):
                raise UnsupportedFormat(f"“{name}” is not a GDAL auxiliary metadata file (PAMDataset).")
            continue
        raise UnsupportedFormat(
            f"“{name}” is not part of the product {primary} (neither named by its label nor its .aux.xml)."
        )
    primary_kind = kinds[primary]
    assert primary_kind is not None  # noqa: S101 - candidates are sniffed files
    return Product(directory=directory, names=tuple(names), primary=primary, kind=primary_kind[0])
