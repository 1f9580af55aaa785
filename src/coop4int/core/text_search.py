"""Text folded for search: lower case, without accents, so that "imigracao" finds "Imigração"."""

import unicodedata


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
