"""XLIFF 2.0 for the exchange with translation agencies: writing a batch of items and reading
the translated file back. Pure functions — no database; the rules about items and languages are
in ``domain/exchange.py``.

One ``<file id="item-<slug>">`` per item, with the units ``title``, ``summary`` and ``body``,
each a segment with ``<source>`` and ``<target>``. The version of the source text the file was
made from is the attribute ``c4i:sourceVersion`` of ``<file>`` in our own namespace (XLIFF 2.0
allows attributes of other namespaces there), so the import knows which source a translation
follows.

Reading is hardened by hand because defusedxml is not a dependency: the parser refuses any
DOCTYPE — entities can only be declared in one, so this rules out entity expansion ("billion
laughs") and external entities — and reports every problem with its line and column (counted
from 1) so that a translator can find it.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NoReturn
from xml.etree import ElementTree as ET
from xml.parsers import expat

from django.utils.translation import gettext as _

from coop4int.core.languages import REGISTRY

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF_VERSION = "2.0"
C4I_NS = "urn:coop4int:xliff:1"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAX_BYTES = 5 * 1024 * 1024
UNIT_IDS = ("title", "summary", "body")
FILE_ID_PREFIX = "item-"

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
# Characters XML 1.0 cannot hold; XLIFF 2.0 writes them as <cp hex="…"/>.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Empty markers of an annotation: their text is outside them, they can be skipped.
_SKIPPED_INLINE = {"sm", "em"}


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    source: str
    target: str | None  # None: no translation given
    line: int = 0


@dataclass(frozen=True, slots=True)
class ItemFile:
    """The units of one item, as made from ``source_version`` of its source text."""

    slug: str
    source_version: int
    units: dict[str, Unit]
    line: int = 0

    def target(self, unit_id: str) -> str | None:
        unit = self.units.get(unit_id)
        return None if unit is None else unit.target

    def source(self, unit_id: str) -> str:
        unit = self.units.get(unit_id)
        return "" if unit is None else unit.source


@dataclass(frozen=True, slots=True)
class Document:
    source_language: str
    target_language: str
    files: list[ItemFile]


class XliffError(ValueError):
    """The file cannot be read; ``errors`` lists every problem, each with its place."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


# --- Writing ---------------------------------------------------------------------------------


def write(document: Document) -> bytes:
    """The document as XLIFF 2.0, UTF-8, one ``<file>`` per item in the order given."""
    # Namespace declarations and prefixed names are written literally rather than through
    # ET.register_namespace, which would change a process-wide table.
    root = ET.Element(
        "xliff",
        {
            "xmlns": XLIFF_NS,
            "xmlns:c4i": C4I_NS,
            "version": XLIFF_VERSION,
            "srcLang": document.source_language,
            "trgLang": document.target_language,
        },
    )
    directions = _directions(document.source_language, document.target_language)
    root.text = "\n  "
    for index, item_file in enumerate(document.files):
        file = ET.SubElement(
            root,
            "file",
            {
                "id": FILE_ID_PREFIX + item_file.slug,
                "c4i:sourceVersion": str(item_file.source_version),
                **directions,
            },
        )
        file.text = "\n    "
        file.tail = "\n  " if index < len(document.files) - 1 else "\n"
        unit_ids = [u for u in UNIT_IDS if u in item_file.units]
        for position, unit_id in enumerate(unit_ids):
            unit = item_file.units[unit_id]
            element = ET.SubElement(file, "unit", {"id": unit.id, "xml:space": "preserve"})
            element.text = "\n      "
            element.tail = "\n    " if position < len(unit_ids) - 1 else "\n  "
            segment = ET.SubElement(element, "segment")
            segment.text = "\n        "
            segment.tail = "\n    "
            source = ET.SubElement(segment, "source")
            _set_content(source, unit.source)
            source.tail = "\n        "
            target = ET.SubElement(segment, "target")
            _set_content(target, unit.target or "")
            target.tail = "\n      "
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _directions(source_language: str, target_language: str) -> dict[str, str]:
    directions = {}
    for attribute, code in (("srcDir", source_language), ("trgDir", target_language)):
        language = REGISTRY.get(code)
        if language is not None and language.is_rtl:
            directions[attribute] = "rtl"
    return directions


