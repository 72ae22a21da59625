"""Fixtures of the browser tests (the rest is in :mod:`browser_kit`): the site
served by pserve, a headless Chromium, and axe-core's source."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from browser_kit import AXE, CHROMEDRIVER, CHROMIUM, INSTALL, ROOT, Site, clean_env, serve


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
        pytest.fail(f"axe-core is missing ({AXE}): run `make browser-deps` "
                    "(tests/browser/axe_core.py fetches it into .venv/axe)", pytrace=False)
    return AXE.read_text(encoding="utf-8")


