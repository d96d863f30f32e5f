from django.urls import include, path

urlpatterns = [
    path("", include("skolkvalitet.web.urls")),
]
