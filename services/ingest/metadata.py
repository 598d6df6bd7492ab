"""Metadata of a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP layout,
Party documents per Quy định 399-QĐ/TW): issuer, số ký hiệu, type, place and date,
trích yếu, kính gửi, nơi nhận, signer; and the spans of the header and footer blocks.

Works on the normalised text (one tone convention, repaired line breaks); every
span it returns is in normalised offsets, mapped back by the pipeline.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from services.ingest.document import Metadata
from services.ingest.references import REF, SYMBOL, TYPE_CODES, TYPE_NAMES, parse_ref

HEADER_WINDOW = 2500  # the header block sits at the top; nothing past this is header

QUOC_HIEU = re.compile(r"CỘNG\s*HÒA\s+XÃ\s+HỘI\s+CHỦ\s+NGHĨA\s+VIỆT\s+NAM", re.I)
TIEU_NGU = re.compile(r"Độc\s+lập\s*[-–]\s*Tự\s+do\s*[-–]\s*Hạnh\s+phúc", re.I)
PARTY_MOTTO = re.compile(r"ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s+NAM")
RULE_LINE = re.compile(r"^[\s_\-–—=*.]+$")

# A scan read by OCR can give a number's 1 as "I" or "l" and its 0 as "O" ("Số: II /2026/QĐ-UBND"):
# a số is written in Arabic digits, so two or more such characters before the slash are one
# ("|" is left out: table borders around a blank number would read as one).
_OCR_DIGITS = "[\\dIlO]"
_OCR_DIGIT_OF = str.maketrans("IlO", "110")
SO_LINE = re.compile(
    # "Luật số:" and the like open a cell of the header table ("| Luật số: 72/2025/QH15 |");
    # a doubled slash ("24/2026//NQ-CP") is a typing slip of the published text.
    # (whitespace runs are possessive: a layout's long run of spaces after "Số" is read once,
    # not tried split every way when the line holds no number)
    rf"(?:\bSố|(?:^|\n|\|)\s*+(?:Luật|Bộ luật|Pháp lệnh|Nghị quyết|Lệnh)\s++số)\s*+:?\s*+(?P<num>\d{{1,5}}(?:\.\d{{1,3}})?|{_OCR_DIGITS}{{2,5}}(?=\s*/))?\s*+(?P<sep>[/-])\s*+(?:(?P<year>(?:19|20)\d{{2}})\s*+/+\s*+)?(?P<sym>{SYMBOL}(?:\.[IVX]{{1,4}})?)(?![\w])"
    # (a unit's numeral may follow a dot: "11554/VPCP-V.I", Vụ I of the Government Office)
)
DATE_LINE = re.compile(
    r"(?P<before>[^\n,]{0,60}),[\s*_]*ngày[\s*_]*(?P<d>\d{1,2})?[\s*_]*tháng[\s*_]*(?P<m>\d{1,2})?[\s*_]*năm[\s*_]*(?P<y>(?:19|20)\d{2})"
)
BARE_DATE = re.compile(r"\bngày\s*(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>(?:19|20)\d{2})")
BODY_OPENERS = re.compile(
    r"\s(?=(?:Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị|Xem xét|Kính gửi|Trên cơ sở|Nhằm|Để)\s)"
)
AUTHORITY = re.compile(r"(?<![\w.])(?P<auth>TM|KT|TL|TUQ|T/M|K/T|T/L|Q)\.?\s+(?=[A-ZĐ])")
_UP = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_LOW = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
# The place and date line, found inside a line it was joined to: the place is the run of
# capitalised words before ", ngày" ("… thuế Hà Nội, ngày 01 tháng 12 năm 2025").
PLACE_DATE = re.compile(rf"(?<=\s)(?P<place>(?:[{_UP}][{_LOW}]*\b\.?\s?){{1,5}}),[\s*_]*ngày[\s*_]*\d{{0,2}}[\s*_]*tháng")
PERSON = re.compile(rf"^[{_UP}][{_LOW}]+(?:\s[{_UP}][{_LOW}]+){{1,4}}$")
ADMIN_WORDS = ("tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn")
ISSUER_OWN_BODY = re.compile(
    r"^(SỞ|BAN|PHÒNG|VĂN PHÒNG|ĐẢNG ỦY|CHI BỘ|TRUNG TÂM|CỤC|VỤ|TỔNG CỤC|THANH TRA|HỘI ĐỒNG|ỦY BAN KIỂM TRA|BỘ|BAN THƯỜNG VỤ)\b"
)


@dataclass
class Extracted:
    metadata: Metadata
    header: tuple[int, int] | None
    footer: tuple[int, int] | None
    boilerplate: list[tuple[int, int]]  # the standard elements themselves, header and footer
    recipients: tuple[int, int] | None = None  # the "Kính gửi" element (one of `boilerplate`)


def _lines(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in re.finditer("\n", text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


def _is_caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _iso(y: str | None, m: str | None, d: str | None) -> str | None:
    """ISO date, partial when the draft leaves day or month blank; impossible parts dropped."""
    if not y:
        return None
    if m and not 1 <= int(m) <= 12:
        m = d = None  # OCR noise such as "tháng 54": keep only what is certain
    if d and not 1 <= int(d) <= 31:
        d = None
    if not m:
        return y
    if not d:
        return f"{y}-{int(m):02d}"
    return f"{y}-{int(m):02d}-{int(d):02d}"


def _title_case_name(caps: str) -> str:
    """'ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN' -> 'Ủy ban nhân dân tỉnh Lạng Sơn' (place names capitalised)."""
    low = caps.lower()
    for word in ADMIN_WORDS:
        m = re.search(rf"(?<!\w){word}\s+(.+)$", low)
        if m and m.start() > 0:
            place = " ".join(w.capitalize() for w in m.group(1).split())
            low = low[: m.start(1)] + place
            break
    return low[:1].upper() + low[1:]


class _Header:
    """Finds the header fields near the top of the document."""

    def __init__(self, text: str):
        self.text = text
        self.window = text[:HEADER_WINDOW]
        self.ends: list[int] = []  # ends of recognised header elements
        self.parts: list[tuple[int, int]] = []  # the elements themselves: the standard text
        self.recipients_span: tuple[int, int] | None = None  # the "Kính gửi" element among them

    def note(self, end: int, start: int | None = None, *, in_header: bool = True) -> None:
        """Record a standard element [start, end); start defaults to the beginning of its line.

        `in_header=False` for elements outside the top block (the authentication block of a
        Văn bản hợp nhất): boilerplate, but not part of the header span.
        """
        line_start = self.text.rfind("\n", 0, max(0, end - 1)) + 1
        self.parts.append((line_start if start is None else start, end))
        if in_header:
            self.ends.append(end)

    def reference(self, md: Metadata) -> None:
        m = SO_LINE.search(self.window)
        # A Văn bản hợp nhất carries its own "Số:" in the authentication block
        # ("XÁC THỰC VĂN BẢN HỢP NHẤT", or "XÁC NHẬN …" in some ministries' texts); the top
        # shows the number of the text consolidated.
        auth = re.search(r"XÁC\s+(?:THỰC|NHẬN)\s+VĂN\s+BẢN\s+HỢP\s+NHẤT", self.text)
        in_header = True
        if auth:
            # Its "Số:" is under the heading, or beside it in the block's other column.
            after = SO_LINE.search(self.text, auth.end(), auth.end() + 300)
            before = list(SO_LINE.finditer(self.text, max(0, auth.start() - 800), auth.start()))[-1:]
            candidates = ([after] if after else []) + before
            if candidates:
                m = next((c for c in candidates if "VBHN" in c.group("sym")), candidates[0])
                md.doc_type = "Văn bản hợp nhất"
                in_header = m.start() < HEADER_WINDOW
        if m:
            symbol = re.sub(r"\s", "", m.group("sym"))
            year = m.group("year")
            md.number = m.group("num") and m.group("num").translate(_OCR_DIGIT_OF)
            md.symbol = symbol
            md.reference = f"{md.number or ''}{m.group('sep')}{year + '/' if year else ''}{symbol}"
            if re.match(r"VBHN\b|VBHN-", symbol):
                # The ký hiệu of a văn bản hợp nhất says so; the title line below it is the
                # type of the text it consolidates.
                md.doc_type = "Văn bản hợp nhất"
            self.note(m.end(), m.start(), in_header=in_header)
            return
        # "Số" missing: the first reference on a line of its own near the top ("226-KL/TW").
        for m in REF.finditer(self.window[:800]):
            line_start = self.window.rfind("\n", 0, m.start()) + 1
            if self.window[line_start : m.start()].strip() in ("", "Số", "Số:"):
                ref = parse_ref(m)
                md.number, md.symbol, md.reference = ref.number, ref.symbol, ref.text
                self.note(m.end(), m.start())
                return

    def date(self, md: Metadata) -> None:
        m = DATE_LINE.search(self.window)
        if m:
            md.date = _iso(m.group("y"), m.group("m"), m.group("d"))
            words = m.group("before").split()
            place: list[str] = []
            for w in reversed(words):
                if w[:1].isupper() and not _is_caps(w) and not re.search(r"[\d/]", w) or w in ("TP.", "Tp."):
                    place.insert(0, w)
                else:
                    break
            md.place = " ".join(place) or None
            place_at = m.group("before").rfind(place[0]) if place else len(m.group("before"))
            self.note(m.end(), m.start("before") + max(0, place_at))
            return
        m = BARE_DATE.search(self.window)
        if m:
            md.date = _iso(m.group("y"), m.group("m"), m.group("d"))
            self.note(m.end(), m.start())

    def issuer(self, md: Metadata) -> None:
        # Blank out the mottos (which PDF extraction may split across lines), keeping offsets.
        clean = self.window
        for pattern in (QUOC_HIEU, TIEU_NGU, PARTY_MOTTO):
            clean = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), clean)
        lines = []
        for s, e in _lines(clean):
            line = clean[s:e]
            if SO_LINE.search(line) or DATE_LINE.search(line) or line.lstrip().startswith("V/v"):
                break
            stripped = line.strip(" _-–—*|")  # "|": the border of a header table's cells
            if not stripped:
                continue
            if not _is_caps(stripped) or RULE_LINE.match(stripped) or stripped.startswith("CÔNG BÁO"):
                break
            if any(stripped.startswith(t.upper()) and len(stripped) <= len(t) + 2 for t in TYPE_NAMES):
                break  # reached the type name (a document with no issuer block)
            lines.append(re.sub(r"\s+", " ", stripped))
            self.note(e, s)
        if not lines:
            return
        if len(lines) >= 2 and ISSUER_OWN_BODY.match(lines[-1]):
            md.issuer_parent = _title_case_name(" ".join(lines[:-1]))
            md.issuer = _title_case_name(lines[-1])
        else:
            md.issuer = _title_case_name(" ".join(lines))

    def type_and_subject(self, md: Metadata) -> None:
        for s, e in _lines(self.window):
            line = self.text[s:e].strip()
            for name in TYPE_NAMES:
                cap = name.upper()
                if not line.startswith(cap):
                    continue
                rest = line[len(cap):]
                if rest and not rest.startswith(" ") or (rest.strip() and _is_caps(rest.split()[0]) and not rest.strip().startswith("CỦA")):
                    continue
                md.doc_type = md.doc_type or name
                self.note(s + self.text[s:e].find(cap) + len(cap))
                self._subject_after(md, s + self.text[s:e].find(cap) + len(cap))
                return
        m = re.search(r"(?:^|\n|\s)V/v\b\.?\s*(?P<subj>.+)", self.window)
        if m:
            start = m.start("subj")
            end = self._subject_end(start, m.end("subj"))
            md.subject = _clean_subject(self.text[start:end])
            self.note(end, m.start("subj"))

    def _subject_after(self, md: Metadata, pos: int) -> None:
        text = self.text
        nl = text.find("\n", pos)
        same_line = text[pos: nl if nl != -1 else len(text)].strip()
        if same_line.startswith("CỦA ") or not same_line:
            # Party layout: "KẾT LUẬN / CỦA BAN BÍ THƯ / về việc …": skip to the next line.
            pos = nl + 1 if nl != -1 else len(text)
            nl2 = text.find("\n", pos)
            if same_line.startswith("CỦA ") and nl2 != -1 and not text[pos:nl2].strip():
                pos = nl2 + 1
            if not same_line and _is_caps(text[pos: text.find("\n", pos)]) and text[pos:].startswith("CỦA "):
                pos = text.find("\n", pos) + 1
        start = pos + (len(text[pos:]) - len(text[pos:].lstrip()))
        if text[start:start + 1].islower() and not PARTY_MOTTO.search(self.window):
            # A state document's trích yếu opens with a capital (a Party one may not: "về …",
            # "của Ban Thường vụ …", "một số vấn đề …"); a line in lower case after the title is
            # the body's (or text pasted there), never the subject.
            return
        line_end = text.find("\n", start)
        line_end = len(text) if line_end == -1 else line_end
        end = self._subject_end(start, line_end)
        subject = _clean_subject(text[start:end])
        if subject and not _is_caps(subject):
            md.subject = subject
            self.note(end, start)
        elif subject:
            # A title in capitals ("LUẬT / HÓA CHẤT", "NGHỊ QUYẾT / QUY ĐỊNH MẪU VĂN BẢN …")
            # is no subject to show, but it is the document's name, part of its header
            # block like a subject in lower case: a draft that names the law copies nothing.
            self.note(end, start)

    def _subject_end(self, start: int, end: int) -> int:
        """Cut a subject where the body begins (PDF text often runs them together)."""
        segment = self.text[start:end]
        cut = len(segment)
        for pattern in (BODY_OPENERS, QUOC_HIEU, TIEU_NGU, DATE_LINE, PLACE_DATE):
            m = pattern.search(segment)
            if m and 0 < m.start() < cut:
                cut = m.start()
        # A header table read row by row can put the place/date after the subject.
        return start + len(segment[:cut].rstrip(" ;,"))

    def recipients(self, md: Metadata) -> None:
        m = re.search(r"Kính gửi\s*:?", self.window)
        if not m:
            return
        items, end = _list_after(self.text, m.end())
        md.recipients = items
        if items:
            self.note(end, m.start())
            self.recipients_span = (m.start(), end)

    def mottos(self) -> None:
        for pattern in (QUOC_HIEU, TIEU_NGU, PARTY_MOTTO):
            m = pattern.search(self.window)
            if m:
                self.parts.append((m.start(), m.end()))

    def span(self) -> tuple[int, int] | None:
        """From the first recognised header line (text pasted above the header is body) to the last."""
        if not self.ends:
            return None
        first_line_end = min(self.ends)
        start = self.text.rfind("\n", 0, max(0, first_line_end - 1)) + 1
        # The issuer block can sit a few lines above the first recognised field.
        for m in re.finditer(r"[^\n]+", self.text[:start]):
            if _is_caps(m.group()) or QUOC_HIEU.search(m.group()) or TIEU_NGU.search(m.group()):
                start = min(start, m.start())
                break
        return (start, max(self.ends))


def _clean_subject(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip(" ;,-")


def _list_after(text: str, pos: int) -> tuple[list[str], int]:
    """Items of a '- a; - b.' list starting at pos (same line or following lines)."""
    items: list[str] = []
    end = pos
    nl = text.find("\n", pos)
    first = text[pos: nl if nl != -1 else len(text)].strip()
    if first and not first.startswith(("-", "+", "•")):
        parts = [p for p in re.split(r";\s*", first) if p.strip()]
        return [_clean_item(p) for p in parts], (nl if nl != -1 else len(text))
    if first:
        parts = [p for p in re.split(r"(?:^|\s)[-+•]\s", first) if p.strip()]
        items.extend(_clean_item(p) for p in parts)
        end = nl if nl != -1 else len(text)
    cursor = nl + 1 if nl != -1 else len(text)
    while cursor < len(text):
        nl = text.find("\n", cursor)
        line_end = nl if nl != -1 else len(text)
        line = text[cursor:line_end].strip()
        if not line.startswith(("-", "+", "•")):
            break
        items.append(_clean_item(line.lstrip("-+• ")))
        end = line_end
        cursor = line_end + 1
    return [i for i in items if i], end


def _clean_item(s: str) -> str:
    s = s.strip()
    # The signature column can be glued on in extracted text: keep up to the item's own ';'.
    if ";" in s:
        s = s[: s.index(";")]
    return s.strip(" ;,.")


def _caps_tail(line: str) -> tuple[str, str]:
    """Split a signature line into its trailing run of capitals and the name after it."""
    words = line.split()
    k = len(words)
    while k > 0 and not _is_caps(words[k - 1]):
        k -= 1
    j = k
    while j > 0 and (_is_caps(words[j - 1]) or AUTHORITY.fullmatch(words[j - 1] + " X")):
        j -= 1
    return " ".join(words[j:k]), " ".join(words[k:])


_RANK = re.compile(r"^(?:(?:Đại|Thượng|Trung|Thiếu)\s+(?:tướng|tá|úy)|(?:GS|PGS|TS|ThS)\.?(?:\s*(?:TS|BS)\.?)?)\s+")


def _name_at_head(line: str) -> str | None:
    """A person's name that opens `line` (after a military rank or a degree), if any."""
    rest = _RANK.sub("", line, count=1).split()
    words = []
    for i, word in enumerate(rest[:5]):
        # A capitalised word followed by a lower-case one opens a phrase ("Thông tư", "Ghi
        # chú") that extraction glued to the name.
        if not re.fullmatch(rf"[{_UP}][{_LOW}]+", word) or (i + 1 < len(rest) and rest[i + 1][:1].islower()):
            break
        words.append(word)
    for k in range(len(words), 1, -1):
        if PERSON.match(" ".join(words[:k])):
            return " ".join(words[:k])
    return None


