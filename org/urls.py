from django.urls import path

from org import views

app_name = "org"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("staff/", views.staff_list, name="staff_list"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
]
