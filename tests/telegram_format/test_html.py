"""Telegram's HTML subset: which markup becomes which entities, and what is refused."""

from __future__ import annotations

import pytest

from nudgebot.telegram_format.html import HtmlParseError, parse_html


@pytest.mark.parametrize(
    ("tag", "entity_type"),
    [
        ("b", "bold"),
        ("strong", "bold"),
        ("i", "italic"),
        ("em", "italic"),
        ("u", "underline"),
        ("ins", "underline"),
        ("s", "strikethrough"),
        ("strike", "strikethrough"),
        ("del", "strikethrough"),
        ("tg-spoiler", "spoiler"),
        ("code", "code"),
        ("pre", "pre"),
        ("blockquote", "blockquote"),
    ],
)
def test_each_supported_tag_becomes_its_entity(tag: str, entity_type: str) -> None:
    """Each tag of Telegram's subset yields its entity over the enclosed text."""
    parsed = parse_html(f"say <{tag}>this</{tag}> now")

    assert parsed.text == "say this now"
    assert parsed.entities == [{"type": entity_type, "offset": 4, "length": 4}]


def test_attributes_carry_into_entities() -> None:
    """Links, custom emoji, spoiler spans, code languages and expandable quotes keep their data."""
    parsed = parse_html(
        '<a href="https://example.org/?a=1&amp;b=2">site</a> '
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> '
        '<span class="tg-spoiler">hidden</span> '
        '<pre><code class="language-python">x = 1</code></pre> '
        "<blockquote expandable>long</blockquote>"
    )

    assert parsed.text == "site 👍 hidden x = 1 long"
    assert parsed.entities == [
        {"type": "text_link", "offset": 0, "length": 4, "url": "https://example.org/?a=1&b=2"},
        {
            "type": "custom_emoji",
            "offset": 5,
            "length": 2,
            "custom_emoji_id": "5368324170671202286",
        },
        {"type": "spoiler", "offset": 8, "length": 6},
        {"type": "pre", "offset": 15, "length": 5, "language": "python"},
        {"type": "expandable_blockquote", "offset": 21, "length": 4},
    ]


def test_offsets_and_lengths_count_utf16_code_units() -> None:
    """Characters outside the BMP (most emoji) count as two units in offsets and lengths."""
    parsed = parse_html("🌱 <b>grow 🌱</b> <i>ok</i>")

    assert parsed.entities == [
        {"type": "bold", "offset": 3, "length": 7},
        {"type": "italic", "offset": 11, "length": 2},
    ]


def test_nested_entities_are_listed_outer_first() -> None:
    """Formatting may nest; entities come sorted by offset, the longer (outer) first."""
    parsed = parse_html("<b>bold <i>both</i></b>")

    assert parsed.entities == [
        {"type": "bold", "offset": 0, "length": 9},
        {"type": "italic", "offset": 5, "length": 4},
    ]


def test_named_and_numeric_entities_are_unescaped() -> None:
    """&lt; &gt; &amp; &quot; and numeric references become their characters."""
    parsed = parse_html("&lt;tag&gt; &amp; &quot;q&quot; &#65;&#x1F600; a > b")

    assert parsed.text == '<tag> & "q" A😀 a > b'
    assert parsed.entities == []


def test_tag_names_ignore_letter_case() -> None:
    """Tag names are matched case-insensitively."""
    assert parse_html("<B>x</B>").entities == [{"type": "bold", "offset": 0, "length": 1}]


def test_empty_entities_are_dropped() -> None:
    """A tag around nothing makes no entity."""
    assert parse_html("a<b></b>b").entities == []


@pytest.mark.parametrize(
    ("markup", "reason", "offset"),
    [
        ("<p>x</p>", 'Unsupported start tag "p"', 0),
        ("é <br/>", 'Unsupported start tag "br"', 3),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler"', 0),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"', 0),
        ("<b><i>x</b></i>", 'Expected end tag "</i>", found "</b>"', 7),
        ("x</b>", 'Unexpected end tag "</b>"', 1),
        ("a < b", 'Unescaped "<" (write &lt;)', 2),
        ("fish & chips", 'Unescaped "&" (write &amp;)', 5),
        ("&nbsp;", 'Unsupported HTML entity "&nbsp;"', 0),
        ("<b", "Unclosed start tag", 0),
        ("<b>x</b", "Unclosed end tag", 4),
        ("<code><b>x</b></code>", 'Tag "b" can\'t be used inside "code"', 6),
        ("<pre>x<i>y</i></pre>", 'Tag "i" can\'t be used inside "pre"', 6),
        ('<a href="https://a.org"><a href="https://b.org">x</a></a>', 'Tag "a" can\'t', 24),
        ("<blockquote><blockquote>x</blockquote></blockquote>", "Blockquotes can't", 12),
        ("<tg-emoji>🙂</tg-emoji>", 'Tag "tg-emoji" must have attribute "emoji-id"', 0),
    ],
)
def test_invalid_markup_is_refused_with_a_byte_offset(
    markup: str, reason: str, offset: int
) -> None:
    """Markup Telegram refuses raises an error naming the problem and its UTF-8 byte offset."""
    with pytest.raises(HtmlParseError) as raised:
        parse_html(markup)

    assert raised.value.reason.startswith(reason)
    assert raised.value.byte_offset == offset
    assert str(raised.value).endswith(f"at byte offset {offset}")


def test_bold_inside_a_link_is_allowed() -> None:
    """Formatting entities may sit inside links."""
    parsed = parse_html('<a href="https://a.org"><b>x</b></a>')

    assert [e["type"] for e in parsed.entities] == ["text_link", "bold"]
