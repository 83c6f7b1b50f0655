"""Cases found by reviewing real-looking pages: each once cut article text or kept junk."""

from __future__ import annotations

from cleaning.clean import clean_text

BODY = (
    "The Bank of England raised its main interest rate by a quarter point on Thursday, to 5.25%, "
    "its highest level in 15 years, as it tries to bring down stubbornly high inflation.\n\n"
    "Governor Andrew Bailey said the decision was finely balanced and that policymakers would keep "
    "rates high for as long as needed, adding that food prices were starting to ease.\n\n"
    "Sterling slipped against the dollar after the announcement. Gilt yields edged lower across maturities.\n"
)


def test_a_long_copyright_notice_is_chrome_and_the_last_paragraph_stays() -> None:
    notice = ("© 2024 Metro Times. All rights reserved. This material may not be published, broadcast, "
              "rewritten or redistributed.")
    res = clean_text(BODY + notice)
    assert "Sterling slipped against the dollar" in res.text
    assert "All rights reserved" not in res.text
    assert [r.rule for r in res.removed if "Metro Times" in r.text] == ["nav"]


def test_a_parenthesised_wire_credit_is_removed() -> None:
    res = clean_text(BODY + "(Reporting by Priya Raman; Editing by Tom Becker)\n")
    assert "Reporting by Priya Raman" not in res.text
    assert "Sterling slipped against the dollar" in res.text


def test_a_parenthesised_sentence_is_not_a_credit() -> None:
    text = BODY + "(Reporting by phone from the terminal, the union said talks would resume on Monday.)\n"
    assert "Reporting by phone from the terminal" in clean_text(text).text
