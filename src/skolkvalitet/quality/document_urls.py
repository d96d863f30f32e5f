from django.urls import path

from skolkvalitet.quality import document_views as views

urlpatterns = [
    path("", views.documents, name="quality_documents"),
    path("publicera/", views.publication, name="quality_publication"),
    path("jobb/<int:job_id>/", views.document_job, name="quality_document_job"),
    path("jobb/<int:job_id>/status/", views.document_job_status, name="quality_document_status"),
    path("jobb/<int:job_id>/fil/", views.document_download, name="quality_document_download"),
    path(
        "rapport/<int:start_year>/<int:unit_id>/<slug:school_form>/",
        views.unit_document,
        name="quality_unit_document",
    ),
]
