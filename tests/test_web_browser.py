"""The web app end to end in a real headless Chromium (Debian's chromium and chromium-driver,
driven by Selenium), served by waitress on 127.0.0.1: sign in, filter, decide, download an
export; hostile posts run no script; axe-core finds no serious or critical violation.

One browser and one server for the module, to keep this quick. Skipped, saying why, where
chromedriver is not installed (`make test` installs it where apt-get is available).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from auditor.archive.export import verify_export
from auditor.records import Finding
from tests.conftest import CONFIG, FIXTURES, NOW, ROOT
from tests.fakes import HOSTILE, page, post
from tests.test_web import PASSWORD, Site, auditor, make_site

CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver")
                                                else None)
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
if CHROMEDRIVER is None or CHROMIUM is None:
    pytest.skip("no chromium and chromedriver here (apt-get install chromium chromium-driver): browser tests skipped",
                allow_module_level=True)
selenium = pytest.importorskip("selenium", reason="selenium is in the dev extra: pip install -e '.[dev]'")
axe_module = pytest.importorskip("axe_selenium_python", reason="axe-selenium-python is in the dev extra")

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as until  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

SHOTS = Path(os.environ.get("AUDITOR_SCREENSHOTS", "/tmp/auditor-web-screenshots"))
# A payload that would change the page's title if any of it ran.
TITLE_PAYLOAD = (HOSTILE + ' <img src=x onerror="document.title=\'pwned\'">'
                 ' <svg onload="document.title=\'pwned\'"></svg><script>document.title="pwned"</script>')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("web-browser")
    config = folder / "auditor.yaml"
    config.write_text(CONFIG.format(database=f"sqlite:///{folder / 'archive.db'}",
                                    policy=ROOT / "config" / "policy.yaml", replay=FIXTURES), encoding="utf-8")
    assert auditor(config, "run").exit_code == 0
    built = make_site(config)
    now = datetime.fromisoformat(NOW)
    payload = replace(post("9101", TITLE_PAYLOAD, at=now - timedelta(days=4)), url="javascript:document.title='pwned'")
    built.store.ingest("x", "JaneDoe", [page(payload)], now - timedelta(days=3), "replay")
    built.store.save_findings([Finding(
        rule="tone", severity="low", clause="F.1", platform="x", account="JaneDoe", subject="9101", post_id="9101",
        url=payload.url, posted_at=payload.created_at, evidence="<script>", reason="Planted: a hostile post",
        councillor="Jane Doe",
    )], now)
    return built


@pytest.fixture(scope="module")
def base_url(site: Site) -> Iterator[str]:
    import waitress.server

    server = waitress.server.create_server(site.app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory, downloads: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}", "--window-size=1280,900"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


def sign_in(browser: webdriver.Chrome, base_url: str, name: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{base_url}/login")
    browser.find_element(By.NAME, "username").send_keys(name)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    assert "/login" not in browser.current_url, browser.page_source[:2000]


def shot(browser: webdriver.Chrome, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"{name}.png"))


def test_a_reviewer_signs_in_filters_the_queue_and_dismisses_a_finding_with_a_note(
    browser: webdriver.Chrome, base_url: str, site: Site
) -> None:
    sign_in(browser, base_url, "reviewer")
    assert browser.current_url.endswith("/findings")
    Select(browser.find_element(By.ID, "f-severity")).select_by_value("high")
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    WebDriverWait(browser, 10).until(until.url_contains("severity=high"))
    links = browser.find_elements(By.CSS_SELECTOR, "article h3 a")
    assert len(links) == 1 and "decision" in links[0].text
    shot(browser, "queue-filtered")
    links[0].click()
    WebDriverWait(browser, 10).until(until.presence_of_element_located((By.ID, "history")))
    finding_id = browser.current_url.rsplit("/", 1)[-1]
    browser.find_element(By.CSS_SELECTOR, "input[name=decision][value=dismiss]").click()
    browser.find_element(By.CSS_SELECTOR, "form[action$='/decide'] button[type=submit]").click()
    error = WebDriverWait(browser, 10).until(until.presence_of_element_located((By.ID, "decide-error")))
    assert "only dismissed with a note" in error.text
    browser.find_element(By.ID, "note").send_keys("Announced in the public session")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/decide'] button[type=submit]").click()
    WebDriverWait(browser, 10).until(until.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "dismissed"))
    history = browser.find_element(By.XPATH, "//h2[@id='history']/following-sibling::ol").text
    assert "dismissed by reviewer" in history and "Announced in the public session" in history
    shot(browser, "finding-dismissed")
    assert "by reviewer: Announced in the public session" in auditor(site.config, "review", finding_id).output


def test_hostile_posts_run_no_script(browser: webdriver.Chrome, base_url: str, site: Site) -> None:
    sign_in(browser, base_url, "admin")
    hostile = next(f.id for f in site.store.findings() if f.post_id == "9101")
    for path in (f"/findings/{hostile}", "/posts/x/9101", "/findings", "/search?q=pwned"):
        browser.get(base_url + path)
        time.sleep(0.2)  # let any onerror/onload handler have its chance
        assert "pwned" not in browser.title, path
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018
        assert not browser.find_elements(By.CSS_SELECTOR, "main a[href^='javascript:']"), path
    browser.get(f"{base_url}/findings/{hostile}")
    assert "<script>" in browser.find_element(By.CSS_SELECTOR, "mark").text, "shown as text"
    shot(browser, "finding-hostile")


def test_a_clerk_downloads_an_export_that_verifies(
    browser: webdriver.Chrome, base_url: str, site: Site, downloads: Path, tmp_path: Path
) -> None:
    sign_in(browser, base_url, "clerk")
    browser.get(f"{base_url}/exports")
    browser.execute_script(
        "document.getElementById('e-from').value='2026-11-01'; document.getElementById('e-to').value='2026-11-30';")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    assert browser.find_element(By.ID, "verified").text.startswith("Verified")
    shot(browser, "export-ready")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Download").click()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not [p for p in downloads.glob("*.zip")]:
        time.sleep(0.2)
    (zipped,) = downloads.glob("*.zip")
    zipfile.ZipFile(zipped).extractall(tmp_path)
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    problems, summary = verify_export(folder)
    assert problems == [], summary


PAGES = ("login", "queue", "finding", "search")


def test_axe_core_finds_no_serious_or_critical_violation_at_desktop_and_phone_widths(
    browser: webdriver.Chrome, base_url: str, site: Site
) -> None:
    from axe_selenium_python import Axe

    finding = next(f.id for f in site.store.findings() if f.rule == "decision-before-release")
    urls = {"queue": "/findings", "finding": f"/findings/{finding}", "search": "/search?q=ring+road"}
    found: dict[str, list[str]] = {}
    results: dict[str, dict[str, int]] = {}
    try:
        for width in (1280, 390):
            browser.set_window_size(width, 900)
            for name in PAGES:
                if name == "login":
                    browser.delete_all_cookies()
                    browser.get(f"{base_url}/login")
                else:
                    if "/login" in browser.current_url:
                        sign_in(browser, base_url, "admin")
                    browser.get(base_url + urls[name])
                axe = Axe(browser)
                axe.inject()
                outcome = axe.run()
                violations = outcome["violations"]
                results[f"{name}@{width}"] = {v["id"]: len(v["nodes"]) for v in violations}
                bad = [f"{v['id']} ({v['impact']}): {v['help']}" for v in violations
                       if v["impact"] in ("serious", "critical")]
                if bad:
                    found[f"{name} at {width}px"] = bad
                shot(browser, f"{name}-{width}")
    finally:
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "axe-results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    assert found == {}, found
