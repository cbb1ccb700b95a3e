"""Run axe-core (vendored from npm under tests/vendor/axe-core) on a page in the real browser."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def serious_violations(page) -> list[str]:
    """Return each serious or critical axe-core violation on the page, as 'rule: where'.

    The page's context must be made with `bypass_csp=True`: the engine is injected as a script
    that the app's Content-Security-Policy would rightly refuse.
    """
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']}: {', '.join(str(node['target']) for node in violation['nodes'])[:300]}"
        for violation in result["violations"]
        if violation["impact"] in SERIOUS
    ]
