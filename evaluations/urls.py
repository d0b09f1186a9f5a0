from evaluations import device_views, followup_views

app_name = "evaluations"

urlpatterns = device_views.urlpatterns + followup_views.urlpatterns
