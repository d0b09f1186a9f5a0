from django.urls import path

app_name = "counter"

urlpatterns: list = []
