"""The observatory's library of studies and reports: PDF files with their title, authors,
date, language, abstract, topics and licence.

An analyst adds a study as a draft (``add_study``), corrects it (``update_study``), publishes
it (``publish_study``) and may withdraw it (``withdraw_study``); only a published study is
public and found by the site's search. The file is checked by what it is — its first bytes
must be ``%PDF-`` — and by its size (``settings.OBSERVATORY_STUDY_MAX_MB``), never by its name;
its size and SHA-256 are kept so that a reader (or a later audit) can tell which file it was.

A study is written in one language, which is not a translation of the interface: the site's
search keeps one document per study, in that language, so that a reader of another language
still finds it (``core.search`` prefers the reader's language among an item's documents, and
a study has only its own); its topics are named in every language as the document's keywords,
so that "santé" finds a study in Portuguese about health, as it finds a service.

Its address (``slug``, from the title) never changes once given, whatever the title becomes:
links to a study stay true."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from coop4int.accounts.models import User
from coop4int.accounts.roles import Permission
from coop4int.core import audit, search
from coop4int.core.files import sniff
from coop4int.core.languages import REGISTRY
from coop4int.core.models import SearchDocument
from coop4int.directory.models import TaxonomyTerm
from coop4int.observatory.enums import LICENCES, StudyStatus
from coop4int.observatory.models import Study

# The kind of the studies' documents in the site's search (``core.search``).
SEARCH_KIND = "study"
PDF_TYPE = "application/pdf"
# Slugs that would be read as another page of the staff's addresses (…/studies/new/).
RESERVED_SLUGS = frozenset({"new"})
SLUG_LENGTH = Study._meta.get_field("slug").max_length or 100
TITLE_LENGTH = Study._meta.get_field("title").max_length or 300
AUTHORS_LENGTH = Study._meta.get_field("authors").max_length or 500

# Which status a study may go to from each status (``_transition``, the one writer).
TRANSITIONS: dict[str, frozenset[str]] = {
    StudyStatus.DRAFT: frozenset({StudyStatus.PUBLISHED}),
    StudyStatus.PUBLISHED: frozenset({StudyStatus.WITHDRAWN}),
    # A study withdrawn by mistake (or corrected since) may be published again.
    StudyStatus.WITHDRAWN: frozenset({StudyStatus.PUBLISHED}),
}


def max_bytes() -> int:
    """The largest study accepted, in bytes."""
    return int(settings.OBSERVATORY_STUDY_MAX_MB) * 2**20


def public_path(study: Study) -> str:
    """Where the public reads the study, after the language prefix (the site's search links
    its results as ``/<lang>/`` + this): the page ``portal:study``."""
    return f"observatory/studies/{study.slug}/"


# --- Checks -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Checked:
    """A study's details once checked, ready to be written."""

    title: str
    authors: str
    published_on: date
    language: str
    abstract: str
    licence: str
    topics: list[TaxonomyTerm]

    def fields(self) -> dict[str, object]:
        """The study's own fields (its topics aside), as the model names them."""
        return {
            "title": self.title,
            "authors": self.authors,
            "published_on": self.published_on,
            "language": self.language,
            "abstract": self.abstract,
            "licence": self.licence,
        }


def _require(actor: User | None) -> None:
    """A person acting must be allowed to manage the observatory; ``None`` is the platform
    itself (a command, the demo)."""
    if actor is not None and not actor.has_perm(Permission.MANAGE_OBSERVATORY):
        raise PermissionDenied


