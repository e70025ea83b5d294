"""An exact shortcut through Python-Markdown for the plain Markdown the templates make.

Converting Markdown is the largest single cost of a full build (a third of its CPU time
at 5,000 channels), and nearly all of it is the same few shapes: ATX headings, plain
paragraphs, tight bullet lists, pipe tables, ``**bold**`` and ``[links](url)``.
:func:`fast_html` turns a chunk (see :mod:`generator.markup`) made only of those into
exactly the HTML Python-Markdown makes of it, and returns None for anything else, which
Python-Markdown then converts as before. It declines at the first sign of anything it
does not model: escapes, code, raw HTML, entities, emphasis other than a simple
``**pair**``, underscores other than inside a word, images, reference-style links, line
breaks, indented or nested blocks, loose lists, setext headings, rules, ordered lists,
block quotes, aligned or ragged tables.

``tests/test_fastmarkdown.py`` compares it with Python-Markdown on generated chunks and
on every chunk of the example's and the benchmark organisation's output.
"""

from __future__ import annotations

import re

#: Characters whose Markdown meaning is not modelled here, anywhere in a chunk.
_DECLINE = re.compile(r"[\\`<>&\t\r\x00-\x08\x0b-\x1f\x7f]|!\[|\]:|\*\*\*|[^\S\n]$",
                      re.MULTILINE)
#: An ATX heading whose text Python-Markdown's ``strip()`` leaves as it is.
_HEADING = re.compile(r"(#{1,6}) +([^\s#](?:.*[^\s#])?)")
_ITEM = "- "
#: A table's separator row: every cell dashes (no alignment colons).
_SEPARATOR_CELL = re.compile(r" *-+ *")
#: A link with plain text and a URL without spaces, quotes, parentheses or brackets.
_LINK = re.compile(r"\[([^\[\]*\n]+)\]\(([^()\s\"'<>\[\]]+)\)")
#: An underscore that could open or close emphasis: not between two letters or digits
#: (``fjordetaten_hardanger`` is plain text to Python-Markdown, ``_this_`` is not).
_LOOSE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
#: Bold: a ``**pair**`` around text that neither starts nor ends with a space.
_STRONG = re.compile(r"\*\*([^*\s](?:[^*\n]*[^*\s])?)\*\*")
#: How a line of a paragraph or item may start (what no block rule looks at): a letter,
#: a digit not followed by "." or ")", bold, a link, or an opening quote or parenthesis.
_PLAIN_START = re.compile(r"(?:[^\W\d_]|\d+(?![\d.)])|\*\*[^*\s]|\[|[«\"'(])")


def fast_html(chunk: str) -> str | None:
    """Python-Markdown's HTML (tables on, HTML output) for ``chunk``, or None when the
    chunk holds anything this shortcut does not model exactly."""
    chunk = chunk.rstrip("\n")  # what follows the last block makes no HTML
    if not chunk or _DECLINE.search(chunk) is not None:
        return None
    html: list[str] = []
    after_list = False
    for block in chunk.split("\n\n"):
        lines = block.split("\n")
        if any(not line for line in lines):
            return None  # blank lines beyond the block separator
        first = lines[0]
        if first[0] == "#":
            made = _heading(lines)
        elif first.startswith(_ITEM):
            made = None if after_list else _list(lines)  # two lists: one loose list
        elif first[0] == "|":
            made = _table(lines)
        else:
            made = _paragraph(lines)
        if made is None:
            return None
        html.append(made)
        after_list = first.startswith(_ITEM)
    return "\n".join(html)


def _heading(lines: list[str]) -> str | None:
    match = _HEADING.fullmatch(lines[0])
    if len(lines) != 1 or match is None:
        return None
    text = _inline(match.group(2))
    level = len(match.group(1))
    return None if text is None else f"<h{level}>{text}</h{level}>"


def _list(lines: list[str]) -> str | None:
    items = []
    for line in lines:
        if not line.startswith(_ITEM) or _PLAIN_START.match(line, 2) is None:
            return None
        text = _inline(line[2:])
        if text is None:
            return None
        items.append(f"<li>{text}</li>\n")
    return "<ul>\n" + "".join(items) + "</ul>"


def _paragraph(lines: list[str]) -> str | None:
    if any(_PLAIN_START.match(line) is None or "|" in line for line in lines):
        return None
    text = _inline("\n".join(lines))
    return None if text is None else f"<p>{text}</p>"


def _table(lines: list[str]) -> str | None:
    rows = [_cells(line) for line in lines]
    header, separator, body = rows[0], rows[1] if len(rows) > 1 else None, rows[2:]
    if header is None or len(header) < 2 or separator is None or not body \
            or any(_SEPARATOR_CELL.fullmatch(cell) is None for cell in separator) \
            or any(row is None or len(row) != len(header) for row in (separator, *body)):
        return None
    out = ["<table>\n<thead>\n"]
    for tag, group in (("th", [header]), ("td", body)):
        if tag == "td":
            out.append("</thead>\n<tbody>\n")
        for row in group:
            assert row is not None
            out.append("<tr>\n")
            for cell in row:
                text = _inline(cell.strip(" "))
                if text is None:
                    return None
                out.append(f"<{tag}>{text}</{tag}>\n")
            out.append("</tr>\n")
    out.append("</tbody>\n</table>")
    return "".join(out)


def _cells(line: str) -> list[str] | None:
    """The cells of a row written with a pipe at both ends, or None."""
    if len(line) < 2 or line[0] != "|" or line[-1] != "|":
        return None
    return line[1:-1].split("|")


def _inline(text: str) -> str | None:
    """Links and bold in ``text`` (which holds no escapes, entities or HTML); None when
    anything else would be read as inline Markdown."""
    pieces: list[str] = []
    position = 0
    for link in _LINK.finditer(text):
        plain = _strong(text[position:link.start()])
        label = link.group(1)
        if plain is None or label.strip() != label or _loose(label):
            return None
        pieces += (plain, f'<a href="{link.group(2)}">{label}</a>')
        position = link.end()
    rest = _strong(text[position:])
    if rest is None:
        return None
    pieces.append(rest)
    return "".join(pieces)


def _strong(text: str) -> str | None:
    """``text`` with its ``**pairs**`` made bold; None if any other ``*``, ``[`` or
    ``]`` is left, or an underscore that is not inside a word."""
    made = _STRONG.sub(r"<strong>\1</strong>", text)
    return None if any(char in made for char in "*[]") or _loose(text) else made


def _loose(text: str) -> bool:
    return "_" in text and _LOOSE_UNDERSCORE.search(text) is not None
