"""Small but real sample files for evidence tests: the JPEG and the PNG decode to one pixel in
a browser, and the ISO-BMFF ones carry the ``ftyp`` boxes phones write."""

import struct
import zlib


def jpeg_bytes() -> bytes:
    """A baseline JFIF JPEG of one grey pixel: one Huffman code each for DC 0 and end-of-block."""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    quantisation = b"\xff\xdb\x00\x43\x00" + b"\x01" * 64
    frame = b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    dc_table = b"\xff\xc4\x00\x14\x00" + b"\x01" + b"\x00" * 15 + b"\x00"
    ac_table = b"\xff\xc4\x00\x14\x10" + b"\x01" + b"\x00" * 15 + b"\x00"
    scan = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x3f"
    return b"\xff\xd8" + app0 + quantisation + frame + dc_table + ac_table + scan + b"\xff\xd9"


def png_bytes() -> bytes:
    """A PNG of one red pixel."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def ftyp(major: bytes, minor: int, *compatible: bytes) -> bytes:
    return box(b"ftyp", major + struct.pack(">I", minor) + b"".join(compatible))


def heic_bytes(major: bytes = b"heic") -> bytes:
    """As an iPhone writes it: brand heic, compatible with mif1 and heic."""
    return ftyp(major, 0, b"mif1", b"heic") + box(b"meta", b"\x00" * 24)


def m4a_bytes() -> bytes:
    """As Voice Memos writes it: brand "M4A ", which also lists mp42 and isom."""
    return (
        ftyp(b"M4A ", 0, b"M4A ", b"mp42", b"isom", b"\x00\x00\x00\x00")
        + box(b"free")
        + box(b"mdat", b"\x00" * 16)
    )


def mp4_bytes(major: bytes = b"isom") -> bytes:
    return (
        ftyp(major, 0x200, major, b"iso2", b"avc1", b"mp41")
        + box(b"free")
        + box(b"mdat", b"\x00" * 16)
    )


def mp3_bytes() -> bytes:
    """An ID3v2.4 tag of no frames, then one MPEG-1 layer III frame (128 kbit/s, 44.1 kHz)."""
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 413


def wav_bytes() -> bytes:
    """Eight samples of 8-bit mono PCM silence."""
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 8000, 1, 8)
    data = b"\x80" * 8
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        b"1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )
