"""Helpers for ``test_security_sweep.py`` (issue 7 security sweep): a small HTTP client on
urllib (no redirects followed, optional cookie session), an HTML form/link parser, and the
OpenAPI document walked for operations and free-text request fields.

Only the standard library is used, so the sweep needs nothing beyond requirements.txt.
"""
from __future__ import annotations

import copy
import html
import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENAPI_PATH = REPO_ROOT / "Resources" / "openapi.json"
PASSWORD = "Dangjian2026"

UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# --------------------------------------------------------------------------- XSS payloads

#: what must never reach a page unescaped (each payload below starts with one of these)
RAW_NEEDLES = ("<img src=x onerror", "<svg onload=__xss", "<script>window.__xss",
               'onerror="window.__xss')   # the last: a quote that breaks out of an attribute even if "<" is escaped
FULL = '<img src=x onerror="window.__xss=1">"\'<script>window.__xss=1</script>'
MEDIUM = "<img src=x onerror=__xss=1>"
SHORT = "<svg onload=__xss=1>"


def payload(marker: str, max_len: int | None) -> str | None:
    """The longest payload (plus its marker) that fits ``max_len``; None when none fits."""
    for p in (FULL, MEDIUM, SHORT):
        s = p + marker
        if max_len is None or len(s) <= max_len:
            return s
    if max_len is not None and len(SHORT) <= max_len:
        return SHORT
    return None


def raw_needles_in(text: str) -> list[str]:
    low = text.lower()
    return [n for n in RAW_NEEDLES if n.lower() in low]


# --------------------------------------------------------------------------- HTTP


@dataclass
class Resp:
    status: int
    headers: dict
    body: bytes
    url: str = ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def __repr__(self) -> str:  # short, for assertion messages
        return f"<{self.status} {self.headers.get('content-type', '')} {self.text[:300]!r}>"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):  # noqa: D401 - the 3xx is returned as is
        return None


