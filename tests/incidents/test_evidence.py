"""Evidence files are judged by their content, and their names are only ever shown, never used
as paths (DESIGN.md §8). The samples are real, if tiny, files: the JPEG and the PNG decode to
one pixel in a browser, and the ISO-BMFF ones carry the ``ftyp`` boxes phones write."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import override

from incidents.evidence import (
    EVIDENCE_TYPES,
    MEGABYTE,
    check_evidence_file,
    clean_original_name,
    detect_evidence_type,
    sha256_of,
)
from tests.samples import (
    heic_bytes,
    jpeg_bytes,
    m4a_bytes,
    mp3_bytes,
    mp4_bytes,
    pdf_bytes,
    png_bytes,
    wav_bytes,
)

LIMIT = 20 * MEGABYTE


@pytest.fixture(autouse=True)
def english():
    """Messages are built when a file is refused: read them in English."""
    with override("en"):
        yield


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(name: str, content: bytes, *, max_bytes: int = LIMIT) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        check_evidence_file(upload(name, content), max_bytes=max_bytes)
    return excinfo.value


def english_message(error: ValidationError) -> str:
    with override("en"):
        (message,) = error.messages
    return message


# --- Accepted types -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "extension", "content_type", "kind"),
    [
        ("reception.jpg", jpeg_bytes(), "jpg", "image/jpeg", "photo"),
        ("screenshot.png", png_bytes(), "png", "image/png", "photo"),
        ("IMG_0042.HEIC", heic_bytes(), "heic", "image/heic", "photo"),
        ("IMG_0043.HEIC", heic_bytes(major=b"mif1"), "heic", "image/heic", "photo"),
        ("call.mp3", mp3_bytes(), "mp3", "audio/mpeg", "audio"),
        ("New Recording 3.m4a", m4a_bytes(), "m4a", "audio/mp4", "audio"),
        ("desk.wav", wav_bytes(), "wav", "audio/wav", "audio"),
        ("camera.mp4", mp4_bytes(b"isom"), "mp4", "video/mp4", "video"),
        ("camera2.mp4", mp4_bytes(b"mp42"), "mp4", "video/mp4", "video"),
        ("complaint-letter.pdf", pdf_bytes(), "pdf", "application/pdf", "document"),
    ],
)
def test_each_accepted_type_is_recognised_from_its_content(
    name, content, extension, content_type, kind
):
    evidence_type = check_evidence_file(upload(name, content), max_bytes=LIMIT)
    assert (evidence_type.extension, evidence_type.content_type, evidence_type.kind) == (
        extension,
        content_type,
        kind,
    )
    assert evidence_type is EVIDENCE_TYPES[extension]


def test_an_m4a_recording_is_audio_and_an_mp4_is_video_although_both_are_iso_media():
    # The M4A lists mp42 and isom among its brands, which alone would make it an MP4.
    assert detect_evidence_type(m4a_bytes()).extension == "m4a"
    assert detect_evidence_type(mp4_bytes(b"isom")).extension == "mp4"
    assert detect_evidence_type(mp4_bytes(b"mp42")).extension == "mp4"


def test_a_png_named_jpg_is_accepted_as_the_png_it_is():
    assert check_evidence_file(upload("photo.jpg", png_bytes()), max_bytes=LIMIT).extension == (
        "png"
    )


def test_a_file_exactly_at_the_limit_is_accepted():
    content = png_bytes().ljust(MEGABYTE, b"\x00")
    assert check_evidence_file(upload("big.png", content), max_bytes=MEGABYTE).extension == "png"


# --- Refused contents ---------------------------------------------------------------------


def test_a_shell_script_named_png_is_refused_whatever_the_browser_claims():
    uploaded = upload("photo.png", b"#!/bin/sh\nrm -rf /\n", content_type="image/png")
    with pytest.raises(ValidationError) as excinfo:
        check_evidence_file(uploaded, max_bytes=LIMIT)
    assert excinfo.value.code == "file_type_not_accepted"
    assert english_message(excinfo.value) == (
        "“photo.png” is not a photo (JPEG, PNG, HEIC), audio (MP3, M4A, WAV), video (MP4) or "
        "PDF file. Its content was checked, not its name."
    )


def test_an_html_page_named_pdf_is_refused():
    page = b"<!DOCTYPE html>\n<html><body><script>alert(1)</script></body></html>\n"
    assert refusal("evidence.pdf", page).code == "file_type_not_accepted"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48),
        ("recordings.m4a", b"PK\x03\x04\x14\x00\x00\x00\x00\x00" + b"\x00" * 40),
    ],
    ids=["windows-program", "zip-archive"],
)
def test_a_type_that_is_recognised_but_not_evidence_is_refused(name, content):
    assert refusal(name, content).code == "file_type_not_accepted"


def test_a_file_over_the_limit_is_refused_and_the_message_gives_the_limit():
    content = png_bytes().ljust(MEGABYTE // 2 + 1, b"\x00")
    error = refusal("long-recording.png", content, max_bytes=MEGABYTE // 2)
    assert error.code == "file_too_large"
    assert english_message(error) == (
        "“long-recording.png” is larger than 0.5 MB. Attach a smaller copy, or give the file "
        "to your supervisor another way."
    )


def test_an_empty_file_is_refused():
    error = refusal("photo.jpg", b"")
    assert error.code == "empty_file"
    assert "“photo.jpg” is empty" in english_message(error)


def test_a_refusal_is_still_a_message_in_japanese():
    error = refusal("photo.png", b"#!/bin/sh\n")
    with override("ja"):
        (message,) = error.messages
    assert isinstance(message, str) and "photo.png" in message


# --- Original names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("../photo.jpg", "parent_directory"),
        ("..\\photo.jpg", "parent_directory"),
        ("..", "parent_directory"),
        ("/etc/passwd", "path_separator"),
        ("evidence\\photo.jpg", "path_separator"),
        ("photo\x00.jpg", "control_character"),
        ("photo\n.jpg", "control_character"),
        ("photo.jpg\n", "control_character"),
        ("invoice\u202egpj.exe", "bidi_control"),
        ("report\u2066.pdf", "bidi_control"),
        ("", "empty_name"),
        (" \u3000 ", "empty_name"),
        ("a" * 197 + ".jpg", "name_too_long"),
    ],
)
def test_a_name_that_could_mislead_or_act_as_a_path_is_refused(name, code):
    with pytest.raises(ValidationError) as excinfo:
        clean_original_name(name)
    assert excinfo.value.code == code


@pytest.mark.parametrize(
    "name", ["photo\x00.jpg", "invoice\u202egpj.exe", "photo\n.jpg", "..\\photo.jpg"]
)
def test_an_upload_with_such_a_name_is_refused_in_plain_words(name):
    # Django's upload handling already drops "/" paths, so these are the ones that reach us.
    error = refusal(name, png_bytes())
    assert english_message(error) == (
        "The file name contains characters that are not allowed; rename the file and try again."
    )


def test_a_japanese_file_name_is_accepted_and_kept():
    name = "受付の写真 2026-11-29.jpg"
    assert clean_original_name(name) == name
    assert check_evidence_file(upload(name, jpeg_bytes()), max_bytes=LIMIT).extension == "jpg"


def test_a_name_from_a_mac_is_kept_composed_and_stripped():
    decomposed = "  \u30ab\u3099\u30e9\u30b9.jpg "  # ガラス with the voicing mark apart
    assert clean_original_name(decomposed) == "\u30ac\u30e9\u30b9.jpg"


def test_a_name_of_two_hundred_characters_is_accepted():
    name = "a" * 196 + ".jpg"
    assert clean_original_name(name) == name


# --- Digest and file position -------------------------------------------------------------


def test_the_digest_is_the_sha256_of_the_whole_file_and_leaves_it_readable_from_the_start():
    content = mp4_bytes() + bytes(range(256)) * 400  # more than one 64 KiB chunk
    uploaded = upload("camera.mp4", content)
    uploaded.read(10)
    assert sha256_of(uploaded) == hashlib.sha256(content).hexdigest()
    assert uploaded.read() == content


def test_checking_a_file_reads_it_from_the_start_and_rewinds_it():
    content = png_bytes()
    uploaded = upload("photo.png", content)
    uploaded.read(5)
    assert check_evidence_file(uploaded, max_bytes=LIMIT).extension == "png"
    assert uploaded.read() == content
