"""Reading pixel sizes from image headers, as Telegram does for uploaded photos."""

from __future__ import annotations

import struct

from nudgebot.sandbox.images import image_size
from tests.sandbox.png_images import png_bytes


def test_png_size_comes_from_its_header() -> None:
    """A PNG's width and height are read from its IHDR chunk."""
    assert image_size(png_bytes(800, 2)) == (800, 2)


def test_gif_size_comes_from_its_header() -> None:
    """A GIF's logical screen size is read from its header."""
    header = b"GIF89a" + struct.pack("<HH", 320, 200) + b"\x00" * 8

    assert image_size(header) == (320, 200)


def test_jpeg_size_comes_from_its_frame_header() -> None:
    """A JPEG's size is read from its start-of-frame segment, after other segments."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
    frame = b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 480, 640) + b"\x03" + b"\x00" * 9
    jpeg = b"\xff\xd8" + app0 + frame + b"\xff\xd9"

    assert image_size(jpeg) == (640, 480)


def test_other_bytes_have_no_size() -> None:
    """Bytes that are not a known image format have no size."""
    assert image_size(b"%PDF-1.7 not an image") is None
