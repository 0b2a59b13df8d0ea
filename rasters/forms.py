from django import forms


class RasterEditForm(forms.Form):
    """Title and description, the fields an owner edits."""

    title = forms.CharField(max_length=200)
    description = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 5}))
