from api import devices, docs, integrations

app_name = "api"

urlpatterns = devices.urlpatterns + integrations.urlpatterns + docs.urlpatterns
