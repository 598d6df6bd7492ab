"""services/ingest/legacy.py and parsers/text.py: legacy encodings detected and converted."""
from __future__ import annotations

import unicodedata

import pytest

from services.common.errors import BadDocument
from services.ingest import legacy
from services.ingest.normalize import TONE_MARKS
from services.ingest.parsers.text import decode
from tests.conftest import shared


def _seed_sentences() -> list[str]:
    text = shared("seeds", "002_f498fa0f8298bd96.txt").read_text(encoding="utf-8")
    lines = [" ".join(line.split()) for line in text.splitlines() if len(line.split()) > 6]
    return lines[:12]


def _cp1258(text: str) -> bytes:
    """Encode the way Windows-1258 does: base letter (with its vowel mark) plus a combining tone."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tone))
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def test_tcvn3_bytes_are_detected_and_converted():
    for sentence in _seed_sentences():
        encoded = legacy.unicode_to_tcvn3(sentence).encode("latin-1")
        text, name = decode(encoded)
        assert name == "tcvn3"
        # TCVN3 has no capitals for most accented letters: compare case-insensitively.
        assert text.lower() == sentence.lower()


def test_vni_bytes_are_detected_and_converted():
    for sentence in _seed_sentences():
        text, name = decode(legacy.unicode_to_vni(sentence).encode("cp1252"))
        assert name == "vni"
        assert text == sentence


def test_tcvn3_pasted_into_a_utf8_file_is_repaired():
    sentence = _seed_sentences()[0]
    text, name = decode(legacy.unicode_to_tcvn3(sentence).encode("utf-8"))
    assert name == "utf-8+tcvn3"
    assert text.lower() == sentence.lower()


def test_unicode_vietnamese_is_left_alone():
    for sentence in _seed_sentences():
        assert legacy.repair_legacy(sentence) == (sentence, None)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-8-sig"])
def test_unicode_encodings_decode(encoding):
    sentence = _seed_sentences()[1]
    text, _ = decode(sentence.encode(encoding))
    assert text.lstrip("\ufeff") == sentence


def test_windows_1258_decodes_to_nfc():
    sentence = _seed_sentences()[2]
    text, name = decode(_cp1258(sentence))
    assert name == "cp1258"
    assert unicodedata.normalize("NFC", text) == sentence


def test_undecodable_bytes_are_refused():
    with pytest.raises(BadDocument):
        decode(bytes(range(128, 256)) * 20 + b"\x00")
