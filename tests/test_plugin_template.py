"""Installing the plugin template into a fresh environment makes its hooks run.

A new virtual environment gets ki-network and the template installed by pip from this
checkout, the way a municipality would install its plugin; nothing of ki-network is
changed or configured.  Only the third-party dependencies (icalendar, networkx ...) are
lent from the project's environment, through a ``.pth`` file pointing at a folder of links,
so the test needs no network and runs in seconds.  Our own packages (ki-network, the
Oberberg plugin) are left out of that folder, so the new environment sees just what pip put
into it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "examples" / "plugin-template"
OURS = ("ki_network", "_ki_network", "_editable_impl_ki_network", "__editable__")


def lend_dependencies(target: Path) -> Path:
    """A folder of links to everything in our site-packages except our own packages."""
    site_packages = Path(sysconfig.get_paths()["purelib"])
    target.mkdir()
    for entry in site_packages.iterdir():
        if entry.name.startswith(OURS) or entry.suffix == ".pth":
            continue
        (target / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    return target


def fresh_environment(tmp_path: Path) -> Path:
    env_dir = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    own_site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    lent = lend_dependencies(tmp_path / "lent")
    Path(own_site, "lent_dependencies.pth").write_text(f"{lent}\n", encoding="utf-8")
    return env_dir


def run(*args: object, env_dir: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_",
                                                                      "KI_NETWORK_"))}
    environ.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1")
    environ["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{environ.get('PATH', '')}"
    return subprocess.run([str(a) for a in args], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="uses bin/ and symlinks")
def test_installing_the_template_makes_its_hooks_run(tmp_path: Path) -> None:
    env_dir = fresh_environment(tmp_path)
    bin_dir = env_dir / "bin"

    before = run(bin_dir / "python", "-c", "import ki_network", env_dir=env_dir, cwd=tmp_path)
    assert before.returncode != 0, "the fresh environment must not see ki-network yet"

    # Without build isolation pip uses hatchling from the lent folder instead of PyPI.
    install = run(bin_dir / "python", "-m", "pip", "install", "--no-build-isolation", "--quiet",
                  ROOT, TEMPLATE, env_dir=env_dir, cwd=tmp_path)
    assert install.returncode == 0, install.stderr

    listed = run(bin_dir / "ki-network", "plugins", "--format", "json",
                 env_dir=env_dir, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    plugins = {p["name"]: p for p in json.loads(listed.stdout)["plugins"]}
    assert plugins["musterstadt"]["version"] == "0.1.0"
    assert plugins["musterstadt"]["hooks"] == ["ki_network_closed_days",
                                               "ki_network_label_aliases", "ki_network_rules"]
    assert "oberberg" not in plugins  # only what pip installed here

    data = tmp_path / "net"
    data.mkdir()
    for name, content in {
        "network.yaml": {"name": "Musterstadt"},
        "actors.yaml": [{"id": "treff", "name": "Nachbarschaftstreff", "kind": "volunteer_group",
                         "municipalities": ["05374012"]}],
        "offers.yaml": [{"id": "cafe", "title": "Café am Markt", "provider": "treff",
                         "topic": "Nachbarschaftscafé", "municipality": "05374012"}],
        "events.yaml": [{"id": "konzert", "title": "Konzert", "organisers": ["treff"],
                         "municipality": "05374012", "start": "2026-09-05T19:00",
                         "end": "2026-09-05T21:00"}],
    }.items():
        (data / name).write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    validated = run(bin_dir / "ki-network", "validate", data, env_dir=env_dir, cwd=tmp_path)
    assert validated.returncode == 0, validated.stderr  # the local label is a known topic
    checked = run(bin_dir / "ki-network", "check", data, "--lang", "de", "--rule",
                  "musterstadt-festival", "--today", "2026-09-01", env_dir=env_dir, cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr  # the plugin's catalogue was installed too
    assert "Veranstaltungen am Tag des Stadtfests (musterstadt-festival): 1" in checked.stdout
    assert "„Konzert“ findet am Tag des Stadtfests statt (2026-09-05)" in checked.stdout

    script = ("import sys, ki_network\n"
              "net = ki_network.load(sys.argv[1])\n"
              "print(net.offers['cafe'].topic)\n"
              "hooks = ki_network.Hooks(ki_network.make_plugin_manager())\n"
              "print([(str(d.first), d.name) for d in hooks.closed_days('oberberg', 2026)])\n")
    shown = run(bin_dir / "python", "-c", script, data, env_dir=env_dir, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == [
        "cohesion.encounter", "[('2026-09-05', 'Stadtfest Musterstadt')]"]
