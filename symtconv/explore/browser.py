"""Headless Chromium for the explorer: open a page, click, take a screenshot.

Selenium (``pip install 'symtconv[browser]'``) drives Chromium and its driver
(``apt-get install chromium chromium-driver``).  The browser starts with a fresh profile
and with everything that reaches for the network turned off; the page needs none.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import MissingDependencyError

__all__ = ["chromium", "screenshot", "CHROMIUM_FLAGS"]

#: Headless, and nothing that tries to reach a host (the explorer needs no network).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def _binaries() -> tuple[str, str]:
    browser = next(
        (found for name in ("chromium", "chromium-browser", "google-chrome")
         if (found := shutil.which(name))),
        None,
    )
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        raise MissingDependencyError(
            "the explorer's browser needs Chromium and its driver on PATH: "
            "apt-get install chromium chromium-driver"
        )
    return browser, driver


@contextmanager
def chromium(width: int = 1400, height: int = 1000) -> Iterator[Any]:
    """A headless Chromium WebDriver with the browser console log kept; quits on exit."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        raise MissingDependencyError(
            "driving a browser needs selenium: pip install 'symtconv[browser]'"
        ) from None
    browser, driver_path = _binaries()
    profile = tempfile.mkdtemp(prefix="symtconv-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                 f"--window-size={width},{height}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def screenshot(page: str | Path, png: str | Path, *, select: str | None = None,
               width: int = 1400, height: int = 1000) -> Path:
    """Open ``page`` in headless Chromium, click the output ``select`` (``"j1,j2"``), save a PNG.

    The whole page is captured (the window grows to the page's height).
    """
    from selenium.webdriver.common.by import By

    png = Path(png)
    with chromium(width, height) as driver:
        driver.get(Path(page).resolve().as_uri())
        if select is not None:
            driver.find_element(By.CSS_SELECTOR, f'#outputs [data-x="{select}"]').click()
        driver.execute_script("window.scrollTo(0, 0)")
        full = driver.execute_script("return document.documentElement.scrollHeight")
        # a viewport as tall as the page, so the screenshot holds all of it
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": max(height, int(full)), "deviceScaleFactor": 1,
            "mobile": False,
        })
        driver.save_screenshot(str(png))
    return png
