"""Legacy Word .doc and OpenDocument .odt (services/ingest/parsers/office.py): read through
LibreOffice as the .docx they were made from. The fixtures in tests/fixtures were made once
from ../shared/fixtures' .docx with LibreOffice (docx -> odt -> doc)."""
from __future__ import annotations

import os
import subprocess
from dataclasses import asdict
from pathlib import Path

import pytest

from services.common.errors import BadDocument
from services.ingest.parsers.office import PACKAGE, soffice
from services.ingest.pipeline import parse
from tests.conftest import ROOT, shared
from tests.test_cli import DRAFTCTL

FIXTURES = ROOT / "tests" / "fixtures"
needs_libreoffice = pytest.mark.skipif(soffice() is None, reason=f"LibreOffice is not installed ({PACKAGE}; "
                                       ".ci/run installs it)")


@needs_libreoffice
@pytest.mark.parametrize("name", ["002_lang_son_cong_van", "004_dong_thap_ke_hoach"])
@pytest.mark.parametrize("suffix", [".doc", ".odt"])
def test_doc_and_odt_parse_to_the_metadata_and_citations_of_the_docx(name, suffix):
    docx = parse(shared("fixtures", f"{name}.docx").read_bytes())
    other = parse((FIXTURES / f"{name}{suffix}").read_bytes())
    assert asdict(other.metadata) == asdict(docx.metadata)
    assert [(c.reference, c.date, c.doc_type) for c in other.citations] == \
        [(c.reference, c.date, c.doc_type) for c in docx.citations]
    assert other.media_type == {".doc": "application/msword", ".odt": "application/vnd.oasis.opendocument.text"}[suffix]


@needs_libreoffice
def test_a_broken_doc_is_a_clear_error():
    with pytest.raises(BadDocument, match="could not be read"):
        parse(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000)


def test_without_libreoffice_a_doc_is_refused_naming_the_package(tmp_path):
    # PATH without the system folders: no soffice, as on a machine that lacks the package.
    env = dict(os.environ, PATH=str(Path(DRAFTCTL).parent), DRAFTCTL_DATA_DIR=str(tmp_path))
    done = subprocess.run([DRAFTCTL, "parse", str(FIXTURES / "002_lang_son_cong_van.doc")], capture_output=True,
                          text=True, env=env, timeout=120)
    assert done.returncode == 1 and PACKAGE in done.stderr and "docx" in done.stderr