class Client:
    """One HTTP caller. ``cookies=True`` keeps a cookie session (browser pages); ``token`` is
    sent as a bearer token (JSON API)."""

    def __init__(self, base_url: str, token: str | None = None, cookies: bool = False):
        self.base = base_url.rstrip("/")
        self.token = token
        self.jar = http.cookiejar.CookieJar() if cookies else None
        handlers = [_NoRedirect()]
        if self.jar is not None:
            handlers.append(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener = urllib.request.build_opener(*handlers)
        self.csrf = ""

    def request(self, method: str, path: str, *, json_body=None, data: bytes | None = None, form: dict | list | None = None,
                headers: dict | None = None, token: str | None = "__default__", query: dict | None = None,
                content_type: str | None = None, timeout: float = 60) -> Resp:
        url = path if path.startswith("http") else self.base + path
        # links copied from pages may hold raw spaces or non-ASCII; "%" is kept so encoded input stays as sent
        url = urllib.parse.quote(url, safe="/?&=%:#+,;@!$'()*[]~")
        if query:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
        hdrs = {"Accept": "application/json" if "/api/" in path else "text/html,application/json"}
        if json_body is not None:
            data = json.dumps(json_body).encode()
            hdrs["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        if content_type:
            hdrs["Content-Type"] = content_type
        tok = self.token if token == "__default__" else token
        if tok:
            hdrs["Authorization"] = f"Bearer {tok}"
        hdrs.update(headers or {})
        req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
        try:
            with self.opener.open(req, timeout=timeout) as r:
                return Resp(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read(), url)
        except urllib.error.HTTPError as e:
            body = e.read() if e.fp else b""
            return Resp(e.code, {k.lower(): v for k, v in (e.headers or {}).items()}, body, url)

    def get(self, path: str, **kw) -> Resp:
        return self.request("GET", path, **kw)

    # -- JSON API
    def api(self, method: str, path: str, body=None, **kw) -> Resp:
        return self.request(method, "/api/v1" + path, json_body=body, **kw)

    def ok(self, method: str, path: str, body=None, **kw):
        r = self.api(method, path, body, **kw)
        assert 200 <= r.status < 300, f"{method} /api/v1{path} {json.dumps(body, ensure_ascii=False)[:400] if body is not None else ''} -> {r!r}"
        return r.json()

    # -- browser session
    def page_csrf(self, path: str = "/login") -> str:
        r = self.get(path)
        m = re.search(r'name="_csrf" value="([^"]+)"', r.text)
        assert m, f"no CSRF token on {path}: {r!r}"
        self.csrf = html.unescape(m.group(1))
        return self.csrf

    def login_form(self, username: str, password: str = PASSWORD) -> Resp:
        csrf = self.page_csrf("/login")
        return self.request("POST", "/login", form={"_csrf": csrf, "username": username, "password": password})

    def cookie(self, name: str) -> str | None:
        for c in self.jar or []:
            if c.name == name:
                return c.value
        return None


def api_login(base_url: str, username: str, password: str = PASSWORD) -> str:
    r = Client(base_url).api("POST", "/auth/login", {"username": username, "password": password})
    assert r.status == 200, f"log-in of {username} failed: {r!r}"
    return r.json()["token"]


def browser_session(base_url: str, username: str, password: str = PASSWORD) -> Client:
    c = Client(base_url, cookies=True)
    r = c.login_form(username, password)
    assert r.status in (302, 303) and "/login" not in r.location, f"form log-in of {username} failed: {r!r}"
    return c


# --------------------------------------------------------------------------- HTML


TEXT_KINDS = ("text", "search", "textarea", "tel", "email", "url", "")


@dataclass
class Form:
    page: str
    action: str
    method: str
    enctype: str
    fields: list = field(default_factory=list)   # [name, value, kind] in document order
    submit: list = field(default_factory=list)   # (name, value) of the submit buttons

    def values(self, drop: tuple = (), fill=None) -> list:
        """The form as a browser would send it (first radio of a group without a checked one);
        ``fill(name, kind, maxlength)`` may give a value for text inputs (None keeps the page's)."""
        out = []
        checked = {n for n, _v, kind, _m in self.fields if kind == "radio"}
        for n, v, kind, maxlen in self.fields:
            if not n or n in drop or kind == "file":
                continue
            if kind == "radio?":
                if n in checked:
                    continue
                checked.add(n)
            elif kind == "checkbox?":
                continue
            elif fill and n != "_csrf" and kind in TEXT_KINDS:
                got = fill(n, kind, maxlen)
                if got is not None:
                    v = got
            out.append((n, v))
        if self.submit and self.submit[0][0]:
            out.append(self.submit[0])
        return out

    @property
    def text_inputs(self) -> list:
        return [n for n, _v, kind, _m in self.fields if n and n != "_csrf" and kind in TEXT_KINDS]

    @property
    def file_inputs(self) -> list:
        return [n for n, _v, kind, _m in self.fields if kind == "file"]


class PageParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: list | None = None
        self._select_fixed = False
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(self.page, a.get("action") or self.page, (a.get("method") or "get").lower(),
                              (a.get("enctype") or "").lower())
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            maxlen = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
            if kind in ("submit", "image"):
                self._form.submit.append((a.get("name", ""), a.get("value", "")))
            elif kind in ("checkbox", "radio"):
                self._form.fields.append([a.get("name", ""), a.get("value", "on"), kind if "checked" in a else kind + "?", None])
            elif kind != "button":
                self._form.fields.append([a.get("name", ""), a.get("value", ""), kind, maxlen])
        elif tag == "button" and (a.get("type") or "submit").lower() == "submit":
            self._form.submit.append((a.get("name", ""), a.get("value", "")))
        elif tag == "select":
            self._select = [a.get("name", ""), None, "select", None]
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            v = a.get("value", "")
            if self._select[1] is None or "selected" in a or (self._select[1] == "" and v and not self._select_fixed):
                self._select[1] = v
            if "selected" in a:
                self._select_fixed = True
        elif tag == "textarea":
            maxlen = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
            self._textarea = [a.get("name", ""), "", "textarea", maxlen]
            self._form.fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            if self._select is not None and self._select[1] is None:
                self._select[1] = ""
            self._select = None
            self._select_fixed = False
        elif tag == "textarea":
            self._textarea = None


def parse_page(page: str, text: str) -> PageParser:
    p = PageParser(page)
    try:
        p.feed(text)
    except Exception:  # noqa: BLE001 - a broken page still gives what was parsed
        pass
    return p


# --------------------------------------------------------------------------- OpenAPI


class Spec:
    def __init__(self, path: Path = OPENAPI_PATH):
        self.doc = json.loads(path.read_text())
        self.schemas = self.doc["components"]["schemas"]
        self.params = self.doc["components"].get("parameters", {})

    def resolve(self, s: dict) -> dict:
        seen = 0
        while isinstance(s, dict) and "$ref" in s and seen < 20:
            ref = s["$ref"].split("/")
            s = self.doc
            for part in ref[1:]:
                s = s[part]
            seen += 1
        return s

    def operations(self):
        """(METHOD, path, operation) for every operation, in document order."""
        for p, ops in self.doc["paths"].items():
            for m, op in ops.items():
                if m in ("get", "post", "put", "patch", "delete"):
                    yield m.upper(), p, op

    def is_public(self, op: dict) -> bool:
        return op.get("security") == []

    def json_schema(self, op: dict) -> dict | None:
        c = op.get("requestBody", {}).get("content", {}).get("application/json")
        return self.resolve(c["schema"]) if c else None

    def binary_types(self, op: dict) -> list[str]:
        return [t for t in op.get("requestBody", {}).get("content", {}) if t != "application/json"]

    def path_params(self, op: dict) -> list[dict]:
        return [self.resolve(p) for p in op.get("parameters", []) if self.resolve(p).get("in") == "path"]


#: names of string fields that carry ids, codes or secrets, never free text
ID_NAMES = re.compile(r"(Id|Ids|ID)$|^(id|key|rule|preset|user|username|password|attendees|code|channel)$")


DATE_NAMES = re.compile(r"(Due|On|Date)$|^(date|day|deadline|start)$")


@dataclass
class TextField:
    path: str            # dotted, arrays as [] (e.g. "questions[].text")
    max_len: int | None
    skip: str = ""       # why it cannot take a payload ("" = it can)
    suffix: str = ""     # appended to the payload so an anchored pattern still matches

    def value(self, marker: str) -> str:
        room = None if self.max_len is None else self.max_len - len(self.suffix)
        return payload(marker, room) + self.suffix


#: anchored patterns whose free prefix can carry a payload: field name -> suffix that completes it
PATTERN_SUFFIX = {"document": "〔2026〕7号"}   # 命名文件文号 “机关代字〔年份〕序号号”


def _string_like(s: dict) -> bool:
    t = s.get("type")
    return t == "string" or (isinstance(t, list) and "string" in t)


def _is_free_text(spec: Spec, s: dict) -> tuple[bool, str]:
    if "enum" in s:
        return False, "enum"
    if s.get("format"):
        return False, f"format {s['format']}"
    for k in ("anyOf", "oneOf"):
        if k in s and any(spec.resolve(x).get("format") or "enum" in spec.resolve(x) for x in s[k]):
            return False, "date/enum"
    pat = s.get("pattern", "")
    if pat.startswith("^") and pat.endswith("$"):
        return False, f"pattern {pat}"
    return True, ""


def text_fields(spec: Spec, schema: dict, prefix: str = "") -> list[TextField]:
    """Every string property of a request schema, classified (free text or why not)."""
    out: list[TextField] = []
    s = spec.resolve(schema)
    for k in ("allOf",):
        for x in s.get(k, []):
            out += text_fields(spec, x, prefix)
    if not s.get("properties") and not s.get("type"):
        for k in ("anyOf", "oneOf"):
            for x in s.get(k, []):
                for f in text_fields(spec, x, prefix):
                    if f.path not in {o.path for o in out}:
                        out.append(f)
    if s.get("type") == "object" or s.get("properties"):
        variant_enums = {n for k in ("anyOf", "oneOf") for v in s.get(k, [])
                         for n, vp in spec.resolve(v).get("properties", {}).items()
                         if "enum" in spec.resolve(vp) or "enum" in spec.resolve(spec.resolve(vp).get("items", {}))}
        for name, ps in s.get("properties", {}).items():
            p = spec.resolve(ps)
            if name in variant_enums:
                out.append(TextField(f"{prefix}{name}", None, "enum (in the anyOf variants)"))
                continue
            path = f"{prefix}{name}"
            if p.get("type") == "array":
                items = spec.resolve(p.get("items", {}))
                if _string_like(items):
                    out.append(_classify(spec, name, items, path + "[]", p))
                elif items.get("type") == "array":
                    inner = spec.resolve(items.get("items", {}))
                    if _string_like(inner):
                        out.append(_classify(spec, name, inner, path + "[][]", p))
                else:
                    out += text_fields(spec, items, path + "[].")
            elif isinstance(p.get("additionalProperties"), dict) and not p.get("properties"):
                ap = spec.resolve(p["additionalProperties"])
                if _string_like(ap):
                    out.append(_classify(spec, name, ap, path + "{}", p))
                elif ap.get("properties"):
                    out += text_fields(spec, ap, path + "{}.")
            elif p.get("type") == "object" or p.get("properties") or p.get("allOf"):
                sub = p
                if p.get("allOf"):
                    sub = {"properties": {}}
                    for x in p["allOf"]:
                        sub["properties"].update(spec.resolve(x).get("properties", {}))
                out += text_fields(spec, sub, path + ".")
            elif _string_like(p) or (p.get("anyOf") and not p.get("type")):
                out.append(_classify(spec, name, p, path, p))
            elif not p.get("type") and "字符串" in p.get("description", ""):   # untyped, described as a string
                out.append(_classify(spec, name, {"type": "string", **p}, path, p))
    return out


def _classify(spec: Spec, name: str, s: dict, path: str, outer: dict) -> TextField:
    desc = (s.get("description") or outer.get("description") or "")
    max_len = s.get("maxLength")
    m = re.search(r"(?:不超过|最多)(\d+)个字", desc)
    if max_len is None and m:
        max_len = int(m.group(1))
    if ID_NAMES.search(name):
        return TextField(path, max_len, f"id/code/secret ({name})")
    if DATE_NAMES.search(name):
        return TextField(path, max_len, f"date ({name})")
    if desc.startswith("忽略"):
        return TextField(path, max_len, "ignored by the server (spec: 忽略)")
    free, why = _is_free_text(spec, s)
    if not free and name in PATTERN_SUFFIX and why.startswith("pattern"):
        return TextField(path, max_len, suffix=PATTERN_SUFFIX[name])
    if not free:
        return TextField(path, max_len, why)
    if max_len is not None and payload("", max_len) is None:
        return TextField(path, max_len, f"maxLength {max_len} too short for a payload")
    return TextField(path, max_len)


def set_path(obj, path: str, value_for) -> list[str]:
    """Sets every occurrence of a dotted ``path`` ("a[].b") in ``obj`` to ``value_for()``;
    returns the values set. Missing containers are created for plain objects."""
    parts = path.split(".")
    done: list[str] = []

    def walk(o, i):
        key = parts[i]
        last = i == len(parts) - 1
        if key.endswith("{}"):
            d = o.get(key[:-2]) if isinstance(o, dict) else None
            if isinstance(d, dict):
                for k in list(d):
                    if last:
                        v = value_for()
                        d[k] = v
                        done.append(v)
                    else:
                        walk(d[k], i + 1)
            return
        arr = key.endswith("[]")
        name = key[:-2] if arr else key
        depth = 0
        while name.endswith("[]"):
            name = name[:-2]
            depth += 1
        if not isinstance(o, dict):
            return
        if arr:
            lst = o.get(name)
            if not isinstance(lst, list):
                if not last:
                    return
                lst = o[name] = [None]
            if not lst:
                if not last:
                    return
                lst.append(None)
            if depth:   # "answers[][]": a list of lists
                for sub in lst:
                    if isinstance(sub, list):
                        for j in range(max(len(sub), 1)):
                            v = value_for()
                            if j < len(sub):
                                sub[j] = v
                            else:
                                sub.append(v)
                            done.append(v)
                return
            for j, item in enumerate(lst):
                if last:
                    v = value_for()
                    lst[j] = v
                    done.append(v)
                else:
                    walk(item, i + 1)
        else:
            if last:
                v = value_for()
                o[name] = v
                done.append(v)
            else:
                if not isinstance(o.get(name), dict):
                    o[name] = {}
                walk(o[name], i + 1)

    walk(obj, 0)
    return done


def deep(o):
    return copy.deepcopy(o)


# --------------------------------------------------------------------------- crawl

MARKER_RE = re.compile(r"XQ\d{4}")
SKIP_LINK = re.compile(r"\.(csv|xlsx|pdf|png|jpe?g|css|js)(\?|$)|^/(api/|logout|__test)|/(logo|archive\.\w+)$")


def pattern_of(url: str) -> str:
    u = urllib.parse.urlsplit(url)
    path = UUID_RE.sub("{id}", u.path)
    path = re.sub(r"/\d{4}-\d{2}-\d{2}", "/{date}", path)
    keys = sorted({k for k, _ in urllib.parse.parse_qsl(u.query, keep_blank_values=True)})
    return path + ("?" + "&".join(keys) if keys else "")


@dataclass
class Crawl:
    pages: dict = field(default_factory=dict)        # url -> (status, markers set)
    forms: list = field(default_factory=list)        # Form, first seen per (action pattern, method)
    raw_hits: list = field(default_factory=list)     # (url, needle, excerpt)
    server_errors: list = field(default_factory=list)
    no_csp: list = field(default_factory=list)        # HTML pages without a script-src 'self' policy

    def marker_pages(self) -> dict:
        return {u: m for u, (_s, m) in self.pages.items() if m}


def crawl(client: Client, seeds: list[str], per_pattern: int = 3, max_pages: int = 600) -> Crawl:
    """Breadth-first over same-site links from ``seeds`` (each seed is always fetched)."""
    out = Crawl()
    queue = list(dict.fromkeys(seeds))
    seen_patterns: dict[str, int] = {}
    seen_forms: set = set()
    forced = set(seeds)
    while queue and len(out.pages) < max_pages:
        url = queue.pop(0)
        if url in out.pages:
            continue
        pat = pattern_of(url)
        if url not in forced:
            if seen_patterns.get(pat, 0) >= per_pattern:
                continue
        seen_patterns[pat] = seen_patterns.get(pat, 0) + 1
        r = client.get(url)
        if r.status >= 500:
            out.server_errors.append(f"GET {url} -> {r.status} {r.text[:200]}")
        ctype = r.headers.get("content-type", "")
        markers = set()
        if "html" in ctype:
            text = r.text
            csp = r.headers.get("content-security-policy", "")
            if ("script-src 'self'" not in csp or "unsafe-inline" in csp) and r.status < 400:
                out.no_csp.append(f"{url}: {csp!r}")
            for n in raw_needles_in(text):
                i = text.lower().find(n.lower())
                out.raw_hits.append((url, n, text[max(0, i - 200):i + 120]))
            markers = set(MARKER_RE.findall(text))
            parsed = parse_page(url, text)
            for f in parsed.forms:
                key = (pattern_of(urllib.parse.urljoin(url, f.action)), f.method)
                if key not in seen_forms:
                    seen_forms.add(key)
                    out.forms.append(f)
            for href in parsed.links:
                absu = urllib.parse.urljoin(client.base + url, href)
                if not absu.startswith(client.base):
                    continue
                rel = absu[len(client.base):].split("#")[0] or "/"
                if SKIP_LINK.search(rel) or rel in out.pages:
                    continue
                queue.append(rel)
        elif r.status in (301, 302, 303) and r.location:
            loc = urllib.parse.urljoin(client.base + url, r.location)[len(client.base):]
            if loc and loc not in out.pages and not SKIP_LINK.search(loc):
                queue.append(loc)
        out.pages[url] = (r.status, markers)
    return out


def multipart(fields: list, files: list) -> tuple[bytes, str]:
    """(body, content type) of a multipart/form-data request; ``files`` are (name, filename, bytes, type)."""
    boundary = "----dj-sweep-" + __import__("secrets").token_hex(8)
    out = b""
    for n, v in fields:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n").encode() + str(v).encode() + b"\r\n"
    for n, fn, data, ctype in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{n}\"; filename=\"{fn}\"\r\n"
                f"Content-Type: {ctype}\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, f"multipart/form-data; boundary={boundary}"


CJK = re.compile(r"[\u4e00-\u9fff]")
