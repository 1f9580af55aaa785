from io import StringIO
from xml.etree import ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from coop4int.accounts.enums import Role
from coop4int.content import xliff
from coop4int.content.domain.exchange import export_batch, import_xliff
from coop4int.content.domain.workflow import (
    create_item,
    publish,
    save_text,
    source_change,
    submit_for_review,
)
from coop4int.content.enums import ItemKind, TranslationStatus
from coop4int.content.models import Revision, Translation
from coop4int.core.models import AuditEntry

X = f"{{{xliff.XLIFF_NS}}}"

FRENCH = {
    "linha": {
        "title": "Ligne d’assistance & <migrants>",
        "summary": "Gratuit, en plusieurs langues.",
        "body": "Appelez le **808 257 257**.\n\n  - du lundi au vendredi\n\t- 9h–17h 🙂",
    },
    "vistos": {"title": "Visas", "summary": "", "body": "Pour un visa : voir ci-dessous."},
}


@pytest.fixture(autouse=True)
def _in_english():
    """The problems are checked in English, whatever the platform's default language."""
    with translation.override("en"):
        yield


@pytest.fixture
def author(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


@pytest.fixture
def reviewer(make_staff, national_unit):
    return make_staff(Role.CONTENT_EDITOR, national_unit)


def publish_text(item, language, author, reviewer, title, summary="", body=""):
    text = save_text(
        actor=author, item=item, language=language, title=title, summary=summary, body=body
    )
    submit_for_review(actor=author, translation=text)
    publish(actor=reviewer, translation=text)
    text.refresh_from_db()
    return text


@pytest.fixture
def items(author, reviewer):
    linha = create_item(
        actor=author, slug="linha", kind=ItemKind.CARD, source_language="pt", title="Linha"
    )
    publish_text(
        linha,
        "pt",
        author,
        reviewer,
        "Linha de Apoio & <Migrante>",
        "Gratuita, em várias línguas.",
        "Ligue **808 257 257**.\n\n  - de segunda a sexta\n\t- 9h–17h",
    )
    vistos = create_item(
        actor=author, slug="vistos", kind=ItemKind.GUIDE, source_language="pt", title="Vistos"
    )
    publish_text(vistos, "pt", author, reviewer, "Vistos", "", "Para um visto: ver abaixo.")
    return [linha, vistos]


def translate(data, texts):
    """What the agency's tool does: fill in the targets (with prefixes of its own choosing)."""
    root = ET.fromstring(data)  # noqa: S314 - our own export
    for file in root.iter(f"{X}file"):
        slug = file.get("id").removeprefix("item-")
        for unit in file.iter(f"{X}unit"):
            target = unit.find(f"{X}segment/{X}target")
            for child in list(target):
                target.remove(child)
            target.text = texts.get(slug, {}).get(unit.get("id"), "")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def counts():
    return Translation.objects.count(), Revision.objects.count(), AuditEntry.objects.count()


def french(item):
    return Translation.objects.get(item=item, language="fr")


# --- The format, without the database --------------------------------------------------------


def document(source_title, target_title="", body=""):
    units = {
        "title": xliff.Unit("title", source_title, target_title),
        "summary": xliff.Unit("summary", "", ""),
        "body": xliff.Unit("body", body, body),
    }
    return xliff.Document("pt", "fr", [xliff.ItemFile("linha", 3, units)])


@given(st.text(), st.text(), st.text())
def test_any_text_is_written_and_read_back_the_same(source, target, body):
    read = xliff.parse(xliff.write(document(source, target, body)))

    def line_ends(text):
        return text.replace("\r\n", "\n").replace("\r", "\n")

    (item_file,) = read.files
    assert (read.source_language, read.target_language) == ("pt", "fr")
    assert (item_file.slug, item_file.source_version) == ("linha", 3)
    assert item_file.source("title") == line_ends(source)
    assert item_file.target("title") == line_ends(target)
    assert item_file.target("body") == line_ends(body)


@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_with_reasons(data):
    try:
        xliff.parse(data)
    except xliff.XliffError as error:
        errors = error.errors
    else:
        errors = ["read"]
    assert errors


def test_characters_xml_cannot_hold_are_written_as_code_points():
    data = xliff.write(document("Linha\x0bde apoio\x00"))
    assert b'Linha<cp hex="000B" />de apoio<cp hex="0000" />' in data
    assert xliff.parse(data).files[0].source("title") == "Linha\x0bde apoio\x00"


def test_a_syntax_error_names_the_line_column_and_reason():
    data = b'<?xml version="1.0"?>\n<xliff>\n  <file>\n</xliff>\n'
    with translation.override("en"), pytest.raises(xliff.XliffError) as caught:
        xliff.parse(data)
    assert caught.value.errors == ["Line 4, column 3: the XML is not well-formed (mismatched tag)."]


def test_a_right_to_left_target_is_marked():
    units = {"title": xliff.Unit("title", "Linha", "")}
    data = xliff.write(xliff.Document("pt", "ar", [xliff.ItemFile("linha", 1, units)]))
    assert b'trgDir="rtl"' in data
    assert b"srcDir" not in data


# --- Export ----------------------------------------------------------------------------------


def test_export_writes_one_xliff_2_file_per_item_with_its_source_version(items):
    root = ET.fromstring(export_batch(items, "fr"))  # noqa: S314 - our own export

    assert root.tag == f"{X}xliff"
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang")) == ("2.0", "pt", "fr")
    files = root.findall(f"{X}file")
    assert [f.get("id") for f in files] == ["item-linha", "item-vistos"]
    assert files[0].get(f"{{{xliff.C4I_NS}}}sourceVersion") == "2"
    units = files[0].findall(f"{X}unit")
    assert [u.get("id") for u in units] == ["title", "summary", "body"]
    segment = units[2].find(f"{X}segment")
    assert segment.findtext(f"{X}source") == (
        "Ligue **808 257 257**.\n\n  - de segunda a sexta\n\t- 9h–17h"
    )
    assert segment.findtext(f"{X}target") == ""


def test_export_fills_in_a_current_translation_but_not_an_outdated_one(items, author, reviewer):
    linha = items[0]
    publish_text(linha, "fr", author, reviewer, "Ligne")
    (file,) = xliff.parse(export_batch([linha], "fr")).files
    assert file.target("title") == "Ligne"

    publish_text(linha, "pt", author, reviewer, "Linha de Apoio ao Migrante")
    assert french(linha).status == TranslationStatus.OUTDATED
    (file,) = xliff.parse(export_batch([linha], "fr")).files
    assert file.target("title") == ""
    assert file.source_version == 3


def test_export_refuses_the_source_language_an_unknown_one_and_mixed_sources(items, author):
    english = create_item(
        actor=author, slug="news", kind=ItemKind.NEWS, source_language="en", title="News"
    )
    with pytest.raises(ValidationError, match="written in pt"):
        export_batch(items, "pt")
    with pytest.raises(ValidationError, match="Unknown language: xx"):
        export_batch(items, "xx")
    with pytest.raises(ValidationError, match="different languages"):
        export_batch([*items, english], "fr")


# --- Import ----------------------------------------------------------------------------------


def test_export_then_import_round_trips_the_translated_texts(items, author):
    data = translate(export_batch(items, "fr"), FRENCH)

    result = import_xliff(actor=author, data=data)

    assert result.ok, result.errors
    assert len(result.saved) == 2
    for item in items:
        text = french(item)
        assert (text.title, text.summary, text.body) == tuple(FRENCH[item.slug].values())


def test_import_saves_drafts_that_follow_the_exported_source_version(items, author):
    data = translate(export_batch(items, "fr"), FRENCH)

    result = import_xliff(actor=author, data=data)

    text = french(items[0])
    assert (text.status, text.version, text.source_version) == (TranslationStatus.DRAFT, 1, 2)
    assert text.last_edited_by == author
    assert result.behind_source == []
    revision = text.revisions.get()
    assert (revision.status, revision.source_version) == (TranslationStatus.DRAFT, 2)
    assert AuditEntry.objects.filter(action="content.text.saved").count() >= 2


def test_a_translation_of_an_older_source_follows_it_and_becomes_outdated(items, author, reviewer):
    linha = items[0]
    data = translate(export_batch([linha], "fr"), FRENCH)
    # The source changes while the agency translates.
    new_source = save_text(
        actor=author, item=linha, language="pt", title="Linha de Apoio ao Migrante",
        summary="", body="Ligue 808 257 257.",
    )  # fmt: skip
    assert new_source.version == 3

    result = import_xliff(actor=author, data=data)

    text = french(linha)
    assert result.behind_source == [text]
    assert (text.status, text.source_version) == (TranslationStatus.DRAFT, 2)
    assert text.revisions.get().source_version == 2
    submit_for_review(actor=author, translation=text)
    publish(actor=reviewer, translation=text)
    submit_for_review(actor=author, translation=new_source)
    outdated = publish(actor=reviewer, translation=new_source)
    assert outdated == [text]
    text.refresh_from_db()
    assert text.status == TranslationStatus.OUTDATED
    change = source_change(text)
    assert (change.from_version, change.to_version) == (2, 3)


def test_importing_the_same_file_again_saves_nothing_new(items, author):
    data = translate(export_batch(items, "fr"), FRENCH)
    import_xliff(actor=author, data=data)
    before = counts()

    result = import_xliff(actor=author, data=data)

    assert result.ok
    assert (result.saved, result.unchanged) == ([], ["linha", "vistos"])
    assert counts() == before


def test_a_file_with_a_syntax_error_names_the_line_and_changes_nothing(items, author):
    lines = translate(export_batch(items, "fr"), FRENCH).split(b"\n")
    broken = next(i for i, line in enumerate(lines) if b"target>" in line)
    opening, _, closing = lines[broken].rpartition(b"target>")
    lines[broken] = opening + b"targte>" + closing  # the closing tag misspelt
    before = counts()

    result = import_xliff(actor=author, data=b"\n".join(lines))

    assert not result.ok
    assert len(result.errors) == 1
    assert result.errors[0].startswith(f"Line {broken + 1}, column ")
    assert "mismatched tag" in result.errors[0]
    assert counts() == before


LAUGHS = (
    b'<!DOCTYPE xliff [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>"
)


@pytest.mark.parametrize(
    ("doctype", "entity"),
    [
        pytest.param(LAUGHS, b"&lol9;", id="billion-laughs"),
        pytest.param(
            b'<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"&xxe;", id="xxe"
        ),
        pytest.param(
            b'<!DOCTYPE xliff SYSTEM "http://127.0.0.1:9/evil.dtd">', b"&xxe;", id="external-dtd"
        ),
        pytest.param(
            b'<!DOCTYPE xliff [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>',
            b"&xxe;",
            id="parameter-entity",
        ),
    ],
)
def test_entity_declarations_are_refused_and_change_nothing(items, author, doctype, entity):
    data = translate(export_batch(items, "fr"), {"linha": {"title": "ENTITY"}})
    declaration, rest = data.split(b"\n", 1)
    data = declaration + b"\n" + doctype + b"\n" + rest.replace(b"ENTITY", entity)
    before = counts()

    result = import_xliff(actor=author, data=data)

    (error,) = result.errors
    assert error.startswith("Line 2, column ")
    assert error.endswith(": a DOCTYPE declaration is not accepted (it could declare entities).")
    assert counts() == before


def test_an_undeclared_entity_is_refused(items, author):
    data = translate(export_batch(items, "fr"), {"linha": {"title": "ENTITY"}})
    result = import_xliff(actor=author, data=data.replace(b"ENTITY", b"&xxe;"))
    assert "undefined entity" in result.errors[0]


def as_portuguese_target(data):
    return data.replace(b'trgLang="fr"', b'trgLang="pt"')


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            lambda d: d.replace(b'"item-vistos"', b'"item-nope"'),
            "item nope: there is no item with this short name.",
            id="unknown-slug",
        ),
        pytest.param(
            lambda d: d.replace(b'trgLang="fr"', b'trgLang="xx"'),
            "Unknown language: xx.",
            id="unknown-language",
        ),
        pytest.param(
            as_portuguese_target,
            "The target language is the source language (pt).",
            id="target-is-source",
        ),
        pytest.param(
            lambda d: d.replace(b'version="2.0"', b'version="2.1"'),
            "XLIFF version “2.1” is not supported; expected 2.0.",
            id="wrong-version",
        ),
        pytest.param(
            lambda d: d.replace(xliff.XLIFF_NS.encode(), b"urn:oasis:names:tc:xliff:document:1.2"),
            "this is not an XLIFF 2.0 document",
            id="wrong-namespace",
        ),
        pytest.param(
            lambda d: d.replace(b"Visas", b""),
            "item vistos: the title has no translation.",
            id="missing-title",
        ),
        pytest.param(
            lambda d: d.replace(b"Gratuit, en plusieurs langues.", b""),
            "item linha: the unit summary has no translation.",
            id="missing-summary",
        ),
        pytest.param(
            lambda d: d.replace(b'sourceVersion="2"', b'sourceVersion="9"', 1),
            "the file follows source version 9; the source is at version 2.",
            id="future-source-version",
        ),
        pytest.param(
            lambda d: d + b"<!--" + b"x" * xliff.MAX_BYTES + b"-->",
            "The file is larger than 5 MB.",
            id="too-large",
        ),
    ],
)
def test_a_wrong_file_is_refused_whole_and_changes_nothing(items, author, change, message):
    data = change(translate(export_batch(items, "fr"), FRENCH))
    before = counts()

    result = import_xliff(actor=author, data=data)

    assert not result.ok
    assert any(message in error for error in result.errors), result.errors
    assert result.saved == []
    assert counts() == before
    assert not Translation.objects.filter(language="fr").exists()


