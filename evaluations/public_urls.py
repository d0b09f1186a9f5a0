from evaluations import public_views

app_name = "rate"

urlpatterns = public_views.urlpatterns
