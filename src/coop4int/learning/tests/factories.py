"""Factories for the training tests: a course with its published description, sessions with
their days, enrolments, attendance and assessments.

Everything is dated from ``NOW`` (Monday 2 March 2026, 09:00 in Praia); a session's days are,
unless given, three mornings from Monday 9 March. Pass ``now=`` to the domain, never today."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import factory

from coop4int.accounts.tests.factories import UnitFactory
from coop4int.content.enums import ItemKind, TranslationStatus
from coop4int.content.models import ContentItem, Revision, Translation
from coop4int.core.text_search import fold
from coop4int.directory.tests.factories import LocationFactory
from coop4int.learning.enums import (
    AssessmentResult,
    AttendanceStatus,
    Audience,
    DeliveryMode,
    EnrolmentChannel,
    EnrolmentStatus,
)
from coop4int.learning.models import (
    Assessment,
    Attendance,
    Course,
    CourseSession,
    Enrolment,
    SessionDay,
)
from coop4int.people.models import ContactPoint, Person

PRAIA = ZoneInfo("Atlantic/Cape_Verde")
# Monday 2 March 2026, 09:00 in Praia.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=PRAIA)


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A wall-clock time in Praia in 2026 (March unless told)."""
    return datetime(2026, month, day, hour, minute, tzinfo=PRAIA)


def mornings(first: datetime, count: int) -> list[tuple[datetime, datetime]]:
    """``count`` days from ``first``, one a day, each three hours long."""
    return [(first + timedelta(days=n), first + timedelta(days=n, hours=3)) for n in range(count)]


def publish_text(
    item: ContentItem,
    *,
    language: str,
    title: str,
    summary: str = "",
    body: str = "",
    status: str = TranslationStatus.PUBLISHED,
) -> Translation:
    """``item``'s text in ``language``, published at once (or left in ``status``), without the
    review workflow's second person. For a translation it follows the source's version."""
    is_source = language == item.source_language
    source_version = None
    if not is_source:
        source = item.translations.filter(language=item.source_language).first()
        source_version = source.version if source else 1
    translation, _created = Translation.objects.update_or_create(
        item=item,
        language=language,
        defaults={
            "title": title,
            "summary": summary,
            "body": body,
            "status": status,
            "source_version": source_version,
        },
    )
    Revision.objects.create(
        translation=translation,
        version=translation.version,
        title=title,
        summary=summary,
        body=body,
        status=status,
        source_version=source_version,
    )
    return translation


class CourseDescriptionFactory(factory.django.DjangoModelFactory):
    """The content item of kind ``course`` holding a course's title and description, with its
    source text published. ``title``, ``summary``, ``body`` and ``text_status`` set the text."""

    class Meta:
        model = ContentItem

    slug = factory.Sequence(lambda n: f"course-{n}")
    kind = ItemKind.COURSE
    source_language = "pt"
    unit = factory.SubFactory(UnitFactory)
    # The source text (not fields of the item).
    title = factory.Sequence(lambda n: f"Course {n}")
    summary = "What the course is about."
    body = "## Learning outcomes\n\nParticipants can do things."
    text_status = TranslationStatus.PUBLISHED

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> ContentItem:
        text = {name: kwargs.pop(name) for name in ("title", "summary", "body", "text_status")}
        item = super()._create(model_class, *args, **kwargs)
        publish_text(
            item,
            language=item.source_language,
            title=text["title"],
            summary=text["summary"],
            body=text["body"],
            status=text["text_status"],
        )
        return item


class CourseFactory(factory.django.DjangoModelFactory):
    """A published course for immigrants, in person, taught in Portuguese, with a certificate;
    its description a content item of kind ``course`` whose Portuguese text is published.

    ``CourseFactory(title="Portuguese for work")`` names it; ``description__text_status=…``
    leaves the text unpublished."""

    class Meta:
        model = Course

    class Params:
        title = factory.Sequence(lambda n: f"Course {n}")
        summary = "What the course is about."

    slug = factory.Sequence(lambda n: f"course-{n}")
    unit = factory.SubFactory(UnitFactory)
    description = factory.SubFactory(
        CourseDescriptionFactory,
        slug=factory.SelfAttribute("..slug"),
        unit=factory.SelfAttribute("..unit"),
        title=factory.SelfAttribute("..title"),
        summary=factory.SelfAttribute("..summary"),
    )
    organisation = None
    audiences = factory.LazyFunction(lambda: [Audience.IMMIGRANTS.value])
    languages = factory.LazyFunction(lambda: ["pt"])
    mode = DeliveryMode.IN_PERSON
    hours = Decimal("12.0")
    min_attendance_percent = 80
    assessment_required = True
    certificate = True
    certificate_valid_months = None
    published = True
    created_at = NOW
    updated_at = NOW


class SessionDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionDay

    session = factory.SubFactory("coop4int.learning.tests.factories.CourseSessionFactory", days=[])
    starts_at = factory.Sequence(lambda n: at(9, 9) + timedelta(days=n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))