def _checked_details(
    *,
    title: str,
    authors: str,
    published_on: date | None,
    language: str,
    abstract: str,
    topics: Iterable[TaxonomyTerm],
    licence: str,
) -> tuple[_Checked | None, dict[str, list[str]]]:
    """The details, or every problem with them by field (all said at once)."""
    problems: dict[str, list[str]] = {}
    title, authors, abstract = title.strip(), authors.strip(), abstract.strip()
    if not title:
        problems["title"] = [_("Give the study's title.")]
    elif len(title) > TITLE_LENGTH:
        problems["title"] = [
            _("The title is too long: at most %(count)d characters.") % {"count": TITLE_LENGTH}
        ]
    if not authors:
        problems["authors"] = [_("Name the authors, as the publication names them.")]
    elif len(authors) > AUTHORS_LENGTH:
        problems["authors"] = [
            _("The list of authors is too long: at most %(count)d characters.")
            % {"count": AUTHORS_LENGTH}
        ]
    if published_on is None:
        problems["published_on"] = [_("Give the date the study was published.")]
    if language not in REGISTRY:
        problems["language"] = [_("Choose the language the study is written in.")]
    if not abstract:
        problems["abstract"] = [_("Give the study's abstract.")]
    if licence not in LICENCES:
        problems["licence"] = [_("Choose one of the licences offered.")]
    if problems or published_on is None:
        return None, problems
    checked = _Checked(
        title=title,
        authors=authors,
        published_on=published_on,
        language=language,
        abstract=abstract,
        licence=licence,
        topics=list(dict.fromkeys(topics)),
    )
    return checked, problems


