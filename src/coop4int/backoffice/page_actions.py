"""One way of writing a staff page with several actions: the page declares them in a table.

Each row of the table (``Action``) says: the name the button posts (``action``), the form that
checks what was posted, the function that calls the one domain function it stands for, and the
section of the page the action belongs to — where the browser goes back to. ``ActionPage.post``
then treats every action of every page alike:

- the form is bound to the post (with the page's ``options``, such as the officers a case may
  be given to). Invalid, the page is shown again with what was typed and the errors, at the
  action's section (the page's forms post to ``#section``). A form whose fields the page
  does not show (a button, a hidden id) is refused with its first error instead, back at
  the section;
- valid, the row's ``perform`` calls its domain function and says what was done: back to
  the page at ``#section`` (or to another page, ``Done.to``);
- ``perform`` raises ``Refused`` when the action cannot be done (nothing changed): back at
  the section with the message. A ``ValidationError`` is shown on the form. The exceptions
  the page lists in ``conflicts`` (someone changed the object meanwhile, it was withdrawn…)
  are the page's to answer (``conflict``);
- a post naming no action of the table takes the table's ``default`` (a page's main form),
  or goes back to the page saying that nothing was done.

Wherever the page opens on a section — after an action made there, or to show its form's
problems — the address ends with ``#section``, the id of the section's heading: the browser
scrolls there and focuses it (``tabindex="-1"``; ``autofocus`` would be ignored on a page
opened at a fragment), and what the action did (the messages) is said under that heading, not
at the top of the page where it would be out of sight (``backoffice/includes/
action_heading.html``; ``section_context`` gives the template what it needs).

Pages using it: the case, a person, the phone line, canned answers, a referral received, a
message from the public, a staff account, the directory's service editor, a partner's proposal
to change a service, and the page of an information text.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from coop4int.accounts.models import User

T = TypeVar("T")

# Where the next view of a page opens: {"page": its address, "section": the section's id}.
OPEN_AT = "backoffice.page_actions.open_at"


class Refused(Exception):
    """The action cannot be done as asked and nothing was changed; the message says why."""


@dataclass(frozen=True, slots=True)
class Done:
    """What an action did: the message to show, and where to go when it is not back to the
    action's section."""

    message: str
    level: int = messages.SUCCESS
    to: str = ""


@dataclass(frozen=True, slots=True)
class Acting(Generic[T]):
    """What ``perform`` gets: who acts, on what, and the valid form."""

    actor: User
    obj: T
    form: forms.Form
    request: HttpRequest

    @property
    def data(self) -> dict[str, Any]:
        return self.form.cleaned_data


@dataclass(frozen=True, slots=True)
class Action(Generic[T]):
    """One row of a page's table of actions."""

    name: str
    """Posted by the action's button or form as ``action``."""
    form: type[forms.Form]
    perform: Callable[[Acting[T]], Done | str]
    """Calls the action's domain function; returns the message saying what was done."""
    section: str
    """The part of the page where the action is made, and where it returns to: the id of its
    heading."""
    shows_form: bool = True
    """False: the page does not show the form's fields (a button, a hidden id), so an
    invalid form is refused with its first error instead of being shown again."""
    form_key: str = ""
    """The page's name for the form when two actions share one (default: the name)."""
    options: Callable[[Any, T], dict[str, Any]] | None = None
    """Keyword arguments of the form, from the page and its object."""
    leaves: bool = False
    """True: once done, the action leads to another page (``Done.to``), so its form posts to
    the page itself, not to ``#section`` — a browser keeps that fragment across the redirect
    when the new address has none."""

    @property
    def key(self) -> str:
        return self.form_key or self.name


class ActionTable(Generic[T]):
    """A page's actions, by name; ``default`` is taken by a post that names none."""

    def __init__(self, *actions: Action[T], default: str = "") -> None:
        names = [action.name for action in actions]
        if len(set(names)) != len(names) or (default and default not in names):
            raise ValueError(f"actions named twice, or an unknown default: {names}, {default}")
        self._actions = {action.name: action for action in actions}
        self.default = default

    def __iter__(self) -> Iterator[Action[T]]:
        return iter(self._actions.values())

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._actions)

    def chosen(self, posted: QueryDict) -> Action[T] | None:
        return self._actions.get(posted.get("action", "") or self.default)

    def sections(self) -> dict[str, str]:
        """Action name → the id of its section."""
        return {name: action.section for name, action in self._actions.items()}


