"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

``page`` is a fresh browser context (no cookie) on the live server, with the demo seeded (small);
``login(page, username, password)`` logs in through the form; ``shoot(page, name)`` writes
``screenshots/<name>.png``; ``check_accessibility(page)`` checks the basics every page must meet,
then runs axe-core (WCAG 2.1 A and AA rules; ``bin/ensure-axe`` installs it from the npm registry) and
wants zero violation; ``check_no_sideways_scroll(page)`` checks that nothing is wider than the window.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls there otherwise.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
AXE = Path(django_settings.BASE_DIR).parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
STATIC_DIR = Path(django_settings.BASE_DIR) / "static"


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium est absent : lancez bin/ensure-chromium (paquet Debian chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def static_files():
    """The pages are tested with their stylesheet and htmx (settings.STATICFILES_DIRS)."""
    assert finders.find("veille/veille.css")


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    """The demo seeded small: two communes, one account per role, 50 children imported in the first
    (not crossed: the walk-through crosses through the pages)."""
    from veille.web.demo.seed import BASE_STEPS, import_files, seed_demo

    settings.DATA_DIR = tmp_path
    return seed_demo(children=50, force=True, say=lambda line: None, steps=[*BASE_STEPS, import_files])


@pytest.fixture
def page(browser, live_server, static_files, demo):
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    # The machine is shared: a first page under load may take more than ten seconds.
    context.set_default_timeout(30_000)
    tab = context.new_page()
    yield tab
    context.close()


def shoot(page, name: str) -> Path:
    """A full-page screenshot in ``screenshots/`` (not committed), for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_terminal_summary(terminalreporter):  # type: ignore[no-untyped-def]
    if SCREENSHOTS.exists() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"Captures d'écran des tests du navigateur : {SCREENSHOTS}")


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page (WCAG 2.1 A and AA); its violations, each with the nodes at fault."""
    if not AXE.exists():
        pytest.fail("axe-core est absent : lancez bin/ensure-axe (paquet npm axe-core).")
    # Evaluated through the DevTools protocol: the page's CSP (no inline script) does not apply.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def check_axe(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core, {page.url} : " + "; ".join(
        f"{v['id']} ({v['impact']}) {v['help']} : {v['nodes']}" for v in violations
    )


def check_no_sideways_scroll(page) -> None:
    """Nothing wider than the window: the page never scrolls sideways (wide tables scroll in their box)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    window = page.evaluate("() => window.innerWidth")
    if width > window:
        culprits = page.evaluate(
            """w => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.defilement'))
                .slice(0, 5).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)""",
            window,
        )
        pytest.fail(f"{page.url} défile sur le côté : {width} px pour {window} px ({culprits})")


def check_accessibility(page) -> None:
    """The basics of RGAA on the page shown: French, one heading 1, a skip link, labelled inputs."""
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("h1").count() == 1 and page.locator("h1").inner_text().strip()
    skip = page.locator("a.skip")
    assert skip.count() == 1 and skip.get_attribute("href") == "#contenu"
    assert page.locator("#contenu").count() == 1
    fields = page.locator("input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea")
    for index in range(fields.count()):
        field = fields.nth(index)
        if not field.is_visible():
            continue
        field_id = field.get_attribute("id")
        assert field_id, f"champ sans id : {field.evaluate('e => e.outerHTML')}"
        label = field.evaluate(
            "e => e.getAttribute('aria-label') || [...(e.labels || [])].map(l => l.innerText).join(' ')"
        ).strip()
        assert label, f"champ sans étiquette : {field_id}"
        # The test that matters: a screen reader user (and Playwright) finds the field by its label.
        found = page.get_by_label(label, exact=True)
        assert field_id in [found.nth(i).get_attribute("id") for i in range(found.count())], label
    # Every id a field is described by is in the page (help texts and errors printed with their id).
    dangling = page.evaluate(
        """() => [...document.querySelectorAll('[aria-describedby]')].flatMap(e =>
            e.getAttribute('aria-describedby').split(/\\s+/).filter(id => id && !document.getElementById(id))
              .map(id => (e.id || e.name) + ' → ' + id))"""
    )
    assert not dangling, f"aria-describedby vers des ids absents : {dangling}"
    check_axe(page)


def login(page, username: str, password: str, *, accept_charter: bool = False) -> None:
    """Log in through the form; optionally accept the charter on the way (demo accounts' first login)."""
    page.goto("/compte/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if accept_charter:
        page.get_by_label("J'ai lu la charte et je m'engage à la respecter.").check()
        page.get_by_role("button", name="Accepter et continuer").click()
        page.wait_for_load_state()
    assert "/compte/connexion/" not in page.url, "connexion refusée"


@dataclass(frozen=True)
class RenderedPage:
    path: Path
    width: int
    height: int
    #: variance of the grey levels (0 to 255): near 0 for a blank page
    variance: float
    #: share of the pixel rows with something drawn on them (a page with only a header is near 0.1)
    filled_rows: float


def render_pdf_page(pdf: bytes, path: Path, *, page_number: int = 0, scale: float = 1.5) -> RenderedPage:
    """Render one page of a PDF to a PNG (PDFium, as a browser's viewer would) for a person to look at,
    and measure how much is drawn on it."""
    import pypdfium2 as pdfium
    from PIL import ImageStat

    document = pdfium.PdfDocument(pdf)
    try:
        image = document[page_number].render(scale=scale).to_pil()
    finally:
        document.close()
    path.parent.mkdir(exist_ok=True)
    image.save(path)
    grey = image.convert("L")
    variance = ImageStat.Stat(grey).var[0]
    # A row counts as drawn when one of its pixels is clearly darker than the paper.
    ink = grey.point(lambda level: 255 if level < 200 else 0)
    drawn = sum(1 for y in range(ink.height) if ink.crop((0, y, ink.width, y + 1)).getbbox())
    return RenderedPage(
        path=path, width=image.width, height=image.height, variance=variance, filled_rows=drawn / ink.height
    )
