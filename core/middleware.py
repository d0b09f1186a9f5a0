"""Drop NUL characters from form and query data: no form field needs them and PostgreSQL text cannot hold them."""

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class StripNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        names = ["GET"]
        # Only form posts are parsed here; the JSON API reads its own body and refuses NUL itself.
        if request.method == "POST" and request.content_type in FORM_TYPES and not request.path.startswith("/api/"):
            names.append("POST")
        for name in names:
            data = getattr(request, name)
            if _has_nul(data):
                cleaned = data.copy()
                for key, values in data.lists():
                    cleaned.setlist(key, [value.replace("\x00", "") for value in values])
                cleaned._mutable = False
                setattr(request, name, cleaned)
        return self.get_response(request)


def _has_nul(data) -> bool:
    return any("\x00" in value for _key, values in data.lists() for value in values)
