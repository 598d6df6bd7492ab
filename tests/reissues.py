"""Many drafts copying one directive: seed 000 (a provincial plan that repeats Kết luận
226-KL/TW) and communes' re-issues of it, each with its own header and a few words
changed, as communes re-issue a province's plan after a Kết luận."""
from __future__ import annotations

from pathlib import Path

from services.ingest.normalize import comparison_key
from tests.conftest import shared

SEED = "000_b0328c80448f943d.txt"
COMMUNES = ["Tân Lập", "Hòa Bình", "Quang Trung", "Phú Thịnh", "Đông Hưng", "Yên Mỹ"]
# What the seed copies from Kết luận 226, in comparison form.
COPIED = [
    "không ban hành văn bản mang tính sao chép lại nội dung văn bản của cấp trên",
    "thực hiện tinh giản tối thiểu 15% số lượng văn bản hành chính so với năm",
    "chủ động giải quyết công việc thuộc thẩm quyền đã được phân cấp",
]
# A few words each commune changes in the body (none inside the copied sentences).
EDITS = [("Chủ tịch UBND tỉnh", "Chủ tịch UBND xã"), ("các sở, ban, ngành", "các ban, ngành"),
         ("Sở Nội vụ", "Văn phòng HĐND và UBND xã"), ("UBND các xã, phường", "các thôn, tổ dân phố")]


def reissue(text: str, commune: str, number: int) -> str:
    header = (f"ỦY BAN NHÂN DÂN\nXÃ {commune.upper()}\n-------\n"
              "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n---------------\n"
              f"Số: {number}/UBND-VP\n{commune}, ngày {number % 27 + 1} tháng 01 năm 2026\n"
              "V/v triển khai thực hiện Kết luận số 226-KL/TW của Ban Bí thư\n\n")
    for old, new in EDITS:
        text = text.replace(old, new)
    return header + text


def write_drafts(folder: Path) -> list[Path]:
    """Seed 000 and its six re-issues, as files in `folder`."""
    text = shared("seeds", SEED).read_text(encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / SEED]
    paths[0].write_text(text, encoding="utf-8")
    for number, commune in enumerate(COMMUNES, start=11):
        path = folder / f"reissue-{number}.txt"
        path.write_text(reissue(text, commune, number), encoding="utf-8")
        paths.append(path)
    return paths


def copied_found(text: str, passages: list[dict]) -> list[str]:
    """Which of COPIED the passages (with draft_start/draft_end into `text`) report."""
    found = [comparison_key(text[p["draft_start"]:p["draft_end"]]).lower() for p in passages]
    return [c for c in COPIED if any(c in f for f in found)]
