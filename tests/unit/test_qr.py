"""QR codes and label sheets: what a phone's scanner reads back, and what a printer is given."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime

import numpy as np
import png
import pytest
import zxingcpp

from chalicelib.codes.formats import CodeKind, TraceCode, code_url, compose_long, compose_short, uscc_check_char
from chalicelib.codes.labels import PER_PAGE, Label, label_sheet, label_sheets
from chalicelib.codes.qr import qr_png, qr_svg
from chalicelib.core.errors import ValidationFailed

SVG = "{http://www.w3.org/2000/svg}"
BASE = "https://trace.agritrace.cn"
USCC = "92370112000000120" + uscc_check_char("92370112000000120")


def _batch(second: int) -> TraceCode:
    stamp = datetime(2026, 5, 12, 9, 30, second % 60)
    kind, category, form = CodeKind.PRODUCT_BATCH, "production", "cooperative"
    return TraceCode(kind, category, form, USCC, product_code="01020304", timestamp=stamp)  # type: ignore[arg-type]


def _decode(pixels: np.ndarray) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(pixels)]


def _png_pixels(data: bytes) -> np.ndarray:
    width, height, rows, _ = png.Reader(bytes=data).asRGBA8()
    return np.vstack([np.asarray(row, dtype=np.uint8) for row in rows]).reshape(height, width, 4)[:, :, 0]


def _raster(rects: list[tuple[float, float, float, float]], size: float, scale: int = 8) -> np.ndarray:
    """White paper with the black rectangles (x, y, w, h in SVG units) painted on, `scale` pixels a unit."""
    pixels = np.full((round(size * scale), round(size * scale)), 255, dtype=np.uint8)
    for x, y, w, h in rects:
        pixels[round(y * scale) : round((y + h) * scale), round(x * scale) : round((x + w) * scale)] = 0
    return pixels


def test_given_a_code_link_when_drawn_as_png_then_a_real_qr_decoder_reads_the_exact_link():
    url = code_url(BASE, compose_short(_batch(5)))
    [result] = zxingcpp.read_barcodes(_png_pixels(qr_png(url)))
    assert result.text == url
    assert result.ec_level == "M"


def test_given_a_long_form_link_on_another_host_when_drawn_as_png_then_it_reads_back_too():
    url = code_url("http://localhost:8000/dev", compose_long(_batch(0)))
    assert _decode(_png_pixels(qr_png(url, box_size=4))) == [url]


def test_given_a_code_link_when_drawn_as_svg_then_it_is_xml_with_a_viewbox_that_decodes():
    url = code_url(BASE, compose_short(_batch(7)))
    root = ET.fromstring(qr_svg(url))
    assert root.tag == f"{SVG}svg"
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    assert width == height
    assert not list(root.iter(f"{SVG}image"))
    [path] = root.iter(f"{SVG}path")
    # qrcode's path: one "Mx,yHx2Vy2Hxz" square per dark module
    squares = re.findall(r"M([\d.]+),([\d.]+)H([\d.]+)V([\d.]+)H[\d.]+z", path.attrib["d"])
    rects = [(float(x), float(y), float(x2) - float(x), float(y2) - float(y)) for x, y, x2, y2 in squares]
    assert _decode(_raster(rects, width)) == [url]


def _labels(count: int) -> list[Label]:
    out = []
    for n in range(count):
        text = compose_short(_batch(n))
        out.append(Label(text, code_url(BASE, text), (f"红颜草莓 <{n}>", "A&B 合作社")))
    return out


def _groups(page: bytes) -> list[ET.Element]:
    return [g for g in ET.fromstring(page).iter(f"{SVG}g") if g.attrib.get("class") == "label"]


def test_given_24_labels_when_a_sheet_is_printed_then_it_is_one_a4_svg_with_each_code_and_caption():
    labels = _labels(PER_PAGE)
    sheet = label_sheet(labels, "批次标签 <五月>")
    root = ET.fromstring(sheet)
    assert (root.attrib["width"], root.attrib["height"], root.attrib["viewBox"]) == ("210mm", "297mm", "0 0 210 297")
    assert root.find(f"{SVG}title").text == "批次标签 <五月>"  # type: ignore[union-attr]
    assert not list(root.iter(f"{SVG}image"))
    groups = _groups(sheet)
    assert [g.attrib["data-code"] for g in groups] == [label.code_text for label in labels]
    for group, label in zip(groups, labels, strict=True):
        texts = list(group.iter(f"{SVG}text"))
        captions = [t for t in texts if t.get("class") != "code"]
        assert tuple(t.text for t in captions) == label.captions
        assert all(t.attrib["font-family"].startswith("Noto Sans CJK SC") for t in captions)
        assert "".join(t.text or "" for t in texts if t.get("class") == "code") == label.code_text


def test_given_a_printed_sheet_when_its_first_qr_is_rasterised_then_a_decoder_reads_the_first_link():
    labels = _labels(3)
    group = _groups(label_sheet(labels, "t"))[0]
    qr = next(g for g in group.iter(f"{SVG}g") if g.attrib.get("class") == "qr")
    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", next(qr.iter(f"{SVG}path")).attrib["d"])
    rects = [(float(x), float(y), float(w), 1.0) for x, y, w in runs]
    size = max(x + w for x, _, w, _ in rects) + 4  # the quiet zone on the right
    assert _decode(_raster(rects, size)) == [labels[0].url]


def test_given_30_labels_when_printed_then_they_fill_two_pages_in_order_and_one_sheet_refuses_them():
    labels = _labels(30)
    pages = label_sheets(labels, "批次标签")
    assert len(pages) == 2
    assert [len(_groups(page)) for page in pages] == [24, 6]
    assert [g.attrib["data-code"] for page in pages for g in _groups(page)] == [label.code_text for label in labels]
    assert [ET.fromstring(page).find(f"{SVG}title").text for page in pages] == ["批次标签 1/2", "批次标签 2/2"]  # type: ignore[union-attr]
    with pytest.raises(ValidationFailed) as caught:
        label_sheet(labels, "批次标签")
    assert caught.value.errors[0]["field"] == "labels"


@pytest.mark.parametrize(
    ("label", "field"),
    [
        (Label("1", "https://x.cn/c/1", ("a", "b", "c")), "labels[0].captions"),
        (Label(" ", "https://x.cn/c/1"), "labels[0].code_text"),
        (Label("1", "https://x.cn/" + "c" * 600), "labels[0].url"),
    ],
)
def test_given_a_label_that_cannot_be_printed_when_a_sheet_is_asked_then_the_field_is_named(label, field):
    with pytest.raises(ValidationFailed) as caught:
        label_sheet([label], "t")
    assert [e["field"] for e in caught.value.errors] == [field]


def test_given_captions_with_control_characters_and_long_text_when_printed_then_the_xml_stays_well_formed():
    label = Label("1\x00<2>", "https://x.cn/c/1", ("名" * 60 + "\x07\ufffe", "a&b\n\"c\" 'd'"))
    group = _groups(label_sheet([label], "\x1b"))[0]
    lines = [t.text or "" for t in group.iter(f"{SVG}text")]
    assert lines[1].endswith("…")  # the long caption is cut to two lines
    assert "a&b \"c\" 'd'" in lines
    assert group.attrib["data-code"] == "1<2>"


def test_given_the_api_lambda_imports_the_code_modules_then_qrcode_is_not_loaded_until_a_qr_is_drawn():
    script = (
        "import sys, chalicelib.codes.formats, chalicelib.codes.qr, chalicelib.codes.labels;"
        "assert 'qrcode' not in sys.modules and 'png' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
