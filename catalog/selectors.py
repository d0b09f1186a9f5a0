"""Reads of the service guide: the version in force, item search, what a user may see."""

from datetime import date

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from catalog.models import Guide, GuideVersion, Item, Material, VersionStatus
from core.prepared import prefetched, run
from org import access
from org.models import Staff, Unit
from org.selectors import counties_visible_to

# The search box at the counter never needs more than this.
SEARCH_QUERY_MAX = 50


def _version_in_force(county, on):
    return (
        GuideVersion.objects.filter(
            guide__county=county, status=VersionStatus.PUBLISHED, effective_date__lte=on
        )
        .select_related("guide", "guide__county")
        .order_by("-effective_date", "-number")[:1]
    )


def _item_of_county(item_id, county):
    return Item.objects.filter(pk=item_id, version__guide__county=county).select_related("version")


def _materials_of_item(item_id):
    return Material.objects.filter(item_id=item_id)


def version_in_force(*, county: Unit, on: date) -> GuideVersion | None:
    """Return the published version with the latest effective date on or before `on` (highest number on a tie)."""
    # Every counter form and intake reads these: compiled once per process (core/prepared.py).
    found = run(_version_in_force, county=county.pk, on=on)
    return found[0] if found else None


def item_materials_read(item: Item) -> Item:
    """Give `item` its materials (`item.materials.all()`), in guide order, as prefetch_related would."""
    prefetched(item, "materials", run(_materials_of_item, item_id=item.pk))
    return item


def guide_of(county: Unit) -> Guide | None:
    """The county's one guide, or None before it has one."""
    return Guide.objects.filter(county=county).select_related("county").first()


def item_in_force(*, county: Unit, item_id: int, on: date) -> tuple[Item | None, Item | None]:
    """Item `item_id` of `county`'s guide as the version in force on `on` has it.

    (item, None) when it is in force; (its successor by code, the old item) when a newer version replaced it;
    (None, the old item) when the version in force dropped it; (None, None) when it is no item of that county.
    """
    version = version_in_force(county=county, on=on)
    asked = next(iter(run(_item_of_county, item_id=item_id, county=county.pk)), None)
    if asked is None:
        return None, None
    if version is not None and asked.version_id == version.pk:
        return asked, None
    successor = version.items.filter(code=asked.code).first() if version is not None else None
    return successor, asked


def version_latest_published(guide: Guide) -> GuideVersion | None:
    """Return the published version with the highest number (perhaps not in force yet)."""
    return guide.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


def version_upcoming(*, guide: Guide, on: date) -> GuideVersion | None:
    """Return the next published version whose effective date is still after `on`."""
    return (
        guide.versions.filter(status=VersionStatus.PUBLISHED, effective_date__gt=on)
        .order_by("effective_date", "number")
        .first()
    )


def draft_of(guide: Guide) -> GuideVersion | None:
    return guide.versions.filter(status=VersionStatus.DRAFT).first()


def version_history(guide: Guide) -> QuerySet[GuideVersion]:
    """Every version of `guide`, newest number first, with its item count."""
    return (
        guide.versions.all()
        .select_related("created_by", "published_by")
        .annotate(item_count=Count("items"))
        .order_by("-number")
    )


def version_items(version: GuideVersion) -> QuerySet[Item]:
    """The items of `version` in guide order, with their materials."""
    return version.items.all().prefetch_related("materials").order_by("position", "code")


def items_search(*, version: GuideVersion, query: str) -> QuerySet[Item]:
    """Items of `version` whose code starts with, name contains, or pinyin initials contain `query`."""
    items = version.items.all()
    q = (query or "").strip()[:SEARCH_QUERY_MAX]
    if not q:
        return items.order_by("position", "code")
    letters = q.lower()
    matches = Q(code__istartswith=q) | Q(name__icontains=q) | Q(pinyin_initials__contains=letters)
    # The best matches first: exact code, code prefix, name or initials prefix, then anything else.
    rank = Case(
        When(code__iexact=q, then=Value(0)),
        When(code__istartswith=q, then=Value(1)),
        When(name__istartswith=q, then=Value(2)),
        When(pinyin_initials__startswith=letters, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return items.filter(matches).annotate(rank=rank).order_by("rank", "position", "code")


def guides_visible_to(user: Staff) -> QuerySet[Guide]:
    """Guides of the counties `user` may read: a city role sees its city's counties, others their own county."""
    return Guide.objects.filter(county__in=counties_visible_to(user)).select_related("county").order_by("county__code")


def can_edit_guide(user: Staff, county: Unit) -> bool:
    """Whether `user` is the county administrator of `county`, the only one who may write its guide."""
    return access.can(user, access.GUIDE_EDIT, county)
