"""The gettext catalogues: complete, consistent with the code, compiled, and packaged."""

from __future__ import annotations

import gettext
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from ki_network.locale import DOMAIN, LANGUAGES, supported, translator

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "ki_network" / "locale"


def catalogue(language: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    with (LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def extracted() -> set[str | tuple[str, str]]:
    """The message ids in the code and templates now, as ``pybabel extract`` finds them."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: set[str | tuple[str, str]] = set()
    for _path, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def fields(text: str) -> set[str]:
    """Placeholders of a message: ``{name}`` (str.format) and ``%(name)s`` (templates)."""
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    names.update(part.split(")")[0] for part in text.split("%(")[1:])
    return names


def test_catalogues_hold_exactly_the_messages_of_the_code() -> None:
    in_code = extracted()
    assert in_code, "nothing extracted: is babel.cfg right?"
    for language in LANGUAGES:
        in_catalogue = set(catalogue(language))
        assert in_code - in_catalogue == set(), f"{language}: run pybabel extract/update"
        assert in_catalogue - in_code == set(), f"{language}: obsolete entries"


def test_german_is_complete_and_keeps_the_placeholders() -> None:
    for message_id, translation in catalogue("de").items():
        ids = message_id if isinstance(message_id, tuple) else (message_id,)
        texts = translation if isinstance(translation, tuple) else (translation,)
        assert all(texts), f"untranslated: {message_id!r}"
        expected = set().union(*(fields(i) for i in ids))
        for text in texts:
            # a singular translation may say "ein" instead of {count}
            assert fields(text) <= expected, (message_id, text)
            assert fields(text) >= expected - {"count", "days"}, (message_id, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogues_match_their_sources(language: str) -> None:
    mo = LOCALE / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for message_id, translation in catalogue(language).items():
        if isinstance(message_id, tuple):
            assert isinstance(translation, tuple)
            got = compiled.ngettext(message_id[0], message_id[1], 5)
            assert got == (translation[-1] or message_id[1]), "run pybabel compile"
        else:
            assert compiled.gettext(message_id) == (translation or message_id), \
                f"{language}: {message_id!r}: run pybabel compile"


def test_translator() -> None:
    assert translator("de").gettext("Findings") == "Befunde"
    assert translator("en").gettext("Findings") == "Findings"
    assert supported("fr") == "en"


def test_wheel_contains_catalogues_and_templates(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c",
         "import sys; from hatchling.build import build_wheel; print(build_wheel(sys.argv[1]))",
         str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / done.stdout.strip().splitlines()[-1]) as wheel:
        names = set(wheel.namelist())
    for language in LANGUAGES:
        assert f"ki_network/locale/{language}/LC_MESSAGES/{DOMAIN}.mo" in names
    assert "ki_network/report/templates/report.html" in names
