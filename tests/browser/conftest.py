"""Browser tests: a real ``pserve`` on a loopback port, driven by Debian's
Chromium through Selenium 4 and Debian's chromedriver.

Selenium rather than playwright: it speaks WebDriver to the chromedriver
Debian builds for the very same Chromium, so nothing is downloaded and no
browser build of its own is expected (playwright's driver pins the Chromium
revisions it supports).  axe-core runs in the page from the ``axe.min.js``
the Makefile fetches with ``npm pack`` into ``.venv/axe`` (never committed).

Missing browser, driver or axe-core is a failure naming the command that
installs it, never a skip: a skipped browser suite would pass in silence.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from podium.testing import free_port, running_pserve

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = ROOT / ".venv" / "axe" / "package" / "axe.min.js"
IMAGES = ROOT / "docs" / "images"
PASSWORD = "violet staple harbour 7"
INSTALL = "apt-get install -y chromium chromium-driver"


@dataclass
class Site:
    base: str
    ini: Path

    def url(self, path: str) -> str:
        return self.base + path


def podium(*args: str, env: dict[str, str], stdin: str | None = None) -> None:
    command = [str(Path(sys.executable).with_name("podium")), *args]
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, f"{' '.join(command)}: {done.stderr}"


def write_site(directory: Path, plugins: str, port: int) -> Path:
    ini = directory / "site.ini"
    ini.write_text(textwrap.dedent(f"""\
        [app:main]
        use = egg:podium
        sqlalchemy.url = sqlite:///{directory / 'podium.sqlite'}
        podium.secret = {'s3cr3t-' * 6}
        podium.plugins = {plugins}
        podium.passwords.argon2_time_cost = 1
        podium.passwords.argon2_memory_cost = 1024
        podium.passwords.argon2_parallelism = 1

        [server:main]
        use = egg:waitress#main
        host = 127.0.0.1
        port = {port}

        [alembic]
        script_location = {ROOT / 'alembic'}
        """))
    return ini


def serve(directory: Path, plugins: str, env: dict[str, str]) -> Iterator[Site]:
    """A fresh migrated SQLite site with an administrator (``admin``, made by
    ``podium users add --role admin``) and a user ``ed``, served by pserve."""
    port = free_port()
    ini = write_site(directory, plugins, port)
    podium("db", "upgrade", str(ini), env=env)
    podium("users", "add", str(ini), "admin", "--name", "Ada Admin", "--password-stdin",
           env=env, stdin=PASSWORD + "\n")
    podium("users", "grant", str(ini), "admin", "admin", env=env)
    podium("users", "add", str(ini), "ed", "--name", "Ed Itor", "--password-stdin", env=env,
           stdin=PASSWORD + "\n")
    with running_pserve(ini, port, env=env, ready_path="/health",
                        log_path=directory / "pserve.log") as base:
        yield Site(base, ini)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PODIUM_")}
    return {**env, **extra}


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from serve(tmp_path_factory.mktemp("browser-site"), "notes", clean_env())


@pytest.fixture(scope="session")
def crowded_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A site running 100 generated plugins of 10 routes each (bench.scaling's)."""
    if str(ROOT) not in sys.path:  # bench/ is the repository's, not an installed package
        sys.path.insert(0, str(ROOT))
    from bench.scaling import generate

    directory = tmp_path_factory.mktemp("crowded-site")
    packages = directory / "packages"
    names = [plugin.name for plugin in generate(packages, 100)]
    env = clean_env(PYTHONPATH=os.pathsep.join(filter(None, [str(packages),
                                                             os.environ.get("PYTHONPATH")])))
    yield from serve(directory, " ".join(["notes", *names]), env)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"the browser tests need {', '.join(missing)}: run `{INSTALL}` "
                    "(make test does it where they are missing)", pytrace=False)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("the browser tests need selenium: pip install -e '.[test]'", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1280,900", "--lang=en-US"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing ({AXE}): run `make browser-deps` (npm pack "
                    "axe-core@4 into .venv/axe)", pytrace=False)
    return AXE.read_text(encoding="utf-8")


_RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ["violations"]}).then(
  result => done(result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))),
  error => done([{id: "axe-error", impact: "critical", help: String(error), nodes: []}]));
"""


def serious_violations(driver: Any, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page shown."""
    driver.execute_script(axe_source)
    driver.set_script_timeout(30)
    found = driver.execute_async_script(_RUN_AXE)
    return [v for v in found if v["impact"] in ("serious", "critical")]


def screenshot(driver: Any, name: str) -> None:
    """``docs/images/admin-<name>.png``: rewritten by each run, compared with nothing."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(IMAGES / f"admin-{name}.png"))
