from django.urls import path

from skolkvalitet.ingest import views

urlpatterns = [
    path("", views.import_page, name="import_page"),
    path("jobb/<int:job_id>/", views.import_job, name="import_job"),
    path("jobb/<int:job_id>/status/", views.import_job_status, name="import_job_status"),
    path("mall/<str:kind>.<str:fmt>", views.import_template, name="import_template"),
    path("<int:batch_id>/angra/", views.import_batch_rollback, name="import_batch_rollback"),
    path("<int:batch_id>/rakna-om/", views.import_batch_recompute, name="import_batch_recompute"),
]
