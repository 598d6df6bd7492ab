"""Legacy Vietnamese encodings: TCVN3 (ABC) and VNI-Windows, detected and converted to Unicode.

Both are font encodings from before Unicode: the bytes (or, in text copied out of
an old Word file, the Latin-1 characters) mean Vietnamese letters only under a
.Vn* or VNI-* font. TCVN3 uses one byte per letter and has only seven capital
letters of its own; VNI writes a base letter followed by a diacritic character.

Detection is by outcome, not by guessing bytes: a candidate conversion is kept
only when it turns markedly more words into well-formed Vietnamese words.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# TCVN3 (TCVN 5712:1993, VN3) byte -> Unicode letter.
TCVN3 = {
    0xB8: "á", 0xB5: "à", 0xB6: "ả", 0xB7: "ã", 0xB9: "ạ",
    0xA8: "ă", 0xBE: "ắ", 0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xC6: "ặ",
    0xA9: "â", 0xCA: "ấ", 0xC7: "ầ", 0xC8: "ẩ", 0xC9: "ẫ", 0xCB: "ậ",
    0xAE: "đ",
    0xD0: "é", 0xCC: "è", 0xCE: "ẻ", 0xCF: "ẽ", 0xD1: "ẹ",
    0xAA: "ê", 0xD5: "ế", 0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD6: "ệ",
    0xDD: "í", 0xD7: "ì", 0xD8: "ỉ", 0xDC: "ĩ", 0xDE: "ị",
    0xE3: "ó", 0xDF: "ò", 0xE1: "ỏ", 0xE2: "õ", 0xE4: "ọ",
    0xAB: "ô", 0xE8: "ố", 0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ", 0xE9: "ộ",
    0xAC: "ơ", 0xED: "ớ", 0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xEE: "ợ",
    0xF3: "ú", 0xEF: "ù", 0xF1: "ủ", 0xF2: "ũ", 0xF4: "ụ",
    0xAD: "ư", 0xF8: "ứ", 0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ", 0xF9: "ự",
    0xFD: "ý", 0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFE: "ỵ",
    0xA1: "Ă", 0xA2: "Â", 0xA7: "Đ", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư",
}
_TCVN3_DECODE = {chr(b): u for b, u in TCVN3.items()}

# VNI-Windows: diacritic characters written after a base letter.
_VNI_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
# Circumflex / breve with or without a tone, after a/e/o (case follows the letter).
_VNI_HAT = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_VNI_BREVE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
# Letters VNI writes as one character of their own.
_VNI_SINGLE = {
    "ô": "ơ", "Ô": "Ơ", "ö": "ư", "Ö": "Ư", "ñ": "đ", "Ñ": "Đ",
    "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ",
    "Í": "Í", "Ì": "Ì", "Æ": "Ỉ", "Ó": "Ĩ", "Ò": "Ị", "Î": "Ỵ",
}


def _vni_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for base in "aeiouyAEIOUY":
        for mark, tone in _VNI_TONES.items():
            for m in (mark, mark.upper()):
                table[base + m] = unicodedata.normalize("NFC", base + tone)
    for base in "aeoAEO":
        for mark, tone in _VNI_HAT.items():
            for m in (mark, mark.upper()):
                table[base + m] = unicodedata.normalize("NFC", base + "\u0302" + tone)
    for base in "aA":
        for mark, tone in _VNI_BREVE.items():
            for m in (mark, mark.upper()):
                table[base + m] = unicodedata.normalize("NFC", base + "\u0306" + tone)
    # ơ and ư with a tone: "ôù" -> ớ, "öø" -> ừ.
    for single, letter in (("ô", "ơ"), ("Ô", "Ơ"), ("ö", "ư"), ("Ö", "Ư")):
        for mark, tone in _VNI_TONES.items():
            for m in (mark, mark.upper()):
                table[single + m] = unicodedata.normalize("NFC", letter + tone)
    return table


_VNI_PAIRS = _vni_table()


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 text (bytes read as Latin-1) to Unicode."""
    return "".join(_TCVN3_DECODE.get(c, c) for c in text)


