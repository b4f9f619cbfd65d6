"""QR codes (二维码) of a code's link, as SVG or PNG; qrcode is imported on use, never at cold start."""

from __future__ import annotations

import io

QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 asks


def qr_svg(url: str) -> bytes:
    """An SVG QR code (error correction M) drawn as one path, sized in mm with a viewBox in modules."""
    import qrcode
    import qrcode.constants
    from qrcode.image.svg import SvgPathImage

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE, image_factory=SvgPathImage)
    qr.add_data(url)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image().save(out)
    return out.getvalue()


def qr_png(url: str, box_size: int = 10) -> bytes:
    """A black-and-white PNG QR code (error correction M), box_size pixels a module; pure Python, no Pillow."""
    import qrcode
    import qrcode.constants
    from qrcode.image.pure import PyPNGImage

    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        box_size=box_size,
        border=QUIET_ZONE,
        image_factory=PyPNGImage,
    )
    qr.add_data(url)
    qr.make(fit=True)
    out = io.BytesIO()
    qr.make_image().save(out)
    return out.getvalue()


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code's modules (True is dark), quiet zone included; error correction M."""
    import qrcode
    import qrcode.constants

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET_ZONE)
    qr.add_data(url)
    qr.make(fit=True)
    return [list(row) for row in qr.get_matrix()]


def matrix_path(matrix: list[list[bool]]) -> str:
    """SVG path data of the dark modules, one unit a module: a rectangle per horizontal run, not per module."""
    parts: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            parts.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return "".join(parts)
