"""Validation: every kind of bad data gives ``file:line:column: message``, all at once.

Each case corrupts a valid network on disk (the tiny network of :mod:`ki_network.testing`, and
the example network once it exists) and checks the library's :class:`DataError` and the
``ki-network validate`` command: the right file, line and column, exit 1, no traceback.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs
import pluggy
import pytest
from click.testing import CliRunner

from ki_network import DataError, Municipality, hookimpl, load
from ki_network.cli import main
from ki_network.testing import bare_plugin_manager, write_network

from ..conftest import CliResult


@attrs.frozen
class Case:
    """Replace ``old`` by ``new`` (first occurrence) in ``file``; expect ``message`` there.

    The problem must point at the line of ``new`` and the column of ``at`` in that line
    (default: the first word of ``new``, i.e. the field's key).
    """

    id: str
    file: str
    old: str
    new: str
    message: str
    at: str | None = None


CASES = [
    Case("unknown-actor", "offers.yaml", "provider: caritas", "provider: caritass",
         "unknown actor 'caritass' (did you mean 'caritas'?)"),
    Case("unknown-organiser", "events.yaml", "  - verein", "  - vereen",
         "unknown actor 'vereen' (did you mean 'verein'?)", at="organisers"),
    Case("unknown-relation-target", "relations.yaml", "target: caritas", "target: karitas",
         "unknown actor 'karitas' (did you mean 'caritas'?)"),
    Case("unknown-municipality", "offers.yaml", "municipality: '05374012'",
         "municipality: Gummersbach",
         "unknown municipality 'Gummersbach' in any region (without a region, name "
         "municipalities by their 8-digit AGS code)"),
    Case("malformed-ags", "actors.yaml", "  - '05374012'\n- id: verein",
         "  - '0537401'\n- id: verein", "unknown municipality '0537401'", at="municipalities"),
    Case("duplicate-id", "actors.yaml", "- id: verein", "- id: caritas",
         "duplicate id 'caritas' (first used at {dir}/actors.yaml:8:3)", at="id"),
    Case("duplicate-id-across-kinds", "events.yaml", "- id: fest", "- id: cafe-gm",
         "duplicate id 'cafe-gm' (first used at {dir}/offers.yaml:1:3)", at="id"),
    Case("actor-kind", "actors.yaml", "kind: provider", "kind: provder",
         "invalid kind 'provder'; expected one of administration, provider, "
         "migrant_organisation, school, daycare, education_provider, volunteer_group, "
         "religious_community, other (did you mean 'provider'"),
    Case("visibility", "offers.yaml", "location: Talweg 1", "visibility: secret",
         "invalid visibility 'secret'; expected one of public, partners, internal"),
    Case("relation-kind", "relations.yaml", "kind: cooperates", "kind: cooperate",
         "invalid kind 'cooperate'; expected one of cooperates, funds, member_of, refers_to, "
         "coordinates, co_organises (did you mean 'cooperates'"),
    Case("event-status", "events.yaml", "topic: cohesion.encounter", "status: postponed",
         "invalid status 'postponed'; expected one of confirmed, tentative, cancelled"),
    Case("rrule-freq", "offers.yaml", "rrule: FREQ=WEEKLY;BYDAY=TU", "rrule: FREQ=WEEKLI;BYDAY=TU",
         "malformed rrule 'FREQ=WEEKLI;BYDAY=TU': invalid 'FREQ': WEEKLI"),
    Case("rrule-byday", "offers.yaml", "rrule: FREQ=WEEKLY;BYDAY=TU", "rrule: FREQ=WEEKLY;BYDAY=DI",
         "malformed rrule 'FREQ=WEEKLY;BYDAY=DI'"),
    Case("rrule-no-freq", "offers.yaml", "rrule: FREQ=WEEKLY;BYDAY=TU", "rrule: BYDAY=TU",
         "malformed rrule 'BYDAY=TU'"),
    Case("impossible-date", "offers.yaml", "location: Talweg 1", "valid_from: 2026-02-30",
         "'valid_from' 2026-02-30 is not a date like 2026-01-31"),
    Case("german-date", "events.yaml", "start: 2026-09-19T14:00", "start: 19.09.2026 14:00",
         "'start' 19.09.2026 14:00 is not a date (2026-01-31) or a date and time"),
    Case("impossible-time", "offers.yaml", "end: 2026-01-13T11:00", "end: 2026-01-13T25:00",
         "'end' 2026-01-13T25:00 is not a date (2026-01-31) or a date and time"),
    Case("event-end-before-start", "events.yaml", "end: 2026-09-19T18:00",
         "end: 2026-09-19T10:00", "end 2026-09-19T10:00 is not after start 2026-09-19T14:00"),
    Case("offer-end-before-start", "offers.yaml", "end: 2026-01-13T11:00",
         "end: 2026-01-13T09:00", "end 2026-01-13T09:00 is not after start 2026-01-13T09:30"),
    Case("until-before-start", "offers.yaml", "until: '2026-07-14'", "until: '2025-07-14'",
         "until 2025-07-14 is before start 2026-01-13T09:30"),
    Case("valid-to-before-valid-from", "offers.yaml", "location: Talweg 1",
         "valid_from: 2026-06-01\n  valid_to: 2026-05-01",
         "valid_to 2026-05-01 is before valid_from 2026-06-01", at="valid_to"),
    Case("unknown-topic", "offers.yaml", "topic: language.informal", "topic: language.informl",
         "unknown topic 'language.informl' (did you mean 'language.informal'"),
    Case("missing-field", "offers.yaml", "  provider: caritas\n", "",
         "missing field 'provider'", at="id"),
    Case("not-yaml", "offers.yaml", "location: Talweg 1", "location: [Talweg 1",
         "not valid YAML", at="schedule"),
    Case("duplicate-key", "relations.yaml", "kind: cooperates", "kind: cooperates\n  kind: funds",
         "not valid YAML: duplicate key 'kind'", at="kind: funds"),
    Case("not-a-list", "relations.yaml", "- source: ki\n  target: caritas\n  kind: cooperates",
         "source: ki\ntarget: caritas\nkind: cooperates",
         "{dir}/relations.yaml must be a list of relations, one '- ' item each", at="source"),
    Case("item-not-a-mapping", "relations.yaml", "  kind: cooperates", "  kind: cooperates\n- ki",
         "item 2 is not a mapping of fields", at="ki"),
    Case("rrule-count-not-positive", "offers.yaml", "rrule: FREQ=WEEKLY;BYDAY=TU",
         "rrule: FREQ=WEEKLY;BYDAY=TU;COUNT=-1",
         "COUNT=-1 in rrule 'FREQ=WEEKLY;BYDAY=TU;COUNT=-1' is not a positive number"),
]


def corrupt(directory: Path, case: Case) -> tuple[Path, int, int]:
    """Apply ``case`` to the network in ``directory``; the line and column to expect."""
    path = directory / case.file
    text = path.read_text(encoding="utf-8")
    assert case.old in text, f"{case.old!r} not in {case.file}"
    start = text.index(case.old)
    text = text.replace(case.old, case.new, 1)
    path.write_text(text, encoding="utf-8")
    probe = case.at or case.new.split(":")[0].strip().removeprefix("- ")
    if case.at is not None:
        # the field named by ``at``: in the record changed, or (when the change removed the
        # field) in the record before it
        found = text.rfind(probe, 0, start + len(case.new))
        position = found if found >= 0 else text.index(probe)
    else:
        position = text.index(probe, start)
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return path, line, column


def validate(directory: Path) -> tuple[int, list[str]]:
    """``ki-network validate DIR`` in-process: exit code and the lines on stderr."""
    result = CliRunner().invoke(main, ["validate", str(directory)])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.stderr.splitlines()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_each_kind_of_bad_data(tmp_path: Path, tiny_dir: Path, pm: pluggy.PluginManager,
                               case: Case) -> None:
    path, line, column = corrupt(tiny_dir, case)
    message = case.message.format(dir=tiny_dir)
    if case.id == "not-yaml":
        column = 0  # the parser's own position; only the line is checked below
    with pytest.raises(DataError) as raised:
        load(tiny_dir, pm)
    shown = [str(p) for p in raised.value.problems]
    expected_prefix = f"{path}:{line}:{column}: " if column else f"{path}:"
    matching = [s for s in shown if message in s]
    assert matching, shown
    assert matching[0].startswith(expected_prefix), (matching[0], expected_prefix)
    if case.id == "not-yaml":
        problem = next(p for p in raised.value.problems if message in p.message)
        assert problem.origin.line in (line, line + 1)  # where the parser noticed

    code, lines = validate(tiny_dir)
    assert code == 1
    assert matching[0] in lines
    assert lines[-1] == f"{len(shown)} problem{'s' if len(shown) > 1 else ''} found"
    assert all(re.match(r"^\S+\.yaml(:\d+(:\d+)?)?: ", s) for s in lines[:-1]), lines


def test_valid_network_exits_0(tiny_dir: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(tiny_dir), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (f"{tiny_dir}: valid (3 actors, 1 offers, 1 events, "
                                     "1 relations)")
    assert result.stderr == ""


@pytest.mark.parametrize("name", ["actors.yaml", "network.yaml"])
def test_missing_file(tiny_dir: Path, pm: pluggy.PluginManager, name: str) -> None:
    (tiny_dir / name).unlink()
    with pytest.raises(DataError) as raised:
        load(tiny_dir, pm)
    assert f"{tiny_dir / name}: file not found" in [str(p) for p in raised.value.problems]
    code, lines = validate(tiny_dir)
    assert code == 1
    assert f"{tiny_dir / name}: file not found" in lines


def test_optional_files_may_be_missing(tiny_dir: Path, pm: pluggy.PluginManager) -> None:
    for name in ("offers.yaml", "events.yaml", "relations.yaml"):
        (tiny_dir / name).unlink()
    net = load(tiny_dir, pm)
    assert (len(net.actors), len(net.offers), len(net.events), len(net.relations)) == (3, 0, 0, 0)


def test_not_a_directory(tmp_path: Path, pm: pluggy.PluginManager) -> None:
    with pytest.raises(DataError, match="not a directory"):
        load(tmp_path / "nowhere", pm)
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2  # click: the argument must be an existing directory


def test_not_utf8(tiny_dir: Path, pm: pluggy.PluginManager) -> None:
    (tiny_dir / "relations.yaml").write_bytes("- source: kö\n".encode("latin-1"))
    with pytest.raises(DataError) as raised:
        load(tiny_dir, pm)
    assert any(str(p).startswith(f"{tiny_dir / 'relations.yaml'}: not UTF-8 text")
               for p in raised.value.problems)


# -- all problems at once --------------------------------------------------------------------

SEVERAL = [CASES[0], CASES[3], CASES[5], CASES[9], CASES[10], CASES[12], CASES[17]]


def test_all_problems_at_once(tiny_dir: Path, pm: pluggy.PluginManager,
                              cli: Callable[..., CliResult]) -> None:
    expected = []
    for case in SEVERAL:
        path, line, column = corrupt(tiny_dir, case)
        expected.append(f"{path}:{line}:{column}: {case.message.format(dir=tiny_dir)}")
    with pytest.raises(DataError) as raised:
        load(tiny_dir, pm)
    problems = [str(p) for p in raised.value.problems]
    assert {p.origin.path for p in raised.value.problems} == {
        str(tiny_dir / f) for f in ("actors.yaml", "offers.yaml", "events.yaml",
                                    "relations.yaml")}
    for wanted in expected:
        assert any(p.startswith(wanted) for p in problems), (wanted, problems)
    assert problems == sorted(problems, key=lambda s: (s.split(":")[0], int(s.split(":")[1])))

    result = cli("validate", tiny_dir)  # the real command, in its own process
    assert result.code == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.splitlines() == [*problems, f"{len(problems)} problems found"]
    assert str(raised.value) == "\n".join(problems)


def test_a_broken_file_does_not_hide_the_others(tiny_dir: Path,
                                                pm: pluggy.PluginManager) -> None:
    corrupt(tiny_dir, CASES[23])  # offers.yaml is no YAML
    corrupt(tiny_dir, CASES[9])  # and relations.yaml has a bad kind
    with pytest.raises(DataError) as raised:
        load(tiny_dir, pm)
    files = {Path(p.origin.path).name for p in raised.value.problems}
    assert files == {"offers.yaml", "relations.yaml"}


# -- hostile YAML ----------------------------------------------------------------------------

BILLION_LAUGHS = """\
- id: lol
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_alias_bomb_is_refused(tiny_dir: Path, cli: Callable[..., CliResult]) -> None:
    (tiny_dir / "offers.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    result = cli("validate", tiny_dir)
    assert result.code == 1
    assert "Traceback" not in result.stderr
    assert (f"{tiny_dir / 'offers.yaml'}:2:6: not valid YAML: anchors and aliases are not "
            "allowed in data files") in result.stderr.splitlines()


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system", "!!python/object/new:os.system",
                                 "!!python/object/apply:subprocess.check_output"])
