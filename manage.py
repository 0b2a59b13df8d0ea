#!/usr/bin/env python
"""Django's command-line utility for GeoPlanet."""

import os
import sys


def main() -> None:
    """Run a management command, with development settings unless told otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoplanet.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
