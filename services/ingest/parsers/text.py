"""Plain text: UTF-8, UTF-16, cp1258, and legacy TCVN3/VNI converted to Unicode."""
from __future__ import annotations

import codecs
import unicodedata

from services.common.errors import BadDocument
from services.ingest import legacy
from services.ingest.parsers import RawDocument


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_nul = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def decode(data: bytes) -> tuple[str, str]:
    """Decode text bytes; returns (text, encoding name). Raises BadDocument if undecodable.

    A stray NUL in a text (sniff lets a few through) becomes a space: one character for one,
    so offsets hold, and no store or page has to carry a NUL.
    """
    text, name = _decode(data)
    return text.replace("\x00", " "), name


def _decode(data: bytes) -> tuple[str, str]:
    # A UTF-8 byte-order mark is kept as the text's first character, as Python decodes the
    # file ("utf-8"): offsets are into the text as decoded (DESIGN), and a reader of the
    # file counts it; the normalising pass drops it with its place kept in the offset map.
    # UTF-16's mark is the codec's own, and never a character of the text.
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError as exc:
                raise BadDocument(f"text file is not valid {name}: {exc.reason} at byte {exc.start}") from None
    utf16 = _looks_utf16(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        fixed, name = legacy.repair_legacy(text)
        return fixed, (f"utf-8+{name}" if name else "utf-8")
    if b"\x00" in data:
        raise BadDocument("binary data, not a text document")
    # An 8-bit file: Windows-1258, or TCVN3/VNI bytes; keep the reading that gives Vietnamese words.
    candidates = []
    cp1258 = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    candidates.append((legacy.vietnamese_word_ratio(cp1258), cp1258, "cp1258"))
    latin = data.decode("latin-1")
    for name, convert in (("tcvn3", legacy.tcvn3_to_unicode), ("vni", legacy.vni_to_unicode)):
        converted = convert(latin)
        candidates.append((legacy.vietnamese_word_ratio(converted), converted, name))
    score, text, name = max(candidates, key=lambda c: c[0])
    if score < 0.5:
        raise BadDocument("text encoding not recognised (tried UTF-8, UTF-16, cp1258, TCVN3, VNI)")
    return text, name


def parse_text(data: bytes) -> RawDocument:
    text, encoding = decode(data)
    return RawDocument(text=text, media_type="text/plain", reflow=True, encoding=encoding)
