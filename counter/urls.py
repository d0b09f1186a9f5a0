from django.urls import path

from counter import views

app_name = "counter"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("new/<int:item_id>/", views.case_new, name="case_new"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<str:number>/", views.case_detail, name="case_detail"),
    path("cases/<str:number>/decide/", views.case_decide, name="case_decide"),
    path("cases/<str:number>/reveal/", views.case_reveal, name="case_reveal"),
    path("documents/<str:public_id>/", views.document_view, name="document"),
    path("documents/<str:public_id>/pdf/", views.document_pdf, name="document_pdf"),
]
