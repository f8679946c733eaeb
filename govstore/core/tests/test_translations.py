"""Every app keeps its own Chinese catalogue, but Django merges them into one: the same
English text translated two ways in two apps would show one app's words in the other's
pages. These tests keep the catalogues complete and consistent."""

import ast
import re
from pathlib import Path

import pytest

APPS_DIR = Path(__file__).resolve().parents[2]
# Apps nested in apps (the sandboxes) have catalogues of their own that merge the same way.
CATALOGUES = sorted(APPS_DIR.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def _app_of(path: Path) -> str:
    return "/".join(path.relative_to(APPS_DIR).parts[:-4])


def _string(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def read_catalogue(path: Path) -> list[dict]:
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, list[str]] = {}
        current = None
        flags = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += line
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line
            ):
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif line.startswith('"') and current:
                fields[current].append(line)
        if "msgid" in fields and _string(fields["msgid"]):
            entries.append(
                {
                    "context": _string(fields.get("msgctxt", ['""'])),
                    "msgid": _string(fields["msgid"]),
                    "msgstr": _string(fields.get("msgstr", fields.get("msgstr[0]", ['""']))),
                    "fuzzy": "fuzzy" in flags,
                    "file": _app_of(path),
                }
            )
    return entries


def test_every_app_with_pages_has_a_catalogue():
    apps_with_templates = {p.parts[-3] for p in APPS_DIR.glob("*/templates/*") if p.is_dir()}
    apps_with_catalogues = {path.relative_to(APPS_DIR).parts[0] for path in CATALOGUES}
    assert apps_with_templates <= apps_with_catalogues | {"core"}
    assert "core" in apps_with_catalogues


@pytest.mark.parametrize("path", CATALOGUES, ids=_app_of)
def test_catalogue_is_complete(path):
    entries = read_catalogue(path)
    assert entries, f"{path} has no entries"
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or e["fuzzy"]]
    assert untranslated == []


def test_the_same_text_is_translated_the_same_way_in_every_app():
    seen: dict[tuple[str, str], dict] = {}
    conflicts = []
    for path in CATALOGUES:
        for entry in read_catalogue(path):
            key = (entry["context"], entry["msgid"])
            first = seen.setdefault(key, entry)
            if first["msgstr"] != entry["msgstr"]:
                conflicts.append(
                    f"{entry['msgid']!r}: {first['file']} says {first['msgstr']!r}, "
                    f"{entry['file']} says {entry['msgstr']!r}"
                )
    assert conflicts == []
