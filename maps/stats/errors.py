"""Domain errors of the statistics pages; ``geoplanet.errors`` maps them to HTTP 400."""

from __future__ import annotations


class StatsError(Exception):
    """A statistics request that cannot be answered; ``message`` is safe to show to the user."""

    code = "stats_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTarget(StatsError):
    """The analysis / image / project / region description is malformed (bad geometry, unknown body)."""

    code = "invalid_target"


class InvalidParameters(StatsError):
    """A CSFD parameter is unusable (diameter range, chronology system, method, binning)."""

    code = "invalid_parameters"
