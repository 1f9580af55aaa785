"""A service's name and description in each language it is written in."""

from coop4int.directory.models import Service


def service_texts(service: Service) -> tuple[dict[str, str], dict[str, str]]:
    """(names, descriptions) by language code: the service's own language and every
    translation (prefetch ``translations`` to read them without a query)."""
    names = {service.language: service.name}
    descriptions = {service.language: service.description}
    for translation in service.translations.all():
        names[translation.language] = translation.name
        descriptions[translation.language] = translation.description
    return names, descriptions