def test_code_execution_tags_are_refused_not_run(tmp_path: Path, tiny_dir: Path, tag: str,
                                                 cli: Callable[..., CliResult]) -> None:
    marker = tmp_path / "pwned"
    text = (tiny_dir / "actors.yaml").read_text(encoding="utf-8")
    (tiny_dir / "actors.yaml").write_text(
        text + f"- id: evil\n  name: {tag} [\"touch {marker}\"]\n", encoding="utf-8")
    result = cli("validate", tiny_dir)
    assert result.code == 1
    assert "Traceback" not in result.stderr
    assert not marker.exists()
    line = text.count("\n") + 2
    assert re.search(rf"^{re.escape(str(tiny_dir / 'actors.yaml'))}:{line}:\d+: not valid YAML: "
                     r"custom tags are not allowed", result.stderr, re.MULTILINE), result.stderr


@pytest.mark.parametrize("text, message", [
    ("- id: x\n  name: !!python/name:os.system\n", "custom tags are not allowed"),
    ("- id: x\n  name: !include secrets.yaml\n", "custom tags are not allowed"),
    ("- id: x\n  name: !!set {a}\n", "the tag !!set is not allowed"),
    ("- id: x\n  name: !!binary aGVsbG8=\n", "the tag !!binary is not allowed"),
    ("- id: x\n  name: !!int eleven\n", "cannot read 'eleven' as int"),
])
def test_unsafe_or_foreign_tags(tiny_dir: Path, pm: pluggy.PluginManager, text: str,
                                message: str) -> None:
    (tiny_dir / "actors.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load(tiny_dir, pm)
    first = raised.value.problems[0]
    assert (first.origin.path, first.origin.line) == (str(tiny_dir / "actors.yaml"), 2)
    assert message in first.message


# -- municipalities of a region --------------------------------------------------------------


class TestRegion:
    """A region pack in a plugin: names and AGS codes of the region only."""

    @hookimpl
    def ki_network_region_municipalities(self, region: str) -> Sequence[Municipality] | None:
        if region != "testkreis":
            return None
        return [Municipality("05374012", "Gummersbach"), Municipality("05374048", "Waldbröl"),
                Municipality("05374052", "Wiehl")]


def test_unknown_municipality_in_a_region(tmp_path: Path, tiny_files: dict[str, object]) -> None:
    pm = bare_plugin_manager(TestRegion())
    tiny_files["network.yaml"] = {"name": "Test", "region": "testkreis"}
    directory = write_network(tmp_path / "net", tiny_files)
    assert load(directory, pm).actors["ki"].municipalities == ("05374012",)
    case = Case("municipality", "offers.yaml", "municipality: '05374012'",
                "municipality: Gumersbach", "unknown municipality 'Gumersbach' in region "
                "'testkreis' (did you mean 'Gummersbach'?)")
    path, line, column = corrupt(directory, case)
    with pytest.raises(DataError) as raised:
        load(directory, pm)
    assert [str(p) for p in raised.value.problems] == [f"{path}:{line}:{column}: {case.message}"]


def test_unknown_region(tmp_path: Path, tiny_files: dict[str, object],
                        pm: pluggy.PluginManager) -> None:
    tiny_files["network.yaml"] = {"name": "Test", "region": "nowhere"}
    directory = write_network(tmp_path / "net", tiny_files)
    with pytest.raises(DataError) as raised:
        load(directory, pm)
    assert any(str(p).startswith(f"{directory / 'network.yaml'}:2:1: unknown region 'nowhere'")
               for p in raised.value.problems), raised.value.problems


# -- the example network, corrupted ----------------------------------------------------------


def _first(pattern: str, text: str) -> re.Match[str]:
    found = re.search(pattern, text, re.MULTILINE)
    assert found is not None, pattern
    return found


class _Corruptor:
    """Edits a copy of the example by regular expressions; remembers what to expect where."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.expected: list[tuple[str, str]] = []  # ("file:line:", message part)

    def edit(self, name: str, pattern: str, replace: Callable[[re.Match[str]], str],
             message: str) -> None:
        path = self.directory / name
        text = path.read_text(encoding="utf-8")
        found = _first(pattern, text)
        replacement = replace(found)
        text = text[:found.start()] + replacement + text[found.end():]
        path.write_text(text, encoding="utf-8")
        # the problem is on the last line of the replacement that is not a pure re-insert
        line = text.count("\n", 0, found.start()) + replacement.rstrip("\n").count("\n") + 1
        self.expected.append((f"{path}:{line}:", message))

    def check(self, cli: Callable[..., CliResult]) -> list[str]:
        result = cli("validate", self.directory)
        assert result.code == 1
        assert "Traceback" not in result.stderr + result.stdout
        lines = result.stderr.splitlines()
        for prefix, message in self.expected:
            assert any(line.startswith(prefix) and message in line for line in lines), \
                (prefix, message, lines)
        assert lines[-1] == f"{len(lines) - 1} problem{'s' if len(lines) > 2 else ''} found"
        assert all(re.match(r"^\S+\.yaml(:\d+(:\d+)?)?: ", line) for line in lines[:-1]), lines
        return lines


def test_corrupted_example(tmp_path: Path, oberberg: Path, cli: Callable[..., CliResult]) -> None:
    """Each kind of bad data in the records of a copy of the example, all in one run."""
    bad = _Corruptor(Path(shutil.copytree(oberberg, tmp_path / "oberberg")))
    # lines inserted first, so that the lines expected for later edits stay put
    bad.edit("offers.yaml", r"^- id: .*\n", lambda m: f"{m[0]}  visibility: secret\n",
             "invalid visibility 'secret'")
    bad.edit("events.yaml", r"^- id: .*\n", lambda m: f"{m[0]}  status: postponed\n",
             "invalid status 'postponed'")
    bad.edit("offers.yaml", r"^(\s*-?\s*)provider: ([\w.-]+)",
             lambda m: f"{m[1]}provider: {m[2]}x", "(did you mean")
    bad.edit("offers.yaml", r"^(\s*-?\s*)municipality: Gummersbach$",
             lambda m: f"{m[1]}municipality: Gumersbach",
             "unknown municipality 'Gumersbach' in region 'oberberg' (did you mean "
             "'Gummersbach'?)")
    bad.edit("actors.yaml", r"^(\s*-?\s*)kind: provider", lambda m: f"{m[1]}kind: provder",
             "invalid kind 'provder'")
    bad.edit("relations.yaml", r"kind: cooperates", lambda m: "kind: cooperate",
             "invalid kind 'cooperate'")
    bad.edit("offers.yaml", r"FREQ=WEEKLY", lambda m: "FREQ=WEEKLI", "malformed rrule")
    bad.edit("events.yaml", r"^(\s*)start: (\d{4})-\d\d-", lambda m: f"{m[1]}start: {m[2]}-13-",
             "is not a date")
    # the last event's end (the first event's start is broken above)
    bad.edit("events.yaml", r"(?s:.*)^(\s*)end: (\d{4})-",
             lambda m: m[0][:m.start(2) - m.start()] + "2020-", "is not after start")
    offers = (bad.directory / "offers.yaml").read_text(encoding="utf-8")
    first_id = _first(r"^- id: ([\w.-]+)", offers)[1]
    bad.edit("offers.yaml", r"^(- id: )(?!" + re.escape(first_id) + r"\b)[\w.-]+",
             lambda m: f"{m[1]}{first_id}", f"duplicate id {first_id!r}")
    lines = bad.check(cli)
    assert len({line.split(":")[0] for line in lines[:-1]}) == 4  # four files at once


@pytest.mark.parametrize("case", [
    ("offers.yaml", lambda text: text + "- id: [broken\n", "not valid YAML"),
    ("relations.yaml", lambda text: "source: ki-oberberg\ntarget: vhs-oberberg\n",
     "must be a list of relations"),
    ("events.yaml", lambda text: BILLION_LAUGHS, "anchors and aliases are not allowed"),
    ("actors.yaml", lambda text: text + "- id: evil\n  name: !!python/object/apply:os.system "
                                        "[\"echo pwned\"]\n", "custom tags are not allowed"),
    ("actors.yaml", None, "file not found"),
    ("network.yaml", None, "file not found"),
])
def test_corrupted_example_files(tmp_path: Path, oberberg: Path,
                                 case: tuple[str, Callable[[str], str] | None, str],
                                 cli: Callable[..., CliResult]) -> None:
    name, change, message = case
    directory = Path(shutil.copytree(oberberg, tmp_path / "oberberg"))
    path = directory / name
    if change is None:
        path.unlink()
    else:
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = cli("validate", directory)
    assert result.code == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "pwned" not in result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{path}:") and message in line for line in lines), lines


def test_decisions_are_checked(tiny_dir: Path, pm: pluggy.PluginManager) -> None:
    path = tiny_dir / "decisions.yaml"
    path.write_text("- {a: cafe-gm, b: fest, verdict: same, by: KI, on: 2026-02-01}\n"
                    "- {a: cafe-gn, b: fest, verdict: maybe}\n", encoding="utf-8")
    with pytest.raises(DataError) as raised:
        load(tiny_dir, pm)
    assert [str(p) for p in raised.value.problems] == [
        f"{path}:2:4: unknown offer 'cafe-gn' (did you mean 'cafe-gm'?)",
        f"{path}:2:25: invalid verdict 'maybe'; expected 'same' or 'distinct'",
    ]
    path.write_text("- {a: cafe-gm, b: fest, verdict: same, by: KI, on: 2026-02-01}\n",
                    encoding="utf-8")
    decision = load(tiny_dir, pm).decisions[0]
    assert (decision.a, decision.b, decision.verdict, decision.by) == ("cafe-gm", "fest",
                                                                       "same", "KI")


def test_date_until_on_the_day_of_a_timed_start_is_valid(tmp_path: Path) -> None:
    """``until`` is inclusive: a date on the start's own day means "through that day"."""
    series = {"start": "2026-01-01T00:15", "end": "2026-01-01T01:00", "rrule": "FREQ=DAILY"}
    offer = {"id": "x", "title": "t", "provider": "caritas"}
    same_day = write_network(tmp_path / "ok", offers=[{**offer, "schedule": [
        {**series, "until": "2026-01-01"}]}])
    assert str(load(same_day, bare_plugin_manager()).offers["x"].schedule[0].until) == "2026-01-01"
    day_before = write_network(tmp_path / "bad", offers=[{**offer, "schedule": [
        {**series, "until": "2025-12-31"}]}])
    with pytest.raises(DataError, match="until 2025-12-31 is before start 2026-01-01T00:15"):
        load(day_before, bare_plugin_manager())