def _signer_title(caps: str) -> str | None:
    """'TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH' -> 'PHÓ CHỦ TỊCH' (who actually signs)."""
    last = AUTHORITY.split(caps)[-1].strip()
    if " PHÓ " in f" {last} " and not last.startswith("PHÓ"):
        last = last[last.index("PHÓ"):]
    return last or None


def _footer(text: str, start_floor: int) -> tuple[Metadata, tuple[int, int] | None]:
    md = Metadata()
    m = None
    for m_ in re.finditer(r"(?:^|\n)\s*Nơi nhận\s*:?", text):
        if m_.start() >= start_floor:
            m = m_
            break
    auth_iter = [a for a in AUTHORITY.finditer(text) if a.start() >= start_floor]
    if m is None and not auth_iter:
        return md, None
    if m:
        begin = m.start() + (1 if text[m.start()] == "\n" else 0)
        begin += len(text[begin:]) - len(text[begin:].lstrip())
    else:
        begin = text.rfind("\n", 0, auth_iter[0].start()) + 1
    end = begin
    if m:
        line_end = text.find("\n", m.end())
        first = text[m.end(): line_end if line_end != -1 else len(text)]
        # Extracted text can glue the signature column onto "Nơi nhận:" ("Nơi nhận: TM. ỦY BAN…").
        after = m.end() if not first.strip() or first.strip().startswith(("-", "+")) or not _caps_tail(first)[0] == first.strip() else line_end
        items, end = _list_after(text, after)
        md.distribution = items
    zone = text[begin: min(len(text), max(end, begin) + 700)]
    auth = AUTHORITY.search(zone)
    if auth:
        md.authority = auth.group("auth").replace("/", "") + "."
    titles: list[str] = []
    after_title = False  # the previous line was a title of the signature column, in capitals
    for s, e in _lines(zone):
        line = zone[s:e].strip()
        tail = line.split(";")[-1].strip() if ";" in line else line
        if line.startswith(("-", "+")) and ";" not in line:
            after_title = False
            continue  # a distribution item, not the signature column
        caps, name = _caps_tail(tail)
        if caps:
            titles.append(caps)
        if name and PERSON.match(name):
            md.signer = name
            end = max(end, begin + e)
            break
        head = _name_at_head(line) if after_title else None
        if head:
            # The name under the titles, with what extraction glued after it (a footnote,
            # an appendix's title, a rule) left out.
            md.signer = head
            end = max(end, begin + s + zone[s:e].find(head) + len(head))
            break
        after_title = bool(caps) and caps == line
    if titles:
        md.signer_title = _signer_title(titles[-1])
    return md, (begin, max(end, begin))


