from django import forms

from segmentation.engine.weights import TTA_FLIPS
from segmentation.models import MANUAL_MODEL_KEY, ModelVersion


class AnalysisStartForm(forms.Form):
    """Model version (default: the newest) and the tiling parameters."""

    model_version = forms.ModelChoiceField(
        queryset=ModelVersion.objects.exclude(weights_sha256=MANUAL_MODEL_KEY), required=False,
        empty_label="Newest model",
    )
    tile = forms.IntegerField(required=False, min_value=64, max_value=2048, help_text="Window size in pixels")
    overlap = forms.IntegerField(required=False, min_value=0, max_value=512, initial=64)
    min_area_px = forms.IntegerField(required=False, min_value=1, max_value=100_000, initial=16)
    tta = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Test-time augmentation",
        choices=[("", "Model default")] + [(n, "Off (fastest)" if n == 1 else f"{n} passes") for n in TTA_FLIPS],
        help_text="Averages the model over mirrored copies of each window: slower, slightly more accurate",
    )
    contrast_view = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Second look for craters", initial=1,
        choices=[(1, "On (finds craters inside bigger craters)"), (0, "Off (half the time)")],
        help_text="Runs the model again on a local-contrast copy of the image; twice the forward passes",
    )
    multiscale = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Craters at every scale", initial=1,
        choices=[(1, "On (small and very large craters too)"), (0, "Off")],
        help_text="Also segments enlarged (small images) or reduced (big images) copies",
    )
    light_check = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Check craters against the light", initial=1,
        choices=[(1, "On (drops domes and shadows)"), (0, "Off")],
        help_text="A crater's sunward wall is dark; candidates lit the other way round are dropped",
    )