def first_error(form: forms.Form) -> str:
    for errors in form.errors.values():
        for error in errors:
            return str(error)
    return _("Nothing was changed.")


class ActionPage(Generic[T]):
    """A staff page whose ``post`` is its table of ``actions`` (see the module); mixed in
    before ``StaffView``, which keeps the door (``class Page(ActionPage[Case], StaffView)``)."""

    request: HttpRequest

    actions: ClassVar[ActionTable[Any]]
    conflicts: ClassVar[tuple[type[Exception], ...]] = ()
    # The section a page shown again in answer to a post opens on.
    _focus: str = ""

    def action_object(self, request: HttpRequest, **kwargs: Any) -> T | HttpResponse:
        """The object the page acts on, fetched and authorised (404 outside the user's
        scope), or a response that takes its place (a record merged away…)."""
        raise NotImplementedError

    def page_url(self, obj: T) -> str:
        raise NotImplementedError

    def render_page(
        self, request: HttpRequest, obj: T, bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        """The page, with ``bound`` (form key → form) in place of its fresh forms."""
        raise NotImplementedError

    def conflict(
        self,
        request: HttpRequest,
        obj: T,
        action: Action[T],
        form: forms.Form,
        error: Exception,
    ) -> HttpResponse:
        """One of ``conflicts`` was raised: by default, say so and show the page again (with
        what was typed) or go back to the section."""
        messages.error(request, str(error))
        if not action.shows_form:
            return self.back_to(obj, action)
        return self.show_again(request, obj, action, {action.key: form})

    def bind(
        self,
        action: Action[T],
        obj: T,
        data: QueryDict | Mapping[str, Any] | None = None,
        files: MultiValueDict[str, Any] | None = None,
        **extra: Any,
    ) -> forms.Form:
        options = action.options(self, obj) if action.options is not None else {}
        return action.form(data, files, **(options | extra))

    def back_to(self, obj: T, action: Action[T]) -> HttpResponse:
        """Back to the page, opening on ``action``'s section (see ``section_context``)."""
        url = self.page_url(obj)
        self.request.session[OPEN_AT] = {"page": url, "section": action.section}
        return redirect(f"{url}#{action.section}")

    def section_context(self, request: HttpRequest, obj: T) -> dict[str, Any]:
        """What the page's template needs to open on a section: ``focus``, the id of the
        section the page opens on (the one an action was just made in, or whose form has
        problems; "" for none), and ``section_messages``, what the action said, shown under
        that section's heading — ``messages`` is then empty, so that nothing is said twice at
        the top of the page."""
        focus = self._focus
        kept = request.session.pop(OPEN_AT, None) if request.method == "GET" else None
        if not focus and kept and kept.get("page") == self.page_url(obj):
            focus = str(kept.get("section", ""))
        if focus not in {action.section for action in self.actions}:
            return {"focus": "", "section_messages": []}
        return {
            "focus": focus,
            "section_messages": list(messages.get_messages(request)),
            "messages": [],
        }

    def show_again(
        self, request: HttpRequest, obj: T, action: Action[T], bound: Mapping[str, forms.Form]
    ) -> HttpResponse:
        """The page again, opening on ``action``'s section, with ``bound`` forms."""
        self._focus = action.section
        return self.render_page(request, obj, bound)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.action_object(request, **kwargs)
        if isinstance(obj, HttpResponse):
            return obj
        action = self.actions.chosen(request.POST)
        if action is None:
            messages.error(request, _("This page has no such action. Nothing was changed."))
            return redirect(self.page_url(obj))
        form = self.bind(action, obj, request.POST, request.FILES)
        if form.is_valid():
            try:
                actor = cast(User, request.user)  # StaffView let only staff in
                result = action.perform(Acting(actor, obj, form, request))
            except Refused as refused:
                messages.error(request, str(refused))
                return self.back_to(obj, action)
            except ValidationError as error:
                if not action.shows_form:
                    messages.error(request, " ".join(error.messages))
                    return self.back_to(obj, action)
                form.add_error(None, error)
            except self.conflicts as error:
                return self.conflict(request, obj, action, form, error)
            else:
                done = result if isinstance(result, Done) else Done(result)
                messages.add_message(request, done.level, done.message)
                return redirect(done.to) if done.to else self.back_to(obj, action)
        elif not action.shows_form:
            messages.error(request, first_error(form))
            return self.back_to(obj, action)
        return self.show_again(request, obj, action, {action.key: form})
