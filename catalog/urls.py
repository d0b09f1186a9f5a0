from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.guide_list, name="guide_list"),
    path("items/search", views.item_search_json, name="item_search_json"),
    path("<str:county_code>/", views.guide_detail, name="guide_detail"),
    path("<str:county_code>/versions/", views.version_history_view, name="version_history"),
    path("<str:county_code>/create/", views.guide_create, name="guide_create"),
    path("<str:county_code>/notice/", views.notice_edit, name="notice_edit"),
    path("<str:county_code>/draft/", views.draft_detail, name="draft_detail"),
    path("<str:county_code>/draft/create/", views.draft_create, name="draft_create"),
    path("<str:county_code>/draft/discard/", views.draft_discard, name="draft_discard"),
    path("<str:county_code>/draft/publish/", views.draft_publish, name="draft_publish"),
    path("<str:county_code>/draft/items/new/", views.item_create, name="item_create"),
    path("<str:county_code>/draft/items/<int:item_id>/", views.item_edit, name="item_edit"),
    path("<str:county_code>/draft/items/<int:item_id>/delete/", views.item_delete, name="item_delete"),
]
