"""Legacy Word .doc and OpenDocument .odt: converted to .docx by LibreOffice (headless, no
network, its own throwaway profile, under a time limit), then read as a .docx, so the text,
paragraphs, tables, header and signature tables come out as they do from a .docx."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from services.common.errors import BadDocument, UnsupportedType

PACKAGE = "libreoffice-writer-nogui"  # the Debian package that provides soffice


def soffice() -> str | None:
    """The LibreOffice binary, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(data: bytes, *, suffix: str, what: str, time_limit: float) -> bytes:
    """The .docx LibreOffice makes of `data` (a .doc or .odt); a clear error when LibreOffice
    is missing, takes too long, or cannot read the file."""
    binary = soffice()
    if binary is None:
        raise UnsupportedType(f"{what} needs LibreOffice to be read, and it is not installed here "
                              f"(Debian: apt-get install {PACKAGE}); or save the file as .docx")
    with tempfile.TemporaryDirectory(prefix="draftctl-office-") as work:
        folder = Path(work)
        source = folder / f"document{suffix}"
        source.write_bytes(data)
        profile = folder / "profile"
        command = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(folder), str(source)]
        try:
            subprocess.run(command, capture_output=True, timeout=time_limit, check=False,
                           env={"HOME": str(folder), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
        except subprocess.TimeoutExpired:
            raise BadDocument(f"{what} took longer than {time_limit:g} s to convert: refused",
                              title="Conversion too slow") from None
        converted = folder / "document.docx"
        if not converted.exists() or converted.stat().st_size == 0:
            raise BadDocument(f"{what} could not be read (LibreOffice could not convert it)")
        return converted.read_bytes()
