"""The public pages promise only what the platform does (issue 8)."""
from __future__ import annotations

import pytest

#: Features of later issues: compliance inquiries, early warnings, counter-guarantee releases.
NOT_YET = {"zh": ("函询", "预警", "反担保", "解封", "冻结"),
           "en": ("inquir", "warning", "counter-guarantee", "unfreeze", "frozen")}


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("path", ["/", "/about"])
def test_the_start_pages_advertise_nothing_that_is_not_built(client, path, language):
    client.set_cookie("lang", language)
    html = client.get(path).get_data(as_text=True)
    main = html.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    if path == "/about":  # the court's published history may be told, not promised
        main = main.split("<p>", 1)[0]
    assert not [word for word in NOT_YET[language] if word in main.lower()]