_ITEM_LINE = re.compile(r"[ \t]*[-+•][^\n]*")


def _footer_elements(text: str, span: tuple[int, int]) -> list[tuple[int, int]]:
    """The standard parts of the footer block: "Nơi nhận:", the signature column, the
    "Lưu" line; not the recipient items, where pasted text would otherwise hide (the
    directive's own recipient list is never indexed, so items can only match its body).
    Lines between two items, or between an item and the "Lưu" line, belong to the item
    (a wrapped recipient, or a line pasted into the list)."""
    begin, end = span
    out, cursor = [], begin
    item_open = False  # the last dash line was a recipient item, not "Lưu"
    for m in _ITEM_LINE.finditer(text, begin, end):
        if m.start() > 0 and text[m.start() - 1] != "\n":
            continue  # a dash inside a line, not an item
        if m.start() > cursor and not item_open:
            out.extend(without_prose(text, cursor, m.start()))
        item_open = not re.match(r"[\s\-+•]*Lưu\b", m.group())
        cursor = m.end() if item_open else m.start()
    if end > cursor:
        out.extend(without_prose(text, cursor, end))
    return out


_PROSE_WORDS = 8


def without_prose(text: str, begin: int, end: int, *, lower_start: bool = False) -> list[tuple[int, int]]:
    """[begin, end) less the lines that read as a sentence: the signature column holds
    titles in capitals, "(Đã ký)" and a name, never a line of eight or more words mostly in
    lower case; such a line was pasted there and is content. `lower_start`: only lines that
    also begin with a lower-case word (an addressee's name is mostly lower case too, but
    opens with a capital, a dash or "Kính gửi")."""
    out, cursor = [], begin
    for m in re.finditer(r"[^\n]+", text[begin:end]):
        line = m.group().strip()
        words = line.split()
        if (len(words) >= _PROSE_WORDS and not line.startswith("Lưu")
                and (not lower_start or line[:1].islower())
                and sum(w[:1].islower() for w in words) * 2 >= len(words)):
            s = begin + m.start()
            if s > cursor:
                out.append((cursor, s))
            cursor = begin + m.end()
    if end > cursor:
        out.append((cursor, end))
    return out


