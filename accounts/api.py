"""API authentication: exchange a username and password for a token."""

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny


class TokenView(ObtainAuthToken):
    """``POST /api/v1/auth/token/`` with ``username`` and ``password``; answers ``{"token": ...}``."""

    permission_classes = [AllowAny]
