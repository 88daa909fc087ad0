"""Open status.yml's HTML page in a real headless Chromium through its
WebDriver and print, as JSON, what the page shows: per pair its heading,
each pool's bars per peer (each segment's drawn width over the bar's),
the flags and whether they are displayed. Saves a screenshot.

  python3 status_page.py PAGE.html OUT_DIR   (run by test_pool_status_live.py
  inside a network namespace of its own; chromedriver listens on its loopback)
"""

import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.common.by import By

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def measure(driver):
    out = {"title": driver.title, "pairs": {}}
    for section in driver.find_elements(By.CSS_SELECTOR, "section.pair"):
        pools = []
        for row in section.find_elements(By.CSS_SELECTOR, "tr.pool"):
            peers = {}
            for cell in row.find_elements(By.CSS_SELECTOR, "td.peer"):
                bars = cell.find_elements(By.CSS_SELECTOR, "div.bar")
                if not bars:
                    continue
                width = bars[0].size["width"]
                peers[cell.get_attribute("data-role")] = {
                    kind: round(bars[0].find_element(By.CSS_SELECTOR, "span." + kind).size["width"] / width, 3)
                    for kind in ("active", "abandoned", "own", "partner")}
            pools.append({"pool": row.get_attribute("data-pool"), "peers": peers})
        out["pairs"][section.get_attribute("data-pair")] = {
            "heading": section.find_element(By.TAG_NAME, "h2").text,
            "pools": pools,
            "flags": [{"kind": f.get_attribute("data-kind"), "text": f.text, "shown": f.is_displayed()}
                      for f in section.find_elements(By.CSS_SELECTOR, "li.flag")],
            "ok": any(p.is_displayed() for p in section.find_elements(By.CSS_SELECTOR, "p.ok")),
        }
    return out


def main(page, out_dir):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1600,1000",
                "--user-data-dir=%s" % os.path.join(out_dir, "chromium-profile")):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    try:
        driver.get("file://" + os.path.abspath(page))
        result = measure(driver)
        driver.save_screenshot(os.path.join(out_dir, "status.png"))
    finally:
        driver.quit()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
