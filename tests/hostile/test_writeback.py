"""Write-back under pressure: concurrent writers, round-trip fidelity of an import, and
processes killed while writing (issue #10, 7 and 8, and crash safety).

The concurrency and crash tests run the real command line (or ``save``) in subprocesses.  The
subprocesses start through a small driver script written by the tests, which slows down or
kills the process at a chosen point by patching the library from the outside — there is no
test hook in the library itself.
"""

from __future__ import annotations

import copy
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ki_network import load
from ki_network.calendar.ics_import.merge import merge_into
from ki_network.calendar.ics_import.reader import read_ics
from ki_network.cli import main
from ki_network.datadir import lock as lock_module
from ki_network.datadir.lock import DirectoryLocked, write_lock
from ki_network.datadir.save import save
from ki_network.testing import TINY, bare_plugin_manager, write_network

posix_only = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork are POSIX")


def feed(prefix: str, count: int = 4) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0"]
    for number in range(1, count + 1):
        lines += ["BEGIN:VEVENT", f"UID:{prefix}-{number}",
                  f"DTSTART;TZID=Europe/Berlin:202603{10 + number:02d}T180000",
                  "DURATION:PT1H", f"SUMMARY:{prefix} {number}", "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR", ""]).encode()


#: Runs ``ki-network ARGS`` (or ``save``) with the library patched from the outside:
#: KI_TEST_SLOW_MERGE=seconds sleeps between reading and writing the events file;
#: KI_TEST_KILL=fsync|rename|write kills the process (SIGKILL) at that point of the
#: KI_TEST_KILL_AT-th atomic write (write: after half of the first chunk of the temporary
#: file; fsync: the temporary file complete, not yet renamed; rename: just after it).
DRIVER = textwrap.dedent('''
    import os, pathlib, signal, sys, time

    slow = float(os.environ.get("KI_TEST_SLOW_MERGE", "0"))
    if slow:
        import ki_network.calendar.ics_import.merge as merge_module
        original = merge_module.merge
        def slowed(*args, **kwargs):
            time.sleep(slow)
            return original(*args, **kwargs)
        merge_module.merge = slowed

    point = os.environ.get("KI_TEST_KILL")
    nth = int(os.environ.get("KI_TEST_KILL_AT", "1"))
    calls = {"fsync": 0, "rename": 0, "write": 0}

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "fsync":
        real_fsync = os.fsync
        def fsync(fd):
            calls["fsync"] += 1
            if calls["fsync"] == nth:
                die()
            real_fsync(fd)
        os.fsync = fsync
    elif point == "rename":
        real_replace = pathlib.Path.replace
        def replace(self, target):
            result = real_replace(self, target)
            calls["rename"] += 1
            if calls["rename"] == nth:
                die()
            return result
        pathlib.Path.replace = replace
    elif point == "write":
        import tempfile
        real_mkstemp = tempfile.mkstemp
        temporary = set()
        def mkstemp(*args, **kwargs):
            fd, name = real_mkstemp(*args, **kwargs)
            if name.endswith(".tmp"):
                temporary.add(fd)
            return fd, name
        tempfile.mkstemp = mkstemp
        real_fdopen = os.fdopen
        class HalfWriter:
            def __init__(self, handle):
                self.handle = handle
            def write(self, text):
                self.handle.write(text[: max(1, len(text) // 2)])
                self.handle.flush()
                die()
            def __getattr__(self, name):
                return getattr(self.handle, name)
            def __enter__(self):
                return self
            def __exit__(self, *exc):
                return self.handle.__exit__(*exc)
        def fdopen(fd, *args, **kwargs):
            handle = real_fdopen(fd, *args, **kwargs)
            if fd not in temporary:
                return handle
            temporary.discard(fd)
            calls["write"] += 1
            return HalfWriter(handle) if calls["write"] == nth else handle
        os.fdopen = fdopen

    if sys.argv[1] == "save":
        from ki_network import load
        from ki_network.datadir.save import save
        from ki_network.model import Text
        from ki_network.testing import bare_plugin_manager
        import attrs
        net = load(sys.argv[2], bare_plugin_manager())
        def new(text):  # the same result however often it runs
            return text if text.startswith("Neu: ") else "Neu: " + text
        changed = [attrs.evolve(a, name=new(a.name)) for a in net.actors.values()]
        for kind in ("offers", "events"):
            changed += [attrs.evolve(v, title=Text.of(new(v.title.get())))
                        for v in getattr(net, kind).values()]
        save(net.edit(replace=changed))
    else:
        from ki_network.cli import main
        sys.argv = ["ki-network", *sys.argv[1:]]
        main()
''')


