"""Lists of 50 a page: the page asked for (a bad number gives the nearest real page) and the rest of the query."""

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def page_of(items, request: HttpRequest, size: int = PAGE_SIZE) -> Page:
    return Paginator(items, size).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The list's filters as a query string, for the pager's links (includes/pager.html)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
