"""What the browser tests share: a real ``pserve`` on a loopback port, driven by Debian's
Chromium through Selenium 4 and Debian's chromedriver.

Selenium rather than playwright: it speaks WebDriver to the chromedriver
Debian builds for the very same Chromium, so nothing is downloaded and no
browser build of its own is expected (playwright's driver pins the Chromium
revisions it supports).  axe-core runs in the page from the ``axe.min.js``
the Makefile fetches with ``tests/browser/axe_core.py`` into ``.venv/axe`` (never committed).

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

from podium.testing import free_port, running_pserve

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = ROOT / ".venv" / "axe" / "axe.min.js"
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
    """``admin-<name>.png``, compared with nothing: into docs/images (what docs/admin.md
    shows) with ``PODIUM_UPDATE_DOCS_IMAGES=1``, else into .venv/screenshots, so that
    a test run leaves the working tree as it was."""
    directory = IMAGES if os.environ.get("PODIUM_UPDATE_DOCS_IMAGES") == "1" else (
        ROOT / ".venv" / "screenshots")
    directory.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(directory / f"admin-{name}.png"))


def log_in(driver: Any, site: Site, login: str = "admin") -> None:
    """Through the login form, as a person would; waits for the next page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    driver.get(site.url("/login?next=/admin"))
    driver.find_element(By.ID, "podium-login-name").send_keys(login)
    driver.find_element(By.ID, "podium-login-password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#podium-login-form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "/login" not in d.current_url,
                                    f"the login of {login} failed")
