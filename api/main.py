"""The one NinjaAPI: the device and integration routers, our error handler, the generated OpenAPI document.

/api/openapi.json is generated from the routers and their pydantic schemas (api/schemas.py); /api/docs shows
it with the Swagger UI files shipped with django-ninja and served from this server (nothing from a CDN).
"""

from ninja import NinjaAPI

from api import devices, errors, integrations

API_VERSION = "1.0"

api = NinjaAPI(
    title="亮窗 BrightWindow API",
    version=API_VERSION,
    description=(
        "户籍窗口评价器（配对、心跳、等待下一件、提交评价）和对接系统（按办件编号或时间读取评价，"
        "供上报省级“好差评”系统）使用的 JSON 接口。所有时间为 ISO 8601 字符串；"
        "出错时返回 {\"error\": {\"code\", \"message\", \"field\"}}：code 供程序判断，message 为中文说明，"
        "field 为出错的字段或参数。详见 docs/api.md。"
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=errors.StrictJsonParser(),
)
errors.install(api)
api.add_router("/devices", devices.router)
api.add_router("/", integrations.router)
