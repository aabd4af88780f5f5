"""`config.validators`: the refused characters found by one regular expression are exactly Unicode's control
characters and surrogates (categories Cc and Cs) and the text-direction and invisible characters, for every code
point; the message names the first one."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from config import validators


def refused_by_category(char: str, allowed: frozenset[str]) -> bool:
    """The rule as Unicode states it, one character at a time (what the regular expression must agree with)."""
    if char in allowed:
        return False
    return char in validators._BIDI or char in validators._INVISIBLE or unicodedata.category(char) in ("Cc", "Cs")


@pytest.mark.parametrize(
    ("pattern", "allowed"),
    [(validators._NAME_REFUSED, frozenset()), (validators._TEXT_REFUSED, validators._TEXT_WHITESPACE)],
    ids=["names", "text"],
)
def test_every_code_point_is_refused_exactly_when_unicode_says_so(pattern, allowed):
    disagree = [
        hex(code)
        for code in range(0x110000)
        if bool(pattern.search(chr(code))) != refused_by_category(chr(code), allowed)
    ]
    assert disagree == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("rtl\u202egpj.exe\x00", "Remove a character that reverses the text's direction from the name."),
        ("zero\u200bwidth\u202e", "Remove an invisible character from the name."),
        ("line\nbreak", "Remove a control character from the name."),
        ("surrogate \ud800", "Remove a control character from the name."),
    ],
)
def test_a_name_is_refused_for_its_first_refused_character(value, message):
    with pytest.raises(ValidationError) as caught:
        validators.validate_name(value)
    assert caught.value.messages == [message]


@pytest.mark.parametrize("value", ["GPU-node 01", "München · Rack 7", "名前", "emoji 🚀", "tab-free"])
def test_names_people_write_pass(value):
    validators.validate_name(value)


def test_text_keeps_line_breaks_and_tabs_but_not_other_controls():
    validators.validate_text("first line\r\n\tsecond line")
    with pytest.raises(ValidationError, match="control character"):
        validators.validate_text("bell\x07")
