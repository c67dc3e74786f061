"""The generated hook reference in ``docs/plugins.md``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ki_network.plugin import _docgen

PAGE = Path(__file__).resolve().parents[1] / "docs" / "plugins.md"


def test_the_committed_reference_is_up_to_date() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert _docgen.replace_reference(page) == page, (
        "docs/plugins.md is stale: run python -m ki_network.plugin._docgen docs/plugins.md")


def test_the_reference_follows_the_hookspec_order_and_sections() -> None:
    text = _docgen.render()
    positions = [text.index(f"#### `{name}`") for name in _docgen.hook_names()]
    assert positions == sorted(positions)
    assert text.index("### Set-up") < text.index("### Region data") < text.index("### Outputs")
    assert ":param" not in text
    assert ":class:" not in text


def test_check_reports_a_stale_page_and_rewriting_fixes_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "plugins.md"
    page.write_text(f"# Plugins\n\n{_docgen.BEGIN}\nold text\n{_docgen.END}\n", encoding="utf-8")
    assert _docgen.main(["--check", str(page)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert _docgen.main([str(page)]) == 0
    assert _docgen.main(["--check", str(page)]) == 0
    assert "#### `ki_network_calendar_event`" in page.read_text(encoding="utf-8")
    assert page.read_text(encoding="utf-8").startswith("# Plugins\n\n")


def test_a_page_without_markers_is_refused(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "plugins.md"
    page.write_text("# Plugins\n", encoding="utf-8")
    assert _docgen.main([str(page)]) == 1
    assert "marker lines" in capsys.readouterr().err
    assert page.read_text(encoding="utf-8") == "# Plugins\n"


def test_usage() -> None:
    assert _docgen.main([]) == 2
