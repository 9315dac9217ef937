"""The Compare and Digest tabs: API round trips and a real browser, on the sample corpus."""

import pytest

from test_ui import SCREENSHOTS, browser_page, client, live  # noqa: F401 (fixtures)

pytestmark = pytest.mark.slow
# Every "Step n of 3" status the Compare result shows, in order, however briefly it shows.
RECORD_STAGES = """
window.stagesSeen = [];
new MutationObserver(() => {
  const shown = document.querySelector('#compare-result')?.innerText.match(/Step \\d of 3: [^\\n…]*…/);
  if (shown && !window.stagesSeen.includes(shown[0])) { window.stagesSeen.push(shown[0]); }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def test_compare_endpoint_cites_both_papers(client):  # noqa: F811
    result = client.predict("", ["TinyCLIP", "TinyViT"], api_name="/compare")
    assert [p["title"].split(":")[0] for p in result["papers"]] == ["TinyCLIP", "TinyViT"]
    assert {c["title"].split(":")[0] for c in result["citations"]} == {"TinyCLIP", "TinyViT"}
    assert result["missing"] == [] and len(result["table"]["rows"]) == 4


def test_compare_endpoint_reports_a_missing_paper(client):  # noqa: F811
    result = client.predict("", ["TinyCLIP", "FooNet"], api_name="/compare")
    assert result["missing"] == ["FooNet"] and result["abstained"]
    assert result["answer"] == "FooNet is not in the corpus."


def test_digest_endpoint_on_a_topic(client):  # noqa: F811
    result = client.predict("", "", "", True, "remote sensing", api_name="/digest")
    assert result["markdown"].startswith("# Digest: all dates")
    assert len(result["topics"]) == 1 and result["topics"][0]["citations"]
    titles = {p["title"] for p in result["topics"][0]["papers"]}
    assert {c["title"] for c in result["topics"][0]["citations"]} <= titles


@pytest.mark.browser
def test_browser_compare_and_digest_tabs(live):  # noqa: F811
    with browser_page(live[0], height=1100) as page:
        page.evaluate(RECORD_STAGES)
        page.get_by_role("tab", name="Compare").click()
        papers = page.locator("#compare-papers input")
        for typed, title in (("TinyCL", "TinyCLIP: CLIP Distillation"), ("LoRA+", "LoRA+: Efficient")):
            papers.click()
            papers.type(typed)  # the list of corpus titles narrows as one types
            page.get_by_text(title).first.click()
        papers.press("Escape")  # close the list of titles
        page.click("#compare-run")
        page.wait_for_function("() => document.querySelector('#compare-result table th:nth-child(3)')"
                               " && /LoRA\\+/.test(document.querySelector('#compare-result').innerText)",
                               timeout=180_000)
        header = page.locator("#compare-result table th").all_inner_texts()
        assert header[1:] == ["TinyCLIP", "LoRA+"], header
        assert page.evaluate("window.stagesSeen") == [  # each shown while the core was in it
            "Step 1 of 3: resolving the papers…", "Step 2 of 3: building the table…",
            "Step 3 of 3: writing the paragraph…"]
        page.fill("#compare-question textarea",
                  "How do TinyCLIP and TinyViT use knowledge distillation differently?")
        page.locator("#compare-papers [title='Clear']").click()
        page.click("#compare-run")
        page.wait_for_function("() => /TinyViT/.test(document.querySelector('#compare-result th:nth-child(3)')"
                               "?.innerText || '')", timeout=180_000)
        page.wait_for_selector("#compare-result details summary")
        page.screenshot(path=str(SCREENSHOTS / "compare.png"), full_page=True)
        page.get_by_role("tab", name="Digest").click()
        page.check("#digest-all input")
        page.fill("#digest-topic textarea", "remote sensing")
        page.click("#digest-run")
        page.wait_for_selector("#digest-result h1", timeout=300_000)
        assert "Digest: all dates" in page.inner_text("#digest-result h1")
        page.wait_for_selector("#digest-download a")
        page.screenshot(path=str(SCREENSHOTS / "digest.png"), full_page=True)
