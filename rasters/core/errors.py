"""Domain errors of the raster core.

Each error carries a stable ``code`` (for API clients and logs) and a message that is safe to show to the
user who uploaded the file: it never contains a server path or a GDAL stack trace. The web layer maps the
classes to HTTP 4xx statuses in one table.
"""

from __future__ import annotations


class RasterError(Exception):
    """Base of every error the raster core raises on purpose."""

    code: str = "raster_error"
    default_message: str = "The raster could not be processed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class EmptyFile(RasterError):
    """The upload has zero bytes."""

    code = "empty_file"
    default_message = "The file is empty."


class UnsupportedFormat(RasterError):
    """Not an image we accept: unknown magic bytes, a disallowed driver, a VRT or a disguised file."""

    code = "unsupported_format"
    default_message = "This file is not a supported raster image."


class CorruptRaster(RasterError):
    """A supported format whose content cannot be read (truncated, damaged)."""

    code = "corrupt_raster"
    default_message = "The raster is damaged or truncated and cannot be read."


class RasterTooLarge(RasterError):
    """Too many bytes, pixels or bands, absurd dimensions, or a decompression bomb."""

    code = "raster_too_large"
    default_message = "The raster is too large."


class UnsupportedLayout(RasterError):
    """Readable, but a band count or data type the platform does not handle."""

    code = "unsupported_layout"
    default_message = "The raster's bands or data type are not supported."


class CRSError(RasterError):
    """The coordinate reference system is unknown, invalid, or belongs to another body."""

    code = "crs_error"
    default_message = "The raster's coordinate reference system cannot be used."


class UnsafeProduct(RasterError):
    """A multi-file product or archive that would make GDAL read outside the upload (paths, links, URLs)."""

    code = "unsafe_product"
    default_message = "The product refers to files outside this upload."


class ArchiveTooLarge(RasterTooLarge):
    """A zip with too many members, too many bytes once expanded, or an expansion ratio of a zip bomb."""

    code = "archive_too_large"
    default_message = "The archive expands to more than the upload limits allow."


class NestedArchive(UnsupportedFormat):
    """An archive inside the archive: only the product's own files are accepted."""

    code = "nested_archive"
    default_message = "Archives inside the archive are not accepted; zip the product's files themselves."