def _file_problems(upload: UploadedFile | None) -> list[str]:
    """Why ``upload`` is not an acceptable study ([] when it is): a PDF by its first bytes,
    not empty, and not larger than the limit."""
    if upload is None:
        return [_("Choose the study's PDF file.")]
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        return [
            _("The file is too large: at most %(mb)d MB.")
            % {"mb": settings.OBSERVATORY_STUDY_MAX_MB}
        ]
    kind = sniff(upload)
    if kind is None or kind[0] != PDF_TYPE:
        return [_("This file is not a PDF. Only PDF files can be added to the library.")]
    return []


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _free_slug(title: str) -> str:
    """A slug from ``title`` no other study has (``-2``, ``-3``… added when needed); "study"
    for a title without a letter of the Latin alphabet."""
    base = slugify(title)[: SLUG_LENGTH - 6].strip("-") or "study"
    taken = set(Study.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _put_file(study: Study, upload: UploadedFile) -> None:
    """Keep ``upload`` as the study's file (named after its slug), with its size and digest."""
    study.file_sha256 = _sha256(upload)
    study.file_size = upload.size or 0
    upload.name = f"{study.slug}.pdf"
    study.file = upload


# --- The search document ----------------------------------------------------------------------


def _topic_names(study: Study) -> str:
    """The study's topics named in every language they have a name in."""
    names = {
        name
        for term in study.topics.all()
        for name in (term.name, *term.names.values())
        if isinstance(name, str) and name
    }
    return " ".join(sorted(names))


def search_document(study: Study) -> search.Document:
    """The study as the site's search finds it: title, authors and abstract in the study's
    own language; its topics in every language, matched but not shown."""
    return search.Document(
        key=str(study.pk),
        language=study.language,
        title=study.title,
        body=f"{study.abstract}\n{study.authors}",
        url=public_path(study),
        keywords=_topic_names(study),
    )


def _index(study: Study) -> None:
    """The study's one document (any other of its key — in a language it was in before — is
    dropped)."""
    search.replace_documents(
        kind=SEARCH_KIND, documents=[search_document(study)], keys=[str(study.pk)]
    )


def _unindex(study: Study) -> None:
    search.remove_documents(kind=SEARCH_KIND, keys=[str(study.pk)])


# --- Writing ----------------------------------------------------------------------------------


@transaction.atomic
def add_study(
    *,
    actor: User | None,
    title: str,
    authors: str,
    published_on: date | None,
    language: str,
    abstract: str,
    topics: Iterable[TaxonomyTerm],
    licence: str,
    upload: UploadedFile | None,
) -> Study:
    """Add a study to the library, as a draft that only analysts see until it is published.

    Refused with a ``ValidationError`` naming each field that is wrong (the file: not a PDF by
    its first bytes, empty, or larger than ``OBSERVATORY_STUDY_MAX_MB``), and nothing stored.
    Side effects: the file under the data directory (or the bucket); audit
    ``observatory.study.added``."""
    _require(actor)
    checked, problems = _checked_details(
        title=title, authors=authors, published_on=published_on, language=language,
        abstract=abstract, topics=topics, licence=licence,
    )  # fmt: skip
    if file_problems := _file_problems(upload):
        problems["upload"] = file_problems
    if problems or checked is None or upload is None:
        raise ValidationError(problems)
    study = Study(
        slug=_free_slug(checked.title),
        **checked.fields(),
        status=StudyStatus.DRAFT,
        created_by=actor if actor is not None and actor.pk else None,
    )
    _put_file(study, upload)
    study.save()
    study.topics.set(checked.topics)
    audit.record(
        action="observatory.study.added",
        actor=actor,
        obj=study,
        data={
            "slug": study.slug,
            "language": study.language,
            "size": study.file_size,
            "sha256": study.file_sha256,
        },
    )
    return study


@transaction.atomic
def update_study(
    *,
    study: Study,
    actor: User | None,
    title: str,
    authors: str,
    published_on: date | None,
    language: str,
    abstract: str,
    topics: Iterable[TaxonomyTerm],
    licence: str,
    upload: UploadedFile | None = None,
) -> Study:
    """Correct a study's details and, with ``upload``, put a new file in place of its file.
    The address (slug) stays as it was. A published study's search document follows at once.

    Refused with a ``ValidationError`` by field, nothing changed, as ``add_study`` is. Side
    effects: the new file stored and the old one deleted once the change is committed;
    audit ``observatory.study.updated`` (which fields changed, and the new file's digest)."""
    _require(actor)
    checked, problems = _checked_details(
        title=title, authors=authors, published_on=published_on, language=language,
        abstract=abstract, topics=topics, licence=licence,
    )  # fmt: skip
    if upload is not None and (file_problems := _file_problems(upload)):
        problems["upload"] = file_problems
    if problems or checked is None:
        raise ValidationError(problems)
    study = Study.objects.select_for_update().get(pk=study.pk)
    values = checked.fields()
    changed = [name for name, value in values.items() if getattr(study, name) != value]
    for name in changed:
        setattr(study, name, values[name])
    old_topics = set(study.topics.values_list("pk", flat=True))
    if old_topics != {term.pk for term in checked.topics}:
        changed.append("topics")
    data: dict[str, object] = {"slug": study.slug}
    fields = list(changed)
    if upload is not None:
        old_name = study.file.name
        storage = study.file.storage
        _put_file(study, upload)
        fields += ["file", "file_size", "file_sha256"]
        changed.append("file")
        data |= {"size": study.file_size, "sha256": study.file_sha256}
        if old_name:
            transaction.on_commit(lambda: storage.delete(old_name))
    if "topics" in fields:
        fields.remove("topics")
    if fields:
        study.save(update_fields=fields)
    study.topics.set(checked.topics)
    if study.status == StudyStatus.PUBLISHED:
        _index(study)
    audit.record(
        action="observatory.study.updated", actor=actor, obj=study, data=data | {"changed": changed}
    )
    return study


def _transition(*, study: Study, to: StudyStatus, actor: User | None, now: datetime) -> Study:
    """The one place a study's status changes: checked against ``TRANSITIONS``, written with
    its search document and its audit entry. Refused with a ``ValidationError`` (nothing
    changed) for a change the study's status does not allow — by a second press of the button,
    or a colleague's meanwhile."""
    _require(actor)
    study = Study.objects.select_for_update().get(pk=study.pk)
    if to not in TRANSITIONS.get(study.status, frozenset()):
        if to == StudyStatus.PUBLISHED:
            raise ValidationError(_("This study is already published."), code="published")
        raise ValidationError(_("Only a published study can be withdrawn."), code="not_published")
    study.status = to
    fields = ["status"]
    if to == StudyStatus.PUBLISHED:
        study.published_at = now
        fields.append("published_at")
        _index(study)
        action = "observatory.study.published"
    else:
        _unindex(study)
        action = "observatory.study.withdrawn"
    study.save(update_fields=fields)
    audit.record(action=action, actor=actor, obj=study, data={"slug": study.slug})
    return study


@transaction.atomic
def publish_study(*, study: Study, actor: User | None, now: datetime | None = None) -> Study:
    """Make a draft (or withdrawn) study public: its page, its file, and the site's search.
    Side effects: the search document (``core.search``, kind "study"); audit
    ``observatory.study.published``."""
    return _transition(
        study=study, to=StudyStatus.PUBLISHED, actor=actor, now=now or timezone.now()
    )


@transaction.atomic
def withdraw_study(*, study: Study, actor: User | None, now: datetime | None = None) -> Study:
    """Take a published study out of the library: its page and file answer 404 and the site's
    search no longer finds it; the analysts still see it and may publish it again. Side
    effects: the search document removed; audit ``observatory.study.withdrawn``."""
    return _transition(
        study=study, to=StudyStatus.WITHDRAWN, actor=actor, now=now or timezone.now()
    )


# --- Reads ------------------------------------------------------------------------------------


def public_studies(
    *,
    topic: TaxonomyTerm | None = None,
    language: str | None = None,
    year: int | None = None,
    query: str = "",
) -> QuerySet[Study]:
    """The published studies, newest first, with their topics: about ``topic``, written in
    ``language``, published in ``year``, holding every word of ``query``.

    The words are matched as the site's search matches them — folded (case and accents
    ignored), in the studies' search documents, topics named in every language included — so
    the list's box and the site's search agree."""
    studies = Study.objects.filter(status=StudyStatus.PUBLISHED).prefetch_related("topics")
    if topic is not None:
        studies = studies.filter(topics=topic)
    if language:
        studies = studies.filter(language=language)
    if year is not None:
        studies = studies.filter(published_on__year=year)
    words = search.query_words(query)
    if words:
        documents = SearchDocument.objects.filter(kind=SEARCH_KIND)
        for word in words:
            documents = documents.filter(folded__contains=word)
        keys = [int(key) for key in documents.values_list("key", flat=True) if key.isdigit()]
        studies = studies.filter(pk__in=keys)
    return studies.order_by("-published_on", "title")


@dataclass(frozen=True, slots=True)
class Facets:
    """What the public list's filters offer: only values some published study has."""

    topics: list[TaxonomyTerm]
    languages: list[str]
    years: list[int]


def public_facets() -> Facets:
    published = Study.objects.filter(status=StudyStatus.PUBLISHED)
    topics = TaxonomyTerm.objects.filter(studies__in=published).distinct().order_by("name")
    languages = sorted(set(published.values_list("language", flat=True)))
    years = sorted({day.year for day in published.values_list("published_on", flat=True)})
    return Facets(topics=list(topics), languages=languages, years=years[::-1])


def get_public_study(slug: str) -> Study:
    """A published study; 404 for a draft, a withdrawn study or none, alike."""
    study = (
        Study.objects.filter(slug=slug, status=StudyStatus.PUBLISHED)
        .prefetch_related("topics")
        .first()
    )
    if study is None:
        raise Http404
    return study


def studies_for_staff() -> QuerySet[Study]:
    """Every study for the analysts: drafts first, then published, then withdrawn; newest
    first within each."""
    rank = Case(
        When(status=StudyStatus.DRAFT, then=Value(0)),
        When(status=StudyStatus.PUBLISHED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Study.objects.select_related("created_by")
        .annotate(rank=rank)
        .order_by("rank", "-created_at", "-pk")
    )


def get_study(slug: str) -> Study:
    """Any study (a draft or a withdrawn one included), for the analysts; 404 when none."""
    study = Study.objects.filter(slug=slug).prefetch_related("topics").first()
    if study is None:
        raise Http404
    return study
