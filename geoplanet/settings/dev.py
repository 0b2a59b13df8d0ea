"""Local development: debug pages, console email."""

from geoplanet.settings.base import *  # noqa: F403
from geoplanet.settings.env import env_bool

DEBUG = env_bool("DEBUG", True)
