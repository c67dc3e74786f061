"""Translations of what ki-network says to people: gettext catalogues (domain ``ki_network``).

The sources are ``<lang>/LC_MESSAGES/ki_network.po`` next to this module; the compiled
``.mo`` files are committed too, so that an installed package needs no build step.  After
changing texts in the code or the templates (see ``docs/rules.md``, "Translations")::

    pybabel extract -F babel.cfg -o src/ki_network/locale/ki_network.pot src/ki_network
    pybabel update -i src/ki_network/locale/ki_network.pot -d src/ki_network/locale -D ki_network
    # translate the new entries in de/LC_MESSAGES/ki_network.po, then
    pybabel compile -d src/ki_network/locale -D ki_network

Message ids are English, so the English catalogue only says so and falls back to them.

>>> translator("de").gettext("Coverage gaps")
'Versorgungslücken'
>>> translator("en").gettext("Coverage gaps")
'Coverage gaps'
"""

from __future__ import annotations

import gettext
from functools import cache
from importlib.resources import as_file, files

DOMAIN = "ki_network"
#: Languages with a catalogue; the first is the fallback for any other language.
LANGUAGES = ("en", "de")


def supported(language: str | None) -> str:
    """``language`` if there is a catalogue for it, else English.

    >>> supported("de"), supported("tr"), supported(None)
    ('de', 'en', 'en')
    """
    return language if language in LANGUAGES else LANGUAGES[0]


def chosen(language: str | None, default: str | None) -> str:
    """The language of a run: ``language`` when given (it must have a catalogue, else
    :class:`~ki_network.errors.UnknownValueError`), else ``default`` if supported, else
    English.

    >>> chosen(None, "de"), chosen("en", "de"), chosen(None, "tr")
    ('de', 'en', 'en')
    """
    if language is not None:
        if language not in LANGUAGES:
            from ..errors import UnknownValueError  # noqa: PLC0415 - errors is a leaf

            raise UnknownValueError("language", language, LANGUAGES)
        return language
    return supported(default)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark ``message`` for the catalogue without translating it here."""
    return message


@cache
def translator(language: str) -> gettext.NullTranslations:
    """The catalogue for ``language`` (``gettext``/``ngettext``), English for unknown ones."""
    language = supported(language)
    with as_file(files(__name__)) as directory:
        # fallback=False: a catalogue missing from an installation is a packaging bug to see
        return gettext.translation(DOMAIN, localedir=str(directory), languages=[language])


@cache
def plugin_translator(package: str, language: str,
                      domain: str | None = None) -> gettext.NullTranslations:
    """A plugin's own catalogue, for the texts of its rules (a gettext domain per plugin).

    The catalogue is ``<package>/locale/<language>/LC_MESSAGES/<domain>.mo`` inside the
    plugin's package (``domain`` defaults to the package's top-level name); a language
    without a catalogue falls back to the message ids.  A rule calls it with the run's
    language from its settings context::

        _ = plugin_translator(__package__, context.language).gettext

    and a rule with a ``translations`` attribute (its package name) gets its ``title``
    translated through it.  ``examples/plugin-template`` shows the whole workflow.
    """
    name = domain or package.split(".", maxsplit=1)[0]
    try:
        with as_file(files(package) / "locale") as directory:
            return gettext.translation(name, localedir=str(directory), languages=[language],
                                       fallback=True)
    except (ModuleNotFoundError, TypeError):  # not an importable package
        return gettext.NullTranslations()