def run_driver(tmp_path: Path, *args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    return subprocess.run([sys.executable, str(driver), *map(str, args)], capture_output=True,
                          text=True, timeout=120, check=False, env={**os.environ, **env})


def start_driver(tmp_path: Path, *args: str | Path, **env: str) -> subprocess.Popen[str]:
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    return subprocess.Popen([sys.executable, str(driver), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env})


def temporaries(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*.tmp"))


# --------------------------------------------------------------------------------------------
# 7: concurrent writers
# --------------------------------------------------------------------------------------------


def two_feeds(tmp_path: Path) -> Path:
    directory = write_network(tmp_path / "net")
    (directory / "feeds").mkdir()
    (directory / "feeds" / "caritas.ics").write_bytes(feed("caritas"))
    (directory / "feeds" / "verein.ics").write_bytes(feed("verein"))
    return directory


@posix_only
def test_concurrent_imports_lose_no_record(tmp_path: Path) -> None:
    directory = two_feeds(tmp_path)
    # Both read events.yaml, then wait a second before merging: without the lock, the second
    # write drops what the first added.
    runs = [start_driver(tmp_path, "ics", "import", "--lang", "en",
                         directory / "feeds" / f"{actor}.ics",
                         "--actor", actor, directory, KI_TEST_SLOW_MERGE="1")
            for actor in ("caritas", "verein")]
    results = [(run.wait(120), *run.communicate()) for run in runs]  # communicate closes
    for code, out, err in results:
        assert code == 0, err
        assert "4 added" in out
    events = load(directory, bare_plugin_manager()).events
    assert len([e for e in events if e != "fest"]) == 8
    assert temporaries(directory) == []


def test_concurrent_imports_in_threads_lose_no_record(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The file lock counts per process; threads of one process are kept apart as well."""
    import importlib

    merge_module = importlib.import_module("ki_network.calendar.ics_import.merge")
    original = merge_module.merge

    def slowed(*args: object, **kwargs: object) -> object:
        time.sleep(0.5)
        return original(*args, **kwargs)

    monkeypatch.setattr(merge_module, "merge", slowed)
    directory = two_feeds(tmp_path)
    errors: list[BaseException] = []

    def run(actor: str) -> None:
        try:
            imported = read_ics(feed(actor), actor=actor, source=f"feeds/{actor}.ics")
            merge_into(directory, imported, feed_name=f"feeds/{actor}.ics",
                       today=date(2026, 12, 1))
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(actor,)) for actor in ("caritas", "verein")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(load(directory, bare_plugin_manager()).events) == 9


@posix_only
def test_save_waits_for_the_lock_and_a_second_writer_fails_clearly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = write_network(tmp_path / "net")
    net = load(directory, bare_plugin_manager())
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from ki_network.datadir.lock import write_lock
        with write_lock(Path({str(directory)!r})):
            print("locked", flush=True)
            time.sleep(1.5)
        """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    monkeypatch.setattr(lock_module, "WAIT", 0.2)
    with pytest.raises(DirectoryLocked) as caught:
        save(net)
    assert str(caught.value) == (
        f"{directory}: another ki-network process is writing this data directory (it holds "
        f"{directory / '.ki-network' / 'write.lock'}); waited 0.2 s")
    monkeypatch.setattr(lock_module, "WAIT", 30.0)
    started = time.monotonic()
    save(net)  # waits for the holder, then writes
    assert time.monotonic() - started > 0.5
    assert holder.wait(30) == 0
    holder.stdout.close()


@posix_only
def test_ics_import_reports_a_locked_directory_in_one_line(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    directory = two_feeds(tmp_path)
    monkeypatch.setattr(lock_module, "WAIT", 0.2)
    ready = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with write_lock(directory):
            ready.set()
            release.wait(30)

    # a lock held by another thread of this process, as by another process
    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert ready.wait(10)
        result = CliRunner().invoke(main, ["ics", "import", "--lang", "en",
                                           str(directory / "feeds" /
                                                                 "caritas.ics"),
                                           "--actor", "caritas", str(directory)])
    finally:
        release.set()
        holder.join(10)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {directory}: another ki-network process is "
                                    "writing this data directory")
    assert result.stderr.count("\n") == 1


# --------------------------------------------------------------------------------------------
# 8: the import writes like save does
# --------------------------------------------------------------------------------------------


def test_import_into_the_example_changes_no_line_it_does_not_own(oberberg: Path,
                                                                 tmp_path: Path) -> None:
    directory = tmp_path / "oberberg"
    shutil.copytree(oberberg, directory, ignore=shutil.ignore_patterns(".ki-network"))
    before = (directory / "events.yaml").read_text(encoding="utf-8")
    actor = next(iter(load(directory).actors))
    (tmp_path / "tiny.ics").write_bytes(feed("tiny", 1))
    result = CliRunner().invoke(main, ["ics", "import", "--lang", "en",
                                       str(tmp_path / "tiny.ics"), "--actor",
                                       actor, str(directory)])
    assert result.exit_code == 0, result.output
    assert "1 added" in result.stdout
    after = (directory / "events.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # every line as it was; the new record appended
    added = yaml.safe_load(after[len(before):])
    assert [r["uid"] for r in added] == ["tiny-1"]
    assert "organisers: [" in after[len(before):]  # short lists stay in flow style
    assert "imported: {feed:" in after[len(before):]


def test_a_hand_written_number_like_text_stays_text(tmp_path: Path) -> None:
    """``code: 1e3`` reads as the text "1e3" (YAML 1.1 and 1.2 agree only on that); the import
    rewrote it as ``1000.0``."""
    directory = write_network(tmp_path / "net")
    events = directory / "events.yaml"
    events.write_text(textwrap.dedent("""\
        # hand-written
        - id: fest
          title: Interkulturelles Fest
          organisers: [ki, verein]
          start: 2026-09-19T14:00
          code: 1e3        # the room code, not a number
          version: 1.10
        """), encoding="utf-8")
    before = events.read_text(encoding="utf-8")
    (tmp_path / "a.ics").write_bytes(feed("a", 2))
    args = ["ics", "import", "--lang", "en",
            str(tmp_path / "a.ics"), "--actor", "caritas", str(directory)]
    assert CliRunner().invoke(main, args).exit_code == 0
    after = events.read_text(encoding="utf-8")
    assert after.startswith(before)
    assert load(directory, bare_plugin_manager()).events["fest"].extra["code"] == "1e3"
    # a person adds the same kind of value to an imported record; a re-import that updates
    # that record keeps it as the text it is
    after = after.replace("  title: a 1\n", "  title: a 1\n  code: 1e3\n")
    events.write_text(after, encoding="utf-8")
    (tmp_path / "a.ics").write_bytes(feed("a", 2).replace(b"SUMMARY:a 2", b"SUMMARY:a two"))
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.stdout
    net = load(directory, bare_plugin_manager())
    codes = [e.extra.get("code") for e in net.events.values() if "code" in e.extra]
    assert codes == ["1e3", "1e3"]
    assert events.read_text(encoding="utf-8").startswith(before)


# --------------------------------------------------------------------------------------------
# Crash safety: killed while writing
# --------------------------------------------------------------------------------------------


def snapshot(directory: Path) -> dict[str, bytes]:
    """The data files (temporary files aside: the killed writer's is checked separately)."""
    return {p.name: p.read_bytes() for p in directory.iterdir()
            if p.is_file() and not p.name.endswith(".tmp")}


@posix_only
@pytest.mark.parametrize(("point", "nth"), [
    ("write", 1), ("fsync", 1), ("rename", 1)])
def test_ics_import_killed_while_writing_leaves_old_or_new(tmp_path: Path, point: str,
                                                          nth: int) -> None:
    old = two_feeds(tmp_path / "old")
    expected = two_feeds(tmp_path / "expected")
    args = ("ics", "import", "FEED", "--actor", "caritas")
    done = run_driver(tmp_path, *args[:2], expected / "feeds" / "caritas.ics", *args[3:],
                      expected)
    assert done.returncode == 0, done.stderr
    new_events = (expected / "events.yaml").read_bytes()
    before = snapshot(old)
    killed = run_driver(tmp_path, *args[:2], old / "feeds" / "caritas.ics", *args[3:], old,
                        KI_TEST_KILL=point, KI_TEST_KILL_AT=str(nth))
    assert killed.returncode == -signal.SIGKILL
    left = temporaries(old)
    assert len(left) == (1 if point in ("write", "fsync") else 0), left
    after = snapshot(old)
    assert set(after) == set(before)
    assert after["events.yaml"] in (before["events.yaml"], new_events)
    assert {k: v for k, v in after.items() if k != "events.yaml"} == {
        k: v for k, v in before.items() if k != "events.yaml"}
    load(old, bare_plugin_manager())  # whatever is there loads
    # the next run cleans up after the killed one and ends where an undisturbed run ends
    again = run_driver(tmp_path, *args[:2], old / "feeds" / "caritas.ics", *args[3:], old)
    assert again.returncode == 0, again.stderr
    assert (old / "events.yaml").read_bytes() == new_events
    assert temporaries(old) == []


@posix_only
@pytest.mark.parametrize(("point", "nth"), [
    ("write", 1), ("write", 2), ("fsync", 2), ("rename", 1), ("rename", 2), ("rename", 3)])
def test_save_killed_while_writing_leaves_each_file_old_or_new(tmp_path: Path, point: str,
                                                              nth: int) -> None:
    old = write_network(tmp_path / "old")
    expected = write_network(tmp_path / "expected")
    done = run_driver(tmp_path, "save", expected)
    assert done.returncode == 0, done.stderr
    new = snapshot(expected)
    before = snapshot(old)
    assert new != before
    killed = run_driver(tmp_path, "save", old, KI_TEST_KILL=point, KI_TEST_KILL_AT=str(nth))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    after = snapshot(old)
    assert set(after) == set(before)
    for name, content in after.items():
        assert content in (before[name], new[name]), name
    load(old, bare_plugin_manager())
    again = run_driver(tmp_path, "save", old)
    assert again.returncode == 0, again.stderr
    assert temporaries(old) == []


@posix_only
@pytest.mark.slow
def test_save_of_a_large_network_killed_at_random_moments(tmp_path: Path) -> None:
    """No chosen point: kill a save of a big network after a delay (a share of the time an
    undisturbed save takes, so that it lands while files are being written)."""
    offers = [{**copy.deepcopy(TINY["offers.yaml"][0]),  # type: ignore[index]
               "id": f"offer-{n}", "title": f"Angebot {n}"} for n in range(1500)]
    template = write_network(tmp_path / "template", offers=offers)
    expected = tmp_path / "expected"
    shutil.copytree(template, expected)
    started = time.monotonic()
    assert run_driver(tmp_path, "save", expected).returncode == 0
    took = time.monotonic() - started
    new = snapshot(expected)
    before = snapshot(template)
    for attempt, share in enumerate((0.75, 0.9)):
        directory = tmp_path / f"run-{attempt}"
        shutil.copytree(template, directory)
        process = start_driver(tmp_path, "save", directory)
        time.sleep(took * share)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)  # waits, and closes the pipes
        for name, content in snapshot(directory).items():
            assert content in (before[name], new[name]), (attempt, name)
        assert run_driver(tmp_path, "save", directory).returncode == 0
        assert temporaries(directory) == []
        assert snapshot(directory) == new
