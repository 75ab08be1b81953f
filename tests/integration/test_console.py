"""ConsoleFunction: GET /console serves one self-contained page, locked down by its CSP.

The browser tests (tests/browser) drive the page itself; these check what the handler serves and
the rules the page's source keeps (no HTML built from strings, nothing loaded from elsewhere).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from shopadmin.api.routes import console as console_route

from local import template
from tests.integration.lambdas import RUNTIME

EVENTS = Path(__file__).resolve().parents[2] / "events"
STATIC = template.ROOT / "functions" / "console" / "static"
SCRIPTS = [STATIC / "js" / name for name in console_route.SCRIPTS]  # the console's script, one file a piece
MAX_SCRIPT_LINES = 400


def sample() -> dict:
    return json.loads((EVENTS / "http" / "console_get.json").read_text())


def get_console(headers: dict | None = None) -> dict:
    event = sample()
    event["headers"] = {**event["headers"], **(headers or {})}
    return RUNTIME.invoke("ConsoleFunction", event)


def body_of(response: dict) -> str:
    raw = base64.b64decode(response["body"]) if response.get("isBase64Encoded") else response["body"].encode()
    if response.get("headers", {}).get("Content-Encoding") == "gzip":
        raw = gzip.decompress(raw)
    return raw.decode()


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_serves_one_html_page_with_css_and_js_inlined():
    response = get_console()
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"].startswith("text/html")
    page = body_of(response)
    for script in SCRIPTS:
        assert script.read_text() in page, f"{script.name} is not inlined"
    assert page.count("<script") == 1, "one inline module script holds every file"
    assert (STATIC / "console.css").read_text() in page
    # nothing else to fetch: no src/href to a file, no external origin
    assert not re.search(r"""\b(src|href)=["'](?!#|data:)""", page), "the page links a resource"
    assert not re.search(r"https?://", page.split("<script", 1)[0]), "the markup names another origin"


def test_csp_allows_exactly_the_inlined_script_and_style_and_same_origin_calls():
    response = get_console()
    policy = response["headers"]["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    (inline,) = re.findall(r'<script type="module">(.*?)</script>', body_of(response), re.S)
    assert directives["script-src"] == sha256(inline)
    assert directives["style-src"] == sha256((STATIC / "console.css").read_text())
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["headers"]["Referrer-Policy"] == "no-referrer"  # a ?token= never leaves in a Referer
    assert response["headers"]["Cache-Control"] == "no-store"


def test_gzip_when_the_browser_accepts_it():
    plain = get_console()
    compressed = get_console({"accept-encoding": "gzip, deflate, br"})
    assert compressed["headers"].get("Content-Encoding") == "gzip"
    assert body_of(compressed) == body_of(plain)
    assert len(compressed["body"]) < len(plain["body"]) / 2


@pytest.mark.parametrize("sink", ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                                  "new Function", "setTimeout('", 'setTimeout("'])
def test_script_never_builds_html_or_code_from_strings(sink):
    for script in SCRIPTS:
        assert sink not in script.read_text(), f"{script.name} uses {sink}: render API data with DOM nodes"


def test_script_calls_only_its_own_origin():
    script = "\n".join(path.read_text() for path in SCRIPTS)
    assert "new URL(path, location.origin)" in script
    assert not re.search(r"fetch\((?!url, init\))", script), "every fetch goes through api()"


def test_console_is_public_and_needs_no_aws_access():
    (route,) = [r for r in template.routes() if r.function == "ConsoleFunction"]
    assert (route.method, route.path, route.authorizer, route.scopes) == ("GET", "/console", None, ())
    resources = template.translated()["Resources"]
    role = resources[resources["ConsoleFunction"]["Properties"]["Role"]["Fn::GetAtt"][0]]
    assert not role["Properties"].get("Policies"), "the console function needs no AWS permission of its own"


def test_every_script_file_is_listed_and_each_is_one_screen_or_piece_sized():
    on_disk = sorted(path.name for path in (STATIC / "js").glob("*.js"))
    assert on_disk == sorted(console_route.SCRIPTS), "functions/console/static/js and SCRIPTS differ"
    assert len(set(console_route.SCRIPTS)) == len(console_route.SCRIPTS)
    too_long = {p.name: n for p in SCRIPTS if (n := len(p.read_text().splitlines())) > MAX_SCRIPT_LINES}
    assert not too_long, f"split these by screen or piece (over {MAX_SCRIPT_LINES} lines): {too_long}"


def test_a_script_file_missing_from_the_list_fails_the_cold_start(tmp_path):
    shutil.copytree(STATIC, tmp_path / "static")
    (tmp_path / "static" / "js" / "forgotten.js").write_text("console.log('never served');\n")
    with pytest.raises(ValueError, match="forgotten.js"):
        console_route.build_page(tmp_path / "static")
    (tmp_path / "static" / "js" / "forgotten.js").unlink()
    (tmp_path / "static" / "js" / console_route.SCRIPTS[0]).unlink()
    with pytest.raises(FileNotFoundError):
        console_route.build_page(tmp_path / "static")


def test_no_top_level_name_is_declared_in_two_script_files():
    # the files share one module scope: a second declaration would stop the whole console (SyntaxError)
    declared: dict[str, str] = {}
    clashes = []
    for script in SCRIPTS:
        for name in re.findall(r"^(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)",
                               script.read_text(), re.M):
            if name in declared:
                clashes.append(f"{name}: {declared[name]} and {script.name}")
            declared.setdefault(name, script.name)
    assert not clashes, clashes
    assert {"h", "api", "route", "viewOnline", "viewCustomers", "viewCustomer", "viewConfig"} <= declared.keys()
