from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language

from coop4int.accounts.models import Unit
from coop4int.directory.domain.queries import telephone_lines, unit_desks
from coop4int.directory.enums import Country
from coop4int.directory.models import DirectoryEntry
from coop4int.portal.presentation import line_card


def unit_card(unit: Unit, entry: DirectoryEntry | None) -> dict[str, str]:
    """A local unit on the home page, leading to its entry in the directory — else to the
    directory of its island, else to the whole directory: never a dead end."""
    island = entry.island if entry is not None else unit.get_island_display()
    if entry is not None:
        url = reverse("portal:directory_detail", args=[entry.pk])
    elif island:
        url = reverse("portal:directory") + "?" + urlencode({"island": island})
    else:
        url = reverse("portal:directory")
    return {
        "name": unit.name,
        "url": url,
        "island": island,
        "address": entry.address_line if entry is not None else "",
    }


def home(request: HttpRequest) -> HttpResponse:
    """The home page: the local units, each a link to where it is and when it is open, and the
    numbers of the support lines in Cabo Verde to call."""
    language = get_language() or "pt"
    country = Country.CABO_VERDE
    lines = [line_card(line, country, language) for line in telephone_lines(country)]
    return render(
        request,
        "portal/home.html",
        {
            "units": [unit_card(unit, entry) for unit, entry in unit_desks()],
            "lines": [line for line in lines if line["phones"]],
        },
    )


def offline(request: HttpRequest) -> HttpResponse:
    """The page the service worker shows offline in place of a page it did not keep: the pages
    kept on this device (listed by site.js from the worker's cache)."""
    return render(request, "portal/offline.html")
