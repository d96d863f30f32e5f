from django.urls import include, path

urlpatterns = [
    path("", include("skolkvalitet.web.urls")),
    path("import/", include("skolkvalitet.ingest.urls")),
    path("offentlig/", include("skolkvalitet.quality.public_urls")),
    path("uppfoljning/dokument/", include("skolkvalitet.quality.document_urls")),
    path("uppfoljning/", include("skolkvalitet.quality.urls")),
    path("resultat/", include("skolkvalitet.dashboards.urls")),
    path("api/", include("skolkvalitet.api.urls")),
    path("konto/api-nycklar/", include("skolkvalitet.api.token_urls")),
]
