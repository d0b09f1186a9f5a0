"""Guide pages: read the guide of a county, and (county administrator) maintain and publish it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms.models import model_to_dict
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog import services
from catalog.forms import ItemForm, MaterialFormSet, NoticeForm, PublishForm, materials_from
from catalog.models import Guide, GuideVersion, Item, VersionStatus
from catalog.selectors import (
    can_edit_guide,
    draft_of,
    guides_visible_to,
    items_search,
    version_history,
    version_in_force,
    version_items,
    version_upcoming,
)
from core import clock
from core.errors import DomainError, form_error_add
from org import access
from org.selectors import counties_visible_to, home_county

SEARCH_LIMIT = 50


def _guide(request, county_code: str) -> Guide:
    """The guide of a county the user may see; 404 for anything else."""
    return get_object_or_404(guides_visible_to(request.user), county__code=county_code)


def _editable_guide(request, county_code: str) -> Guide:
    guide = _guide(request, county_code)
    access.require(request.user, access.GUIDE_EDIT, guide.county)
    return guide


def _draft(request, guide: Guide) -> GuideVersion | None:
    draft = draft_of(guide)
    if draft is None:
        messages.warning(request, _("本县目前没有草稿。请先新建草稿版本，再修改事项。"))
    return draft


@login_required
@require_GET
def guide_list(request):
    """The counties the user can see, each with its version in force, upcoming version and draft."""
    today = clock.today()
    guides = {g.county_id: g for g in guides_visible_to(request.user)}
    rows = []
    for county in counties_visible_to(request.user).order_by("code"):
        guide = guides.get(county.pk)
        rows.append({
            "county": county,
            "guide": guide,
            "in_force": version_in_force(county=county, on=today) if guide else None,
            "upcoming": version_upcoming(guide=guide, on=today) if guide else None,
            "draft": draft_of(guide) if guide else None,
            "can_edit": can_edit_guide(request.user, county),
        })
    return render(request, "catalog/guide_list.html", {"rows": rows, "today": today})


@login_required
@require_GET
def guide_detail(request, county_code: str):
    """The version in force (or ?version=N), printable on A4 and posted at the window (R1)."""
    guide = _guide(request, county_code)
    today = clock.today()
    in_force = version_in_force(county=guide.county, on=today)
    can_edit = can_edit_guide(request.user, guide.county)
    requested = request.GET.get("version")
    if requested:
        try:
            number = int(requested)
        except ValueError as exc:
            raise Http404 from exc
        version = get_object_or_404(guide.versions, number=number)
        if version.status == VersionStatus.DRAFT and not can_edit:
            raise Http404
    else:
        version = in_force
    return render(request, "catalog/guide_detail.html", {
        "guide": guide,
        "version": version,
        "in_force": in_force,
        "upcoming": version_upcoming(guide=guide, on=today),
        "items": version_items(version) if version else [],
        "can_edit": can_edit,
        "today": today,
    })


@login_required
@require_GET
def version_history_view(request, county_code: str):
    guide = _guide(request, county_code)
    can_edit = can_edit_guide(request.user, guide.county)
    versions = version_history(guide)
    if not can_edit:
        versions = versions.filter(status=VersionStatus.PUBLISHED)
    today = clock.today()
    return render(request, "catalog/version_history.html", {
        "guide": guide, "versions": versions, "in_force": version_in_force(county=guide.county, on=today),
        "can_edit": can_edit,
    })


@login_required
@require_POST
def guide_create(request, county_code: str):
    """Start the county's guide and its first draft."""
    county = get_object_or_404(counties_visible_to(request.user), code=county_code)
    access.require(request.user, access.GUIDE_EDIT, county)
    try:
        guide = services.guide_create_for_county(county=county, actor=request.user)
        services.guide_draft_create(guide=guide, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("catalog:guide_list")
    messages.success(request, _("已建立%(county)s的办事指南，并新建了第1版草稿。请添加事项后发布。")
                     % {"county": county.name})
    return redirect("catalog:draft_detail", county_code=county.code)


@login_required
@require_GET
def draft_detail(request, county_code: str):
    """The draft's items, what still blocks publishing, and the editing actions."""
    guide = _editable_guide(request, county_code)
    draft = draft_of(guide)
    return render(request, "catalog/draft_detail.html", {
        "guide": guide,
        "draft": draft,
        "items": version_items(draft) if draft else [],
        "problems": services.publish_problems(draft) if draft else [],
        "in_force": version_in_force(county=guide.county, on=clock.today()),
    })


@login_required
@require_POST
def draft_create(request, county_code: str):
    guide = _editable_guide(request, county_code)
    try:
        draft = services.guide_draft_create(guide=guide, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已新建第%(number)s版草稿，内容复制自最新发布的版本。") % {"number": draft.number})
    return redirect("catalog:draft_detail", county_code=county_code)


@login_required
@require_POST
def draft_discard(request, county_code: str):
    guide = _editable_guide(request, county_code)
    draft = _draft(request, guide)
    if draft is not None:
        try:
            services.guide_draft_discard(version=draft, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已放弃第%(number)s版草稿。") % {"number": draft.number})
    return redirect("catalog:draft_detail", county_code=county_code)


def _item_page(request, county_code: str, item_id: int | None):
    guide = _editable_guide(request, county_code)
    draft = _draft(request, guide)
    if draft is None:
        return redirect("catalog:draft_detail", county_code=county_code)
    item = get_object_or_404(draft.items, pk=item_id) if item_id is not None else None
    # The form validates a blank Item, never the stored one, so a refused save leaves `item` untouched.
    initial = model_to_dict(item, fields=ItemForm._meta.fields) if item else _new_item_initial(draft)
    if request.method == "POST":
        form = ItemForm(request.POST, instance=Item(version=draft))
        formset = MaterialFormSet(request.POST, instance=item or Item(version=draft), prefix="materials")
        if form.is_valid() and formset.is_valid():
            try:
                saved = services.item_save(version=draft, actor=request.user, data=form.cleaned_data,
                                           materials=materials_from(formset), item=item)
            except DomainError as exc:
                form_error_add(form, exc)
            else:
                messages.success(request, _("已保存事项“%(code)s %(name)s”。")
                                 % {"code": saved.code, "name": saved.name})
                return redirect("catalog:draft_detail", county_code=county_code)
    else:
        form = ItemForm(initial=initial, instance=Item(version=draft))
        formset = MaterialFormSet(instance=item or Item(version=draft), prefix="materials")
    return render(request, "catalog/item_form.html", {
        "guide": guide, "draft": draft, "item": item, "form": form, "formset": formset,
        "formset_has_errors": bool(formset.is_bound and (formset.total_error_count())),
    }, status=400 if request.method == "POST" else 200)


def _new_item_initial(draft: GuideVersion) -> dict:
    """Start a new item with the place, hours and phones the draft's other items use."""
    last = draft.items.order_by("-position", "-code").first()
    if last is None:
        return {"position": 10}
    initial = {field: getattr(last, field) for field in ("place", "hours", "enquiry_phone", "complaint_phone")}
    initial["position"] = last.position + 10
    return initial


@login_required
def item_create(request, county_code: str):
    return _item_page(request, county_code, None)


@login_required
def item_edit(request, county_code: str, item_id: int):
    return _item_page(request, county_code, item_id)


@login_required
@require_POST
def item_delete(request, county_code: str, item_id: int):
    guide = _editable_guide(request, county_code)
    draft = _draft(request, guide)
    if draft is None:
        return redirect("catalog:draft_detail", county_code=county_code)
    item = get_object_or_404(draft.items, pk=item_id)
    label = f"{item.code} {item.name}"
    try:
        services.item_delete(item=item, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已从草稿中删除事项“%(item)s”。") % {"item": label})
    return redirect("catalog:draft_detail", county_code=county_code)


@login_required
def draft_publish(request, county_code: str):
    guide = _editable_guide(request, county_code)
    draft = _draft(request, guide)
    if draft is None:
        return redirect("catalog:draft_detail", county_code=county_code)
    if request.method == "POST":
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                services.guide_publish(version=draft, actor=request.user,
                                       effective_date=form.cleaned_data["effective_date"],
                                       note=form.cleaned_data["note"])
            except services.PublishRefused as exc:
                for problem in exc.problems:
                    form.add_error(None, problem)
            except DomainError as exc:
                form_error_add(form, exc)
            else:
                messages.success(request, _("第%(number)s版已发布，自%(date)s起施行。")
                                 % {"number": draft.number, "date": form.cleaned_data["effective_date"].isoformat()})
                return redirect(f"{_detail_url(county_code)}?version={draft.number}")
    else:
        form = PublishForm(initial={"effective_date": clock.today()})
    return render(request, "catalog/publish_form.html", {
        "guide": guide, "draft": draft, "form": form, "problems": services.publish_problems(draft),
        "item_count": draft.items.count(),
    })


def _detail_url(county_code: str) -> str:
    return reverse("catalog:guide_detail", kwargs={"county_code": county_code})


@login_required
def notice_edit(request, county_code: str):
    """The county's one layout of the one-time notice (R3)."""
    guide = _editable_guide(request, county_code)
    if request.method == "POST":
        form = NoticeForm(request.POST, instance=guide)
        if form.is_valid():
            try:
                services.guide_notice_update(guide=guide, actor=request.user, data=form.cleaned_data)
            except DomainError as exc:
                form_error_add(form, exc)
            else:
                messages.success(request, _("已保存告知单格式，此后打印的补充材料告知单按新格式。"))
                return redirect("catalog:draft_detail", county_code=county_code)
    else:
        form = NoticeForm(instance=guide)
    return render(request, "catalog/notice_form.html", {"guide": guide, "form": form})


@require_GET
def item_search_json(request):
    """Items of the version in force in a county: [{id, code, name, time_limit, pinyin}] (counter search box)."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"error": _("请先登录。")}, status=401, json_dumps_params={"ensure_ascii": False})
    code = (request.GET.get("county") or "").strip()
    counties = counties_visible_to(user)
    if code:
        county = counties.filter(code=code).first()
    else:
        own = home_county(user)
        county = counties.filter(pk=own.pk).first() if own else None
    if county is None:
        return JsonResponse({"error": _("未找到该县（市、区）局，或不在您的管辖范围内。")}, status=404,
                            json_dumps_params={"ensure_ascii": False})
    version = version_in_force(county=county, on=clock.today())
    items = items_search(version=version, query=request.GET.get("q", ""))[:SEARCH_LIMIT] if version else []
    data = [
        {"id": item.pk, "code": item.code, "name": item.name, "time_limit": item.time_limit_text,
         "pinyin": item.pinyin_initials}
        for item in items
    ]
    return JsonResponse(data, safe=False, json_dumps_params={"ensure_ascii": False})
