from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from skolkvalitet.batches.tabular import MAX_FILE_BYTES
from skolkvalitet.ingest.files.kinds import FILE_KINDS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of file"), choices=[(k.key, k.name) for k in FILE_KINDS.values()]
    )
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        limit = int(getattr(settings, "SKOLKVALITET_IMPORT_MAX_BYTES", MAX_FILE_BYTES))
        if uploaded.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)d MB; the limit is %(limit)d MB.")
                % {"size": uploaded.size // 2**20, "limit": limit // 2**20}
            )
        return uploaded
