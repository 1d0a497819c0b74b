"""The book as a reader's browser sees it: Debian's Chromium driven by Playwright."""

from __future__ import annotations


def test_chart_page_draws_its_chart_offline(visit):
    v = visit("notebooks/participation.html")
    v.page.wait_for_selector(".rtes-chart .plotly-graph-div .main-svg", timeout=10_000)
    bars = v.page.locator(".rtes-chart .plotly-graph-div g.point").count()
    assert bars >= 3, f"only {bars} bars drawn"
    assert v.foreign_requests == [], v.foreign_requests
    assert v.console_errors == [], v.console_errors


def test_plotly_is_served_once_not_inlined(html_pages):
    for page in html_pages:
        text = page.read_text(encoding="utf-8")
        assert len(text) < 1_000_000, f"{page} is {len(text)} bytes: plotly.js inlined?"
        if "plotly-graph-div" in text:
            assert "_static/vendor/plotly.min.js" in text, page
