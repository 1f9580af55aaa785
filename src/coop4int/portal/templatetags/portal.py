from django import template
from django.http import HttpRequest
from django.urls import translate_url

register = template.Library()


@register.simple_tag(takes_context=True)
def in_language(context: template.Context, code: str) -> str:
    """This page's address in another language (public addresses carry their language)."""
    request: HttpRequest = context["request"]
    return translate_url(request.get_full_path(), code)
