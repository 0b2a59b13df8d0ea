"""Statistics pages under /map/stats/: summary with charts, CSFD plot image, comparison and reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from maps.core.csfd import BINNINGS
from maps.core.plots import csfd_plot
from maps.stats import selectors, services
from maps.stats.api import job_dict
from maps.stats.errors import StatsError
from maps.stats.summary import PRESENTATIONS, CsfdParams, Summary, csfd_params, summarize
from maps.stats.targets import Target, parse_token, region_target

View = Callable[..., HttpResponse]
METHOD_CHOICES = ("poisson", "cumulative-fit", "differential-fit")  # buffered-poisson needs a perimeter


def _friendly(view: View) -> View:
    """Show a statistics error on the page (400) instead of a server error."""

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except StatsError as exc:
            return render(request, "maps/stats/error.html", {"message": exc.message}, status=400)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _page_data(summary: Summary) -> dict[str, Any]:
    data = summary.as_dict()
    token = summary.scope.target.token()
    data["api"] = reverse("api-stats") + "?target=" + token
    data["plot"] = reverse("maps:stats-csfd-plot", kwargs={"fmt": "svg"})
    return data


def _form_context(params: CsfdParams) -> dict[str, Any]:
    chosen = {k: v for k, v in asdict(params).items() if v not in (None, "")}
    return {"params": params, "methods": METHOD_CHOICES, "binnings": BINNINGS, "report_params": sorted(chosen.items())}


def _summary_page(request: HttpRequest, target: Target) -> HttpResponse:
    scope = selectors.scope_for_target(request.user, target)
    params = csfd_params(request.GET)
    summary = summarize(scope, params)
    token = target.token()
    page_data = _page_data(summary)
    plot_query = urlencode({"target": token, **{k: v for k, v in asdict(params).items() if v not in (None, "")}})
    page_data["plot_query"] = plot_query
    return render(
        request,
        "maps/stats/summary.html",
        {"summary": summary, "scope": scope, "token": token, "presentations": PRESENTATIONS,
         "page_data": page_data, "systems": page_data["systems"], "plot_query": plot_query,
         "region_token": token if target.kind == "region" else "", **_form_context(params)},
    )  # fmt: skip


@login_required
@require_GET
@_friendly
def object_stats(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Statistics of one analysis, image or project."""
    return _summary_page(request, Target(kind=kind, pk=pk))


@login_required
@require_GET
@_friendly
def region_stats(request: HttpRequest) -> HttpResponse:
    """Statistics of a region: ``?target=region:...`` or ``?body=mars&geometry=<GeoJSON>&classes=...``."""
    token = request.GET.get("target")
    return _summary_page(request, parse_token(token) if token else region_target(request.GET))


@login_required
@require_GET
@_friendly
def compare(request: HttpRequest) -> HttpResponse:
    """Two surfaces side by side: ``?a=<target>&b=<target>`` with shared CSFD parameters."""
    params = csfd_params(request.GET)
    sides = []
    for side in ("a", "b"):
        scope = selectors.scope_for_target(request.user, parse_token(request.GET.get(side, "")))
        sides.append(summarize(scope, params))
    page_data = {"a": _page_data(sides[0]), "b": _page_data(sides[1])}
    return render(
        request,
        "maps/stats/compare.html",
        {"sides": sides, "page_data": page_data, "compare_hidden": [("a", request.GET["a"]), ("b", request.GET["b"])],
         "systems": sorted(set(page_data["a"]["systems"]) | set(page_data["b"]["systems"])), **_form_context(params)},
    )  # fmt: skip


@login_required
@require_GET
@_friendly
def csfd_image(request: HttpRequest, fmt: str) -> HttpResponse:
    """Server-rendered CSFD (matplotlib) with the fitted isochron: ``?target=...&kind=cumulative``."""
    kind = request.GET.get("kind", "cumulative")
    if kind not in PRESENTATIONS:
        raise Http404("Unknown presentation.")
    scope = selectors.scope_for_target(request.user, parse_token(request.GET.get("target", "")))
    summary = summarize(scope, csfd_params(request.GET))
    if summary.csfd.binned is None:
        raise Http404("No craters with diameters to plot.")
    fits = [summary.csfd.fit] if summary.csfd.fit else []
    data = csfd_plot(summary.csfd.binned, kind, fits, fmt=fmt, title=f"{scope.title} – {kind}")
    return HttpResponse(data, content_type="image/svg+xml" if fmt == "svg" else "image/png")


@login_required
@require_POST
@_friendly
def report_create(request: HttpRequest) -> HttpResponse:
    """Queue a report for the posted target and parameters, then show its status page."""
    target = parse_token(request.POST.get("target", ""))
    job = services.report_request(request.user, target, csfd_params(request.POST))
    return redirect("maps:stats-report", job_id=job["id"])


@login_required
@require_GET
def report_status(request: HttpRequest, job_id: str) -> HttpResponse:
    """A report job's status; the page polls the API until the files are ready."""
    job = job_dict(selectors.report_for_user(request.user, job_id))
    return render(request, "maps/stats/report.html", {"job": job, "page_data": job})


@login_required
@require_GET
def report_file(request: HttpRequest, job_id: str, fmt: str) -> FileResponse:
    """Download the rendered PDF or HTML (access re-checked on every download)."""
    job = selectors.report_for_user(request.user, job_id)
    path = services.job_dir(job["id"]) / f"report.{fmt}"
    if job.get("status") != services.DONE or not path.exists():
        raise Http404("The report is not ready.")
    content_type = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    return FileResponse(path.open("rb"), content_type=content_type, as_attachment=fmt == "pdf",
                        filename=f"geoplanet-report-{job['id'][:8]}.{fmt}")  # fmt: skip
