"""/api/openapi.json (the spec) and /api/docs (a page generated from it on the server, no outside assets)."""

from __future__ import annotations

import json

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path

from api.openapi import build_spec

METHODS = ("get", "post", "put", "patch", "delete")
REF_PREFIX = "#/components/schemas/"


def openapi_json(request):
    response = JsonResponse(build_spec(), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Access-Control-Allow-Origin"] = "*"  # the spec is public; tools may fetch it from elsewhere
    return response


def _pretty(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def _ref_name(schema: dict) -> str | None:
    ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
    return ref[len(REF_PREFIX):] if ref.startswith(REF_PREFIX) else None


def type_text(schema) -> dict:
    """A schema as a short type for a table cell: {'text': ..., 'ref': schema name to link or None}."""
    if not isinstance(schema, dict):
        return {"text": "", "ref": None}
    name = _ref_name(schema)
    if name:
        return {"text": name, "ref": name}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return type_text(schema["allOf"][0])
    for combiner, joiner in (("oneOf", " | "), ("anyOf", " | ")):
        if combiner in schema:
            parts = [type_text(s)["text"] for s in schema[combiner]]
            return {"text": joiner.join(parts), "ref": None}
    kind = schema.get("type", "")
    if isinstance(kind, list):
        kind = " | ".join(kind)
    if kind == "array":
        inner = type_text(schema.get("items", {}))
        return {"text": f"array<{inner['text']}>", "ref": inner["ref"]}
    if not kind and "const" in schema:
        kind = f"const {json.dumps(schema['const'], ensure_ascii=False)}"
    if schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    return {"text": kind or "any", "ref": None}


def _constraints(schema: dict) -> str:
    if not isinstance(schema, dict):
        return ""
    parts = []
    if "enum" in schema:
        parts.append(" / ".join(str(v) for v in schema["enum"]))
    for key, label in (("minimum", "≥"), ("maximum", "≤"), ("maxLength", "≤ len ")):
        if key in schema:
            parts.append(f"{label}{schema[key]}")
    if "default" in schema:
        parts.append(f"default {schema['default']}")
    return "; ".join(parts)


def _inline_object(schema) -> dict | None:
    """The object schema written inline in `schema` (also as array items), or None for a reference or a scalar."""
    if not isinstance(schema, dict) or _ref_name(schema):
        return None
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _inline_object(schema["allOf"][0])
    if schema.get("type") == "array":
        return _inline_object(schema.get("items"))
    return schema if schema.get("properties") else None


def schema_rows(schema, prefix: str = "", depth: int = 0) -> list[dict]:
    """The properties of an object schema as table rows; inline nested objects follow as `parent.child` rows."""
    if not isinstance(schema, dict):
        return []
    if "allOf" in schema and len(schema["allOf"]) == 1 and not schema.get("properties"):
        schema = schema["allOf"][0]
    required = set(schema.get("required", []))
    rows = []
    for name, prop in (schema.get("properties") or {}).items():
        prop = prop if isinstance(prop, dict) else {}
        target = prop
        if "allOf" in prop and len(prop["allOf"]) == 1:
            target = prop["allOf"][0]
        rows.append({
            "name": prefix + name,
            "type": type_text(prop),
            "required": name in required,
            "description": prop.get("description", ""),
            "constraints": _constraints(target),
        })
        nested = _inline_object(prop)
        if nested is not None and depth < 3:
            marker = "[]." if prop.get("type") == "array" else "."
            rows += schema_rows(nested, f"{prefix}{name}{marker}", depth + 1)
    return rows


def _body(content: dict | None) -> list[dict]:
    """Each media type of a request or response body: its schema as a link or rows, and its examples."""
    out = []
    for media, entry in (content or {}).items():
        entry = entry if isinstance(entry, dict) else {}
        schema = entry.get("schema", {})
        examples = []
        if "example" in entry:
            examples.append(("", _pretty(entry["example"])))
        for name, example in (entry.get("examples") or {}).items():
            value = example.get("value") if isinstance(example, dict) else example
            examples.append((name, _pretty(value)))
        out.append({
            "media": media,
            "type": type_text(schema),
            "rows": [] if _ref_name(schema) else schema_rows(schema),
            "examples": examples,
        })
    return out


def operations(spec: dict) -> list[dict]:
    """Every path and method of the spec, in path order, ready for the template."""
    out = []
    for route in spec.get("paths", {}):  # the spec's own order: pair before heartbeat, list before detail
        item = spec["paths"][route]
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters", [])
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            params = []
            for p in [*shared, *op.get("parameters", [])]:
                if not isinstance(p, dict):
                    continue
                params.append({
                    "name": p.get("name", ""), "in": p.get("in", ""), "required": bool(p.get("required")),
                    "type": type_text(p.get("schema", {})), "description": p.get("description", ""),
                    "constraints": _constraints(p.get("schema", {})),
                    "example": p.get("example", ""),
                })
            security = [name for req in op.get("security", spec.get("security", [])) for name in req]
            body = op.get("requestBody") if isinstance(op.get("requestBody"), dict) else {}
            responses = []
            for status, resp in (op.get("responses") or {}).items():
                resp = resp if isinstance(resp, dict) else {}
                responses.append({"status": status, "description": resp.get("description", ""),
                                  "bodies": _body(resp.get("content"))})
            out.append({
                "id": f"{method}-{route}".replace("/", "-").replace("{", "").replace("}", "").replace(".", "-"),
                "method": method.upper(), "path": route, "summary": op.get("summary", ""),
                "description": op.get("description", ""), "tags": op.get("tags", []),
                "operation_id": op.get("operationId", ""), "security": security, "parameters": params,
                "request": _body(body.get("content")), "request_required": bool(body.get("required")),
                "responses": responses,
            })
    return out


def docs(request):
    """The API described for people, in Chinese, generated from the same spec the tools read."""
    spec = build_spec()
    schemas = [
        {"name": name, "description": schema.get("description", ""), "rows": schema_rows(schema),
         "type": type_text(schema),
         "example": _pretty(schema["example"]) if "example" in schema else ""}
        for name, schema in sorted((spec.get("components", {}).get("schemas") or {}).items())
        if isinstance(schema, dict)
    ]
    ops = operations(spec)
    tags = [{"name": t["name"], "description": t.get("description", ""),
             "operations": [op for op in ops if t["name"] in op["tags"]]} for t in spec.get("tags", [])]
    untagged = [op for op in ops if not any(t["name"] in op["tags"] for t in spec.get("tags", []))]
    if untagged:
        tags.append({"name": "other", "description": "", "operations": untagged})
    return render(request, "api/docs.html", {
        "spec": spec, "info": spec.get("info", {}), "tags": [t for t in tags if t["operations"]],
        "operations": ops, "schemas": schemas,
        "security_schemes": (spec.get("components", {}).get("securitySchemes") or {}),
    })


urlpatterns = [
    path("openapi.json", openapi_json, name="openapi"),
    path("docs", docs, name="docs"),
]