def vni_to_unicode(text: str) -> str:
    """Convert VNI-Windows text (bytes read as Latin-1/cp1252) to Unicode."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        pair = text[i : i + 2]
        if len(pair) == 2 and pair in _VNI_PAIRS:
            out.append(_VNI_PAIRS[pair])
            i += 2
            continue
        out.append(_VNI_SINGLE.get(text[i], text[i]))
        i += 1
    return "".join(out)


def unicode_to_tcvn3(text: str) -> str:
    """Encode Unicode as TCVN3 (Latin-1 characters); capitals without a code are lowered,
    as they were under the capitals-only .VnTimeH fonts."""
    reverse = {u: chr(b) for b, u in TCVN3.items()}
    out = []
    for c in unicodedata.normalize("NFC", text):
        if c in reverse:
            out.append(reverse[c])
        elif c.lower() in reverse and c.lower() != c:
            out.append(reverse[c.lower()])
        else:
            out.append(c)
    return "".join(out)


def unicode_to_vni(text: str) -> str:
    """Encode Unicode as VNI-Windows (Latin-1 characters)."""
    reverse = {u: seq for seq, u in _VNI_PAIRS.items() if seq == seq[0] + seq[1].lower() or seq[0].isupper()}
    reverse_single = {u: s for s, u in _VNI_SINGLE.items()}
    out = []
    for c in unicodedata.normalize("NFC", text):
        if c in reverse_single:
            out.append(reverse_single[c])
        elif c in reverse:
            seq = reverse[c]
            out.append(seq if c.islower() else seq.upper())
        else:
            out.append(c)
    return "".join(out)


# --- detection -----------------------------------------------------------------

_ONSETS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx]"
_NUCLEI = sorted(
    """a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi ua uâ uê ui uô uơ ưa ưi ươ ưu
    uy yê iêu yêu oai oay oao oeo uây uôi ươi ươu uyê uya uyu""".split(),
    key=len,
    reverse=True,
)
_SYLLABLE = re.compile(rf"^(?:{_ONSETS})?(?:{'|'.join(_NUCLEI)})(?:ch|ng|nh|c|m|n|p|t)?$")
_TONE_CHARS = "\u0300\u0301\u0303\u0309\u0323"
_TOKEN = re.compile(r"[^\s\d.,;:!?()\"'“”‘’\[\]{}<>/\\|=+*&%$#@^~`_-]+")


@lru_cache(maxsize=1 << 16)  # a language has a few thousand syllables
def is_syllable(word: str) -> bool:
    """A well-formed Vietnamese syllable: onset, vowel nucleus, coda, at most one tone mark."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(1 for c in decomposed if c in _TONE_CHARS) > 1:
        return False
    toneless = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_CHARS))
    return bool(_SYLLABLE.match(toneless))


def vietnamese_word_ratio(text: str, sample: int = 20000) -> float:
    """Share of the tokens with non-ASCII letters that are well-formed Vietnamese syllables.

    ASCII words say nothing about the encoding (they read the same in all of them).
    """
    words = [w for w in _TOKEN.findall(text[:sample]) if not w.isascii()]
    if not words:
        return 0.0
    return sum(1 for w in words if is_syllable(w)) / len(words)


def repair_legacy(text: str) -> tuple[str, str | None]:
    """The text converted from TCVN3 or VNI when that is clearly what it is, and which."""
    base = vietnamese_word_ratio(text)
    best, best_score, best_name = text, base, None
    for name, convert in (("tcvn3", tcvn3_to_unicode), ("vni", vni_to_unicode)):
        candidate = convert(text)
        if candidate == text:
            continue
        score = vietnamese_word_ratio(candidate)
        if score > best_score + 0.05:
            best, best_score, best_name = candidate, score, name
    return best, best_name