class CourseSessionFactory(factory.django.DjangoModelFactory):
    """A session in Praia for ten people, in Portuguese, with no trainer unless given.

    ``days=[(start, end), …]`` sets its days (default: three mornings from Monday 9 March,
    09:00–12:00); ``days=[]`` makes none. ``starts_at`` and ``ends_at`` follow the days."""

    class Meta:
        model = CourseSession
        skip_postgeneration_save = True

    course = factory.SubFactory(CourseFactory)
    language = "pt"
    location = factory.SubFactory(LocationFactory, island="Santiago", municipality="Praia")
    online_address = ""
    capacity = 10
    trainer = None
    accepts_applications = True
    cancelled_at = None
    created_at = NOW

    @factory.post_generation
    def days(self, create: bool, extracted: list[tuple[datetime, datetime]] | None, **kw: Any):  # type: ignore[no-untyped-def]
        if not create:
            return
        spans = mornings(at(9, 9), 3) if extracted is None else list(extracted)
        for start, end in spans:
            SessionDay.objects.create(session=self, starts_at=start, ends_at=end)
        if spans:
            self.starts_at = min(start for start, _end in spans)
            self.ends_at = max(end for _start, end in spans)
            self.save(update_fields=["starts_at", "ends_at"])


class PersonFactory(factory.django.DjangoModelFactory):
    """A person's record of ``unit``; ``phones=[…]``/``emails=[…]`` add contact points
    (already normalised: E.164, lower-case)."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    given_names = factory.Sequence(lambda n: f"Maria {n}")
    family_names = "Tavares"
    folded_name = factory.LazyAttribute(lambda o: fold(f"{o.given_names} {o.family_names}"))
    sex = "female"
    nationalities = factory.LazyFunction(lambda: ["SN"])
    preferred_language = "pt"
    unit = factory.SubFactory(UnitFactory)

    @factory.post_generation
    def phones(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        for value in extracted or []:
            ContactPoint.objects.create(person=self, kind="phone", value=value)

    @factory.post_generation
    def emails(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        for value in extracted or []:
            ContactPoint.objects.create(person=self, kind="email", value=value)


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """An accepted enrolment of a person's record (registered by the course's unit), made by an
    officer. Traits: ``applied`` — an application from the public site, naming no record;
    ``staff_member`` — a member of staff who enrolled themselves (pass ``staff=``, or one of
    the course's unit is made)."""

    class Meta:
        model = Enrolment

    class Params:
        applied = factory.Trait(
            status=EnrolmentStatus.APPLIED,
            channel=EnrolmentChannel.PUBLIC_FORM,
            person=None,
            name=factory.Sequence(lambda n: f"Applicant {n}"),
            phone=factory.Sequence(lambda n: f"+238991{n % 10000:04d}"),
            notify_by="sms",
            sex="not_stated",
            nationality="",
        )
        staff_member = factory.Trait(
            channel=EnrolmentChannel.SELF,
            person=None,
            staff=factory.SubFactory(
                "coop4int.accounts.tests.factories.StaffFactory",
                unit=factory.SelfAttribute("..session.course.unit"),
            ),
            name=factory.LazyAttribute(lambda o: o.staff.get_full_name()),
            email=factory.LazyAttribute(lambda o: o.staff.email),
            phone="",
            notify_by="email",
            sex="not_stated",
            nationality="",
        )

    session = factory.SubFactory(CourseSessionFactory)
    status = EnrolmentStatus.ACCEPTED
    channel = EnrolmentChannel.OFFICER
    person = factory.SubFactory(PersonFactory, unit=factory.SelfAttribute("..session.course.unit"))
    staff = None
    name = factory.LazyAttribute(
        lambda o: f"{o.person.given_names} {o.person.family_names}" if o.person else "Someone"
    )
    phone = factory.Sequence(lambda n: f"+238992{n % 10000:04d}")
    email = ""
    language = "pt"
    notify_by = "sms"
    motivation = ""
    sex = factory.LazyAttribute(lambda o: o.person.sex if o.person else "not_stated")
    nationality = factory.LazyAttribute(
        lambda o: (o.person.nationalities or [""])[0] if o.person else ""
    )
    created_at = NOW
    status_changed_at = factory.SelfAttribute("created_at")


class AttendanceFactory(factory.django.DjangoModelFactory):
    """``enrolment`` present on ``day`` (pass both; the day of the enrolment's session)."""

    class Meta:
        model = Attendance

    enrolment = factory.SubFactory(EnrolmentFactory)
    day = factory.LazyAttribute(lambda o: o.enrolment.session.days.first())
    status = AttendanceStatus.PRESENT
    recorded_by = None
    recorded_at = NOW


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    enrolment = factory.SubFactory(EnrolmentFactory)
    result = AssessmentResult.PASSED
    score = None
    note = ""
    recorded_by = None
    recorded_at = NOW


def attended_all(enrolment: Enrolment, *, status: str = AttendanceStatus.PRESENT) -> None:
    """``enrolment`` marked ``status`` on every day of its session."""
    for day in enrolment.session.days.all():
        AttendanceFactory(enrolment=enrolment, day=day, status=status)


def completable(enrolment: Enrolment) -> Enrolment:
    """``enrolment`` present every day with a passed assessment: ready to be marked completed."""
    attended_all(enrolment)
    AssessmentFactory(enrolment=enrolment)
    return enrolment
