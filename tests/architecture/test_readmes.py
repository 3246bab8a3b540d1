"""What the READMEs show a newcomer works: the sandbox's callback URL is our webhook, and every screenshot in
docs/ is one the browser test writes and README shows."""

from __future__ import annotations

import re

from tests.architecture.graph import ROOT
from worker.settings import Settings
from worker.web.webhooks import WEBHOOK_PATH


def test_the_sandbox_readme_posts_notifications_to_our_webhook() -> None:
    text = (ROOT / "sandboxes" / "mercadolibre" / "README.md").read_text()

    urls = re.findall(r"--callback-url (http://[\w.]+:([0-9]+)(/\S*))", text)

    assert urls
    assert all(int(port) == Settings.model_fields["web_port"].default for _, port, _ in urls)
    assert all(path == WEBHOOK_PATH for _, _, path in urls)


def test_every_screenshot_in_docs_is_written_by_the_browser_test_and_shown_in_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    browser_test = (ROOT / "tests" / "connect" / "test_browser.py").read_text()
    pictures = sorted(path.name for path in (ROOT / "docs").glob("*.png"))

    shown = sorted(set(re.findall(r"\]\(docs/([\w.-]+\.png)\)", readme)))
    written = sorted(set(re.findall(r'screenshot\(page, "([\w.-]+\.png)"\)', browser_test)))

    assert pictures == shown == written == ["connect-link.png", "connect.png"]