def _set_content(element: ET.Element, text: str) -> None:
    """Put ``text`` in ``element``, characters XML cannot hold as ``<cp hex="…"/>``. Line ends
    are written as ``\\n``: an XML reader turns ``\\r\\n`` into ``\\n`` in any case."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pieces = _NOT_XML.split(text)
    element.text = pieces[0]
    for character, following in zip(_NOT_XML.findall(text), pieces[1:], strict=True):
        cp = ET.SubElement(element, "cp", {"hex": f"{ord(character):04X}"})
        cp.tail = following


# --- Reading ---------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, line: int, column: int, reason: str) -> None:
        super().__init__(reason)
        self.line, self.column, self.reason = line, column, reason


def _at(line: int, column: int, reason: str) -> str:
    return _("Line %(line)s, column %(column)s: %(reason)s") % {
        "line": line,
        "column": column,
        "reason": reason,
    }


@dataclass(frozen=True, slots=True)
class _Tree:
    root: ET.Element
    positions: dict[ET.Element, tuple[int, int]]  # line, column (from 1)


def _parse_xml(data: bytes) -> _Tree:
    """Build an ElementTree from ``data`` with expat, refusing any DOCTYPE and recording
    where each element starts."""
    parser = expat.ParserCreate(namespace_separator="}")
    builder = ET.TreeBuilder()
    positions: dict[ET.Element, tuple[int, int]] = {}

    def name(raw: str) -> str:
        return "{" + raw if "}" in raw else raw

    def start(tag: str, attributes: dict[str, str]) -> None:
        element = builder.start(name(tag), {name(k): v for k, v in attributes.items()})
        positions[element] = (parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)

    def refuse_doctype(*args: object) -> NoReturn:
        raise _Refused(
            parser.CurrentLineNumber,
            parser.CurrentColumnNumber + 1,
            _("a DOCTYPE declaration is not accepted (it could declare entities)."),
        )

    def refuse_entity(*args: object) -> NoReturn:
        raise _Refused(
            parser.CurrentLineNumber,
            parser.CurrentColumnNumber + 1,
            _("entity declarations and external entities are not accepted."),
        )

    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(name(tag))
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse_doctype
    # Unreachable without a DOCTYPE; kept so that the refusal does not rest on one handler.
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_entity
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        raise XliffError([_at(refused.line, refused.column, refused.reason)]) from None
    except expat.ExpatError as error:
        reason = _("the XML is not well-formed (%(error)s).") % {
            "error": expat.ErrorString(error.code)
        }
        raise XliffError([_at(error.lineno, error.offset + 1, reason)]) from None
    return _Tree(builder.close(), positions)


def _local(tag: str) -> tuple[str, str]:
    """(namespace, local name) of an element's tag."""
    if tag.startswith("{"):
        namespace, _sep, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


