"""The page's own script and stylesheet (cchc/web/static): loadable as st.html gives them."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "cchc" / "web" / "static"


@pytest.mark.parametrize("path", sorted(STATIC.glob("*.js")), ids=lambda p: p.name)
def test_a_script_survives_the_html_sanitizer(path):
    # DOMPurify drops a whole script whose text holds «<» before a letter or «/» (web._script).
    assert not re.search(r"<[A-Za-z/!]", path.read_text(encoding="utf-8"))


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js không có trên máy này")
@pytest.mark.parametrize("path", sorted(STATIC.glob("*.js")), ids=lambda p: p.name)
def test_a_script_parses(path):
    subprocess.run(["node", "--check", str(path)], check=True, capture_output=True)


def test_the_web_layer_refuses_a_script_the_sanitizer_would_drop(tmp_path, monkeypatch):
    from cchc import web

    (tmp_path / "x.js").write_text("// sets <html lang>\n", encoding="utf-8")
    monkeypatch.setattr(web, "_STATIC", tmp_path)
    web._static.cache_clear()
    try:
        with pytest.raises(ValueError, match="bộ lọc HTML"):
            web._script("x.js")
    finally:
        web._static.cache_clear()

