from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from coop4int.core import search
from coop4int.portal.study_views import language_label


def search_page(request: HttpRequest) -> HttpResponse:
    """``/<lang>/search/?q=…`` — information and services, in every language."""
    query = request.GET.get("q", "").strip()[:200]
    language = get_language() or "pt"
    results = search.search(query, language) if query else search.Results()
    return render(
        request,
        "portal/search.html",
        {
            "query": query,
            "hits": results.hits,
            # A result in another language than the page's says which (a study is in its own
            # language; a text missing in the reader's is found in a fallback).
            "rows": [
                (hit, language_label(hit.language) if hit.language != language else "")
                for hit in results.hits
            ],
            "left_out": results.left_out,
            "prefix": f"/{language}/",
        },
    )
