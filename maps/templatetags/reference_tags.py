"""``{% reference_comparison token %}``: the "against a reference catalogue" section of the results and
statistics pages (a catalogue picker, and when one is picked with ``?reference=<slug>`` its comparison)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from maps.reference.selectors import catalogue_for_body, catalogues_for_body, scope_against_catalogue
from maps.stats.errors import StatsError
from maps.stats.selectors import scope_for_target
from maps.stats.targets import parse_token

register = template.Library()


@register.inclusion_tag("maps/reference/_comparison.html", takes_context=True)
def reference_comparison(context: dict[str, Any], token: str = "", analysis: int | None = None) -> dict[str, Any]:
    """Resolve ``token`` (or ``analysis:<pk>``) for the page's user, with the same 404 rules as the page
    itself, and compare if asked."""
    request = context["request"]
    token = token or f"analysis:{analysis}"
    scope = scope_for_target(request.user, parse_token(token))
    catalogues = catalogues_for_body(scope.body) if scope.body else []
    chosen = request.GET.get("reference", "")
    out: dict[str, Any] = {
        "catalogues": catalogues, "chosen": chosen, "token": token, "action": request.path,
        "keep": [(k, v) for k, values in request.GET.lists() if k != "reference" for v in values],
        "comparison": None, "error": "",
    }
    if chosen:
        try:
            comparison = scope_against_catalogue(scope, catalogue_for_body(chosen, scope.body))
            comparison["api"] = reverse("api-reference-compare") + "?" + urlencode(
                {"target": token, "catalogue": chosen, "layer": "1"})
            out["comparison"] = comparison
        except StatsError as error:
            out["error"] = error.message
    return out
