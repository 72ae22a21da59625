"""The admin console in Chromium: log in, open every console page (each
passing axe-core with no serious or critical violation), give a user a role
and find it in the audit log, log out."""

from __future__ import annotations

from browser_kit import log_in, screenshot, serious_violations
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.wait import WebDriverWait

PAGES = [
    ("/admin", "overview"),
    ("/admin/plugins/notes", "plugin"),
    ("/admin/plugins/bench", None),
    ("/admin/users", "users"),
    ("/admin/users/ed", "user"),
    ("/admin/users/new", None),
    ("/admin/roles", "roles"),
    ("/admin/audit", None),
    ("/admin/health", None),
    ("/notes/moderation", "moderation"),
]


def submit(driver, selector: str) -> None:
    """Click a form's button and wait for the next page (the old one goes stale)."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, 10).until(staleness_of(old))


def test_the_console_end_to_end(browser, site, axe_source):
    log_in(browser, site)
    assert browser.current_url == site.url("/admin")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Administration"
    problems = {}
    for path, shot in PAGES:
        browser.get(site.url(path))
        assert "Podium admin" in browser.title, (path, browser.title)
        found = serious_violations(browser, axe_source)
        if found:
            problems[path] = found
        if shot:
            screenshot(browser, shot)
    assert problems == {}

    # Give ed a role, without JavaScript's help: a plain form POST with its CSRF token.
    browser.get(site.url("/admin/users/ed"))
    browser.find_element(By.ID, "podium-admin-role").send_keys("editor")
    submit(browser, "#podium-admin-user-grant button")
    assert browser.current_url == site.url("/admin/users/ed")
    assert "ed now has the role editor" in browser.find_element(
        By.CSS_SELECTOR, ".podium-admin-flash").text
    assert "editor" in browser.find_element(By.ID, "podium-admin-user-roles").text

    browser.get(site.url("/admin/audit"))
    first = browser.find_elements(By.CSS_SELECTOR, "#podium-admin-audit tbody tr")[0]
    cells = [td.text for td in first.find_elements(By.TAG_NAME, "td")]
    assert cells[1:5] == ["admin", "user.grant", "ed", "role=editor, role_created=True"]
    assert cells[5].startswith("127.0.0.1") and "Chrome" in cells[5]
    screenshot(browser, "audit")

    submit(browser, "#podium-account-logout button")
    browser.get(site.url("/admin"))
    assert "/login" in browser.current_url


def test_a_user_without_the_permission_gets_403(browser, site):
    browser.delete_all_cookies()
    log_in(browser, site, "ed")
    browser.get(site.url("/admin/plugins/notes"))
    assert "403" in browser.find_element(By.TAG_NAME, "h1").text
    browser.delete_all_cookies()
