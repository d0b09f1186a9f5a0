"""The bare view: what the framework, the middleware, session sign-in and CSRF cost around one INSERT.

GET answers a tiny form (it sets the CSRF cookie, as any page with a form does); POST, CSRF-checked by the real
CsrfViewMiddleware, inserts one row into TABLE and redirects back (302), as the counter's forms do. TABLE is made
by bench/counter_load.py with raw SQL (`TABLE_SQL`), so no migration is needed.
"""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.utils.html import escape

TABLE = "bench_bare_insert"
TABLE_SQL = (f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, staff_id bigint NOT NULL, "
             f"at timestamptz NOT NULL DEFAULT now(), note varchar(100) NOT NULL DEFAULT '')")


@login_required
def bare(request):
    if request.method == "POST":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} (staff_id, note) VALUES (%s, %s)",
                           [request.user.pk, request.POST.get("note", "")[:100]])
        return redirect(request.path)
    token = escape(get_token(request))
    return HttpResponse(f'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
                        f'<input name="note"><button>ok</button></form>', content_type="text/html; charset=utf-8")
