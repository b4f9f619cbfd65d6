"""Printable label sheets (标签): A4 pages of 3 × 8 labels, each a QR code, its code and captions, as SVG."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from chalicelib.core.errors import ValidationFailed

from .qr import matrix_path, qr_matrix

# The common A4 stock of 24 labels, 70 × 37 mm, edge to edge with 0.5 mm top and bottom: the sheet has no margin
# to print a title in, so the title is the SVG's <title> (what a viewer and the print queue show).
PAGE_W, PAGE_H = 210.0, 297.0
COLUMNS, ROWS = 3, 8
PER_PAGE = COLUMNS * ROWS
LABEL_W, LABEL_H = PAGE_W / COLUMNS, 37.0
TOP = (PAGE_H - ROWS * LABEL_H) / 2
PAD = 2.0
QR_SIZE = LABEL_H - 2 * PAD
TEXT_X = PAD + QR_SIZE + 1.5
TEXT_W = LABEL_W - TEXT_X - PAD
CAPTION_FONT, CAPTION_STEP, CAPTION_LINES_EACH = 3.2, 4.2, 2
CODE_FONT, CODE_LINES, MONO_ADVANCE = 2.4, 3, 0.6  # a monospace glyph is 0.6 em wide
MAX_CAPTIONS, MAX_CODE_TEXT, MAX_URL = 2, 80, 512
SANS = "Noto Sans CJK SC, sans-serif"
MONO = "Noto Sans Mono CJK SC, DejaVu Sans Mono, monospace"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Label:
    """One label (标签): the code as printed (short form where there is one), its link, 1-2 caption lines."""

    code_text: str
    url: str
    captions: tuple[str, ...] = ()


def label_sheet(labels: Sequence[Label], title: str) -> bytes:
    """One A4 page of up to 24 labels, left to right then top down; ValidationFailed for more (see label_sheets)."""
    _check(labels, PER_PAGE)
    return _page(labels, title)


def label_sheets(labels: Sequence[Label], title: str) -> list[bytes]:
    """As many A4 pages as the labels need, 24 a page; each page's title says which page it is ("… 1/2")."""
    _check(labels, None)
    pages = [labels[i : i + PER_PAGE] for i in range(0, len(labels), PER_PAGE)]
    if len(pages) == 1:
        return [_page(pages[0], title)]
    return [_page(page, f"{title} {n}/{len(pages)}") for n, page in enumerate(pages, 1)]


def _check(labels: Sequence[Label], most: int | None) -> None:
    problems: list[dict[str, str]] = []
    if not labels:
        problems.append({"field": "labels", "message": "no labels to print"})
    elif most is not None and len(labels) > most:
        problems.append({"field": "labels", "message": f"a sheet holds {most} labels, not {len(labels)}"})
    for i, label in enumerate(labels):
        if not label.code_text.strip() or len(label.code_text) > MAX_CODE_TEXT:
            problems.append({"field": f"labels[{i}].code_text", "message": f"1-{MAX_CODE_TEXT} characters"})
        if not label.url.strip() or len(label.url) > MAX_URL:
            problems.append({"field": f"labels[{i}].url", "message": f"1-{MAX_URL} characters"})
        if len(label.captions) > MAX_CAPTIONS:
            problems.append({"field": f"labels[{i}].captions", "message": f"at most {MAX_CAPTIONS} caption lines"})
    if problems:
        raise ValidationFailed("the labels cannot be printed", errors=problems)


def _clean(text: str) -> str:
    return " ".join(_NOT_XML.sub("", text).split())


def _text(value: str) -> str:
    return escape(_clean(value))


def _em(ch: str) -> float:
    """Rough advance of a character in em: CJK and full-width glyphs are square, the rest about half."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55


def _wrap(text: str, width: float, font: float, lines: int) -> list[str]:
    """The text in at most `lines` lines of `width` mm; an ellipsis where it had to be cut."""
    out: list[str] = []
    current, used = "", 0.0
    for ch in text:
        advance = _em(ch) * font
        if used + advance > width and current:
            out.append(current)
            if len(out) == lines:
                return _ellipsis(out, width, font)
            current, used = "", 0.0
            if ch == " ":
                continue
        current += ch
        used += advance
    if current:
        out.append(current)
    return out


def _ellipsis(lines: list[str], width: float, font: float) -> list[str]:
    last = lines[-1]
    while last and sum(_em(ch) for ch in last + "…") * font > width:
        last = last[:-1]
    return [*lines[:-1], last.rstrip() + "…"]


def _label(index: int, label: Label) -> str:
    x = (index % COLUMNS) * LABEL_W
    y = TOP + (index // COLUMNS) * LABEL_H
    matrix = qr_matrix(label.url)
    scale = QR_SIZE / len(matrix)
    parts = [
        f'<g class="label" transform="translate({x:g} {y:g})" data-code={quoteattr(_clean(label.code_text))}>',
        f'<g class="qr" transform="translate({PAD:g} {PAD:g}) scale({scale:.6g})">'
        f'<path d="{matrix_path(matrix)}" fill="#000"/></g>',
    ]
    baseline = PAD + CAPTION_FONT
    for n, caption in enumerate(label.captions):
        weight = ' font-weight="bold"' if n == 0 else ""
        for line in _wrap(_clean(caption), TEXT_W, CAPTION_FONT, CAPTION_LINES_EACH):
            parts.append(
                f'<text x="{TEXT_X:g}" y="{baseline:.2f}" font-family="{SANS}" font-size="{CAPTION_FONT:g}"{weight}>'
                f"{escape(line)}</text>"
            )
            baseline += CAPTION_STEP
    code = _clean(label.code_text)
    per_line = max(math.floor(TEXT_W / (MONO_ADVANCE * CODE_FONT)), math.ceil(len(code) / CODE_LINES))
    font = min(CODE_FONT, TEXT_W / (MONO_ADVANCE * per_line))
    chunks = [code[i : i + per_line] for i in range(0, len(code), per_line)]
    bottom = LABEL_H - PAD - 1
    for n, chunk in enumerate(chunks):
        line_y = bottom - (len(chunks) - 1 - n) * font * 1.25
        parts.append(
            f'<text class="code" x="{TEXT_X:g}" y="{line_y:.2f}" font-family="{MONO}" font-size="{font:.3g}">'
            f"{escape(chunk)}</text>"
        )
    parts.append("</g>")
    return "".join(parts)


def _page(labels: Sequence[Label], title: str) -> bytes:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{PAGE_W:g}mm" height="{PAGE_H:g}mm" '
        f'viewBox="0 0 {PAGE_W:g} {PAGE_H:g}">'
        f"<title>{_text(title)}</title>"
        f'<rect width="{PAGE_W:g}" height="{PAGE_H:g}" fill="#fff"/>'
    )
    body = "\n".join(_label(i, label) for i, label in enumerate(labels))
    return f"{head}\n{body}\n</svg>\n".encode()
