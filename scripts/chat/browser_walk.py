#!/usr/bin/env python3
"""The admin's walk through Open WebUI's chat in a real (headless) browser.

Signs in, opens a chat with MODEL, turns the MCP tool server TOOL on in the
chat's Integrations menu, sends MESSAGE, waits for the confirmation dialog
that the server's elicitation opens, checks it shows EXPECT (the preview),
approves it, and waits for the assistant's answer ANSWER. Screenshots of
each step go to SHOTS/chat-*.png. The scripted LLM behind MODEL decides what
happens, so the walk is deterministic.

Environment: OWUI_URL, OWUI_EMAIL, OWUI_PASSWORD, MODEL, TOOL, MESSAGE, EXPECT,
ANSWER, SHOTS; CHROMIUM (default /usr/bin/chromium), CHROMEDRIVER (default
/usr/bin/chromedriver). The distribution's driver is used: Selenium Manager
never runs (SE_OFFLINE), nothing is downloaded. Exit 0 when every step held;
otherwise a message naming the step, and a chat-failed.png screenshot.
"""
import os
import sys
import time

os.environ["SE_OFFLINE"] = "true"

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

E = os.environ
SHOTS = E["SHOTS"]
STEP = "start"


def log(msg):
    print("browser: " + msg, file=sys.stderr, flush=True)


def step(name):
    global STEP
    STEP = name
    log("step: " + name)


def xpath_text(s):
    """An XPath string literal for s (which may hold quotes)."""
    if "'" not in s:
        return "'%s'" % s
    return "concat('" + s.replace("'", "', \"'\", '") + "')"


def main():
    opts = webdriver.ChromeOptions()
    opts.binary_location = E.get("CHROMIUM", "/usr/bin/chromium")
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--window-size=1280,860", "--force-device-scale-factor=1", "--lang=en-US",
              "--no-first-run", "--no-default-browser-check", "--disable-extensions",
              "--proxy-server=direct://", "--proxy-bypass-list=*"):
        opts.add_argument(a)
    d = webdriver.Chrome(service=Service(E.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=opts)
    try:
        walk(d)
    except Exception as e:  # one message naming the step, and what the page showed
        try:
            d.save_screenshot(os.path.join(SHOTS, "chat-failed.png"))
        except Exception:
            pass
        log("FAILED at step %r: %s: %s" % (STEP, type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
        sys.exit(1)
    finally:
        d.quit()


def walk(d):
    url = E["OWUI_URL"].rstrip("/")
    wait = WebDriverWait(d, 120)

    def click(xp, timeout=60):
        el = WebDriverWait(d, timeout).until(EC.element_to_be_clickable((By.XPATH, xp)))
        el.click()
        return el

    def shot(name):
        path = os.path.join(SHOTS, name)
        d.save_screenshot(path)
        log("screenshot " + path)

    step("sign in")
    d.get(url + "/auth")
    email = wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input[type=email], input[name=email]")))
    email.send_keys(E["OWUI_EMAIL"])
    d.find_element(By.CSS_SELECTOR, "input[type=password]").send_keys(E["OWUI_PASSWORD"] + Keys.ENTER)
    wait.until(EC.presence_of_element_located((By.ID, "chat-input")))

    step("open a chat with " + E["MODEL"])
    d.get(url + "/?model=" + E["MODEL"])
    wait.until(EC.presence_of_element_located((By.ID, "chat-input")))
    time.sleep(1)
    # First sign-in shows the release notes.
    for b in d.find_elements(By.XPATH, "//button[contains(., \"Okay, Let's Go!\")]"):
        if b.is_displayed():
            b.click()
    WebDriverWait(d, 30).until(EC.invisibility_of_element_located((By.XPATH, "//button[contains(., \"Okay, Let's Go!\")]")))

    step("enable the tool server " + E["TOOL"])
    click("//*[@id='integration-menu-button']")
    click("//*[@role='menuitem'][contains(., 'Tools')]")
    tool = click("//*[@role='menu']//*[contains(normalize-space(.), %s)][@role='menuitemcheckbox' or self::button or self::label][last()]"
                 % xpath_text(E["TOOL"]))
    time.sleep(1)
    shot("chat-1-tools.png")
    d.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    time.sleep(0.5)

    step("send the message")
    box = wait.until(EC.element_to_be_clickable((By.ID, "chat-input")))
    box.click()
    box.send_keys(E["MESSAGE"])
    time.sleep(0.5)
    box.send_keys(Keys.ENTER)

    step("the confirmation dialog shows the preview")
    try:
        WebDriverWait(d, 180).until(EC.visibility_of_element_located(
            (By.XPATH, "//*[@role='dialog' or contains(@class,'modal')][contains(., %s)]" % xpath_text(E["EXPECT"]))))
    except TimeoutException:
        with open(os.path.join(SHOTS, "chat-failed.html"), "w") as f:
            f.write(d.page_source)
        raise
    time.sleep(1)
    shot("chat-2-confirm.png")

    step("approve")
    dialog = d.find_element(By.XPATH, "//*[@role='dialog' or contains(@class,'modal')][contains(., %s)]" % xpath_text(E["EXPECT"]))
    # Open WebUI renders the server's boolean "confirm" field as a Yes/No select.
    selects = dialog.find_elements(By.TAG_NAME, "select")
    if len(selects) != 1:
        raise AssertionError("the dialog has %d select fields, want 1 (Proceed? Yes/No)" % len(selects))
    Select(selects[0]).select_by_value("true")
    time.sleep(0.5)
    shot("chat-3-approve.png")
    dialog.find_element(By.XPATH, ".//button[normalize-space(.)='Submit']").click()

    step("the answer arrives")
    WebDriverWait(d, 180).until(EC.visibility_of_element_located(
        (By.XPATH, "//*[@id='chat-container' or @id='messages-container' or self::main]//*[contains(., %s)]" % xpath_text(E["ANSWER"]))))
    time.sleep(1.5)
    shot("chat-4-done.png")
    log("ok")


if __name__ == "__main__":
    main()