class _Reader:
    def __init__(self, tree: _Tree) -> None:
        self.tree = tree
        self.errors: list[str] = []

    def where(self, element: ET.Element) -> tuple[int, int]:
        return self.tree.positions.get(element, (0, 0))

    def problem(self, element: ET.Element, reason: str) -> None:
        self.errors.append(_at(*self.where(element), reason))

    def children(self, element: ET.Element, allowed: Iterable[str]) -> Iterator[ET.Element]:
        """XLIFF children of ``element``; unknown XLIFF elements are problems, elements of
        other namespaces (modules, extensions) are passed over."""
        allowed = set(allowed)
        for child in element:
            namespace, local = _local(child.tag)
            if namespace != XLIFF_NS:
                continue
            if local in allowed:
                yield child
            else:
                self.problem(
                    child,
                    _("<%(element)s> is not expected inside <%(parent)s>.")
                    % {"element": local, "parent": _local(element.tag)[1]},
                )

    def document(self) -> Document | None:
        root = self.tree.root
        namespace, local = _local(root.tag)
        if (namespace, local) != (XLIFF_NS, "xliff"):
            self.problem(
                root,
                _(
                    "this is not an XLIFF 2.0 document: the root element is <%(local)s> in "
                    "the namespace “%(namespace)s”, expected <xliff> in “%(expected)s”."
                )
                % {"local": local, "namespace": namespace, "expected": XLIFF_NS},
            )
            return None
        version = root.get("version")
        if version != XLIFF_VERSION:
            self.problem(
                root,
                _("XLIFF version “%(version)s” is not supported; expected %(expected)s.")
                % {"version": version or "", "expected": XLIFF_VERSION},
            )
        languages = {}
        for attribute in ("srcLang", "trgLang"):
            languages[attribute] = (root.get(attribute) or "").strip()
            if not languages[attribute]:
                self.problem(root, _("<xliff> has no %(attribute)s.") % {"attribute": attribute})
        files = []
        seen: set[str] = set()
        for element in self.children(root, ["file"]):
            item_file = self.item_file(element)
            if item_file is None:
                continue
            if item_file.slug in seen:
                self.problem(
                    element,
                    _("the item “%(slug)s” appears more than once.") % {"slug": item_file.slug},
                )
            seen.add(item_file.slug)
            files.append(item_file)
        if not files and not self.errors:
            self.problem(root, _("the document has no <file>."))
        return Document(languages["srcLang"], languages["trgLang"], files)

    def item_file(self, element: ET.Element) -> ItemFile | None:
        file_id = element.get("id", "")
        slug = file_id.removeprefix(FILE_ID_PREFIX)
        if not file_id.startswith(FILE_ID_PREFIX) or not _SLUG.match(slug):
            self.problem(
                element,
                _("<file> id “%(id)s” is not of the form item-<short name>.") % {"id": file_id},
            )
            return None
        raw_version = element.get(f"{{{C4I_NS}}}sourceVersion", "")
        if not raw_version.isascii() or not raw_version.isdigit() or int(raw_version) < 1:
            self.problem(
                element,
                _(
                    "<file> “%(id)s” has no valid c4i:sourceVersion (the version of the source "
                    "it was made from); it must come from an export of this platform."
                )
                % {"id": file_id},
            )
            return None
        units: dict[str, Unit] = {}
        for child in self.children(element, ["unit", "notes", "skeleton"]):
            if _local(child.tag)[1] != "unit":
                continue
            unit = self.unit(child, file_id)
            if unit is None:
                continue
            if unit.id in units:
                self.problem(
                    child,
                    _("<file> “%(file)s” has the unit “%(unit)s” more than once.")
                    % {"file": file_id, "unit": unit.id},
                )
            units[unit.id] = unit
        return ItemFile(slug, int(raw_version), units, self.where(element)[0])

    def unit(self, element: ET.Element, file_id: str) -> Unit | None:
        unit_id = element.get("id", "")
        if unit_id not in UNIT_IDS:
            self.problem(
                element,
                _("<file> “%(file)s” has a unit “%(unit)s”; expected %(expected)s.")
                % {"file": file_id, "unit": unit_id, "expected": ", ".join(UNIT_IDS)},
            )
            return None
        sources: list[str] = []
        targets: list[str | None] = []
        for part in self.children(element, ["segment", "ignorable", "notes", "originalData"]):
            kind = _local(part.tag)[1]
            if kind not in {"segment", "ignorable"}:
                continue
            found = {_local(c.tag)[1]: c for c in self.children(part, ["source", "target"])}
            if "source" not in found:
                self.problem(part, _("<%(kind)s> has no <source>.") % {"kind": kind})
                continue
            source = self.content(found["source"])
            sources.append(source)
            if "target" in found:
                targets.append(self.content(found["target"]))
            else:
                # An ignorable part without a target keeps its source (XLIFF 2.0, 4.2.2.5).
                targets.append(source if kind == "ignorable" else None)
        # A unit with an untranslated segment is not translated.
        translated = [t for t in targets if t is not None]
        target = "".join(translated) if targets and len(translated) == len(targets) else None
        return Unit(unit_id, "".join(sources), target, self.where(element)[0])

    def content(self, element: ET.Element) -> str:
        """The text of a <source> or <target>, with <cp> characters and annotations' text."""
        pieces = [element.text or ""]
        for child in element:
            namespace, local = _local(child.tag)
            if namespace == XLIFF_NS and local == "cp":
                pieces.append(self.code_point(child))
            elif namespace == XLIFF_NS and local == "mrk":
                pieces.append(self.content(child))
            elif namespace == XLIFF_NS and local in _SKIPPED_INLINE:
                pass
            else:
                self.problem(
                    child,
                    _("the inline element <%(element)s> is not supported in this exchange.")
                    % {"element": local},
                )
            pieces.append(child.tail or "")
        return "".join(pieces)

    def code_point(self, element: ET.Element) -> str:
        raw = element.get("hex", "")
        try:
            return chr(int(raw, 16))
        except (ValueError, OverflowError):
            self.problem(element, _("<cp> hex “%(hex)s” is not a character.") % {"hex": raw})
            return ""


def parse(data: bytes) -> Document:
    """Read an XLIFF 2.0 document written by ``write`` and translated elsewhere.

    Raises XliffError with every problem found: a file larger than ``MAX_BYTES``, XML that is
    not well-formed (with the parser's line, column and reason), a DOCTYPE, or a structure
    other than the one ``write`` produces. Other namespaces' elements are passed over."""
    if len(data) > MAX_BYTES:
        raise XliffError(
            [_("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // (1024 * 1024)}]
        )
    reader = _Reader(_parse_xml(data))
    document = reader.document()
    if reader.errors or document is None:
        raise XliffError(reader.errors)
    return document