def extract(text: str) -> Extracted:
    """Metadata and header/footer spans of a normalised text."""
    md = Metadata()
    header = _Header(text)
    header.reference(md)
    header.date(md)
    header.issuer(md)
    header.type_and_subject(md)
    header.recipients(md)
    header.mottos()
    # No type title: a trích yếu that opens with "V/v" is a công văn's (Nghị định 30/2020),
    # whatever the ký hiệu's letters say ("5348/CT-CS" is a Cục Thuế letter, not a Chỉ thị).
    if md.doc_type is None and re.search(r"(?:^|\n)\s*V/v\b", text[:HEADER_WINDOW]):
        md.doc_type = "Công văn"
    elif md.doc_type is None and md.symbol:
        md.doc_type = _type_from_symbol(md.symbol, md.reference or "")
    header_span = header.span()
    floor = header_span[1] if header_span else 0
    foot_md, footer_span = _footer(text, floor)
    md.distribution = foot_md.distribution
    md.authority, md.signer, md.signer_title = foot_md.authority, foot_md.signer, foot_md.signer_title
    boilerplate = list(header.parts) + (_footer_elements(text, footer_span) if footer_span else [])
    return Extracted(metadata=md, header=header_span, footer=footer_span, boilerplate=boilerplate,
                     recipients=header.recipients_span)


def _type_from_symbol(symbol: str, reference: str) -> str | None:
    first = re.split(r"[-/]", symbol)[0]
    if first in TYPE_CODES:
        return TYPE_CODES[first]
    if "/" in reference and "-" in symbol and re.match(r"^\d*/", reference):
        return "Công văn"
    return None