def test_every_problem_is_listed(items, author):
    data = translate(export_batch(items, "fr"), {"linha": FRENCH["linha"]})
    data = data.replace(b'"item-linha"', b'"item-nope"')

    result = import_xliff(actor=author, data=data)

    assert [error.split(", ", 1)[1] for error in result.errors] == [
        "item nope: there is no item with this short name.",
        "item vistos: the title has no translation.",
        "item vistos: the unit body has no translation.",
    ]
    assert result.errors[0].startswith("Line 3, ")


def test_import_needs_permission_to_edit_content(items, make_staff, national_unit):
    officer = make_staff(Role.FRONT_OFFICE_OFFICER, national_unit)
    data = translate(export_batch(items, "fr"), FRENCH)
    with pytest.raises(PermissionDenied):
        import_xliff(actor=officer, data=data)
    assert not Translation.objects.filter(language="fr").exists()


# --- Commands --------------------------------------------------------------------------------


def test_commands_export_and_import_a_batch(items, author, tmp_path):
    exported = tmp_path / "batch.xlf"
    out = StringIO()
    call_command("export_xliff", "--language", "fr", "--item", "linha", str(exported), stdout=out)
    assert "Wrote 1 item(s) for fr" in out.getvalue()
    translated = tmp_path / "batch.fr.xlf"
    translated.write_bytes(translate(exported.read_bytes(), FRENCH))

    out = StringIO()
    call_command("import_xliff", "--as", author.username, str(translated), stdout=out)

    assert "linha [fr] version 1 saved as a draft." in out.getvalue()
    assert french(items[0]).title == FRENCH["linha"]["title"]


def test_export_command_takes_every_item_not_written_in_the_language(items, tmp_path):
    exported = tmp_path / "all.xlf"
    call_command("export_xliff", "--language", "en", str(exported), stdout=StringIO())
    assert [f.slug for f in xliff.parse(exported.read_bytes()).files] == ["linha", "vistos"]
    with pytest.raises(CommandError, match="No item with the short name: nope"):
        call_command("export_xliff", "--language", "en", "--item", "nope", str(exported))


def test_import_command_lists_the_problems_and_saves_nothing(items, author, tmp_path):
    path = tmp_path / "wrong.xlf"
    path.write_bytes(translate(export_batch(items, "fr"), {}))
    err = StringIO()

    with pytest.raises(CommandError, match="5 problem"):
        call_command("import_xliff", "--as", author.username, str(path), stderr=err)

    assert "item linha: the title has no translation." in err.getvalue()
    assert not Translation.objects.filter(language="fr").exists()
