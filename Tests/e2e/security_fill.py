"""Issue 7 security sweep, part 1 (XSS): puts a script payload into every free-text field of
every JSON write operation in ``Resources/openapi.json``.

The text fields come from the spec (``security_support.text_fields``); this module only knows
how to reach a state in which each operation is accepted (ids, dates, workflow order) — the
``over`` arguments below give the non-text values, never the text ones. Each payload carries a
unique marker (``XQ0001`` …) so the pages showing it can be found afterwards.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from security_support import (Client, Resp, Spec, TextField, api_login, deep, payload, set_path,
                              text_fields)

TODAY = "2026-11-21"
YEAR = 2026


class Missing(Exception):
    """A required non-text value the generator cannot invent (an id): give it in ``over``."""


@dataclass
class FieldResult:
    op: str
    path: str
    status: int = 0
    markers: list = field(default_factory=list)
    note: str = ""

    @property
    def accepted(self) -> bool:
        return 200 <= self.status < 300


class Filler:
    def __init__(self, base_url: str, spec: Spec):
        self.base = base_url
        self.spec = spec
        self.ops = {(m, p): op for m, p, op in spec.operations()}
        self.tokens: dict[str, str] = {}
        self.n = 0
        self.results: dict[tuple, FieldResult] = {}   # (op key, field path) -> result
        self.markers: dict[str, tuple] = {}            # marker -> (op key, field path)
        self.calls: list[tuple] = []                   # (op key, user, status, response excerpt)
        self.server_errors: list[str] = []
        self.run = __import__("secrets").token_hex(3)

    # -- plumbing
    def client(self, user: str | None) -> Client:
        if user and user not in self.tokens:
            self.tokens[user] = api_login(self.base, user)
        return Client(self.base, token=self.tokens.get(user) if user else None)

    def marker(self) -> str:
        self.n += 1
        return f"XQ{self.n:04d}"

    def text_fields(self, method: str, path: str) -> list[TextField]:
        schema = self.spec.json_schema(self.ops[(method, path)])
        return text_fields(self.spec, schema) if schema else []

    def generate(self, schema: dict, over: dict, text_paths: set, prefix: str = ""):
        s = self.spec.resolve(schema)
        if prefix.rstrip(".") in over:
            return deep(over[prefix.rstrip(".")])
        if s.get("allOf") and not s.get("properties"):
            merged = {"type": "object", "properties": {}, "required": []}
            for x in s["allOf"]:
                x = self.spec.resolve(x)
                merged["properties"].update(x.get("properties", {}))
                merged["required"] += x.get("required", [])
            s = merged
        if (s.get("anyOf") or s.get("oneOf")) and not s.get("properties") and not s.get("type"):
            s = self.spec.resolve((s.get("anyOf") or s.get("oneOf"))[0])
        t = s.get("type")
        here = prefix.rstrip(".")
        name = here.split(".")[-1].replace("[]", "").replace("{}", "")
        if t == "object" or s.get("properties"):
            out = {}
            req = set(s.get("required", []))
            for pname, ps in s.get("properties", {}).items():
                path = f"{prefix}{pname}"
                if path in over:
                    if over[path] is not None:
                        out[pname] = deep(over[path])
                    continue
                is_text = any(tp == path or tp.startswith(path + ".") or tp.startswith(path + "[]") for tp in text_paths)
                if pname in req or is_text:
                    p = self.spec.resolve(ps)
                    sub = f"{path}[]" if p.get("type") == "array" else f"{path}."
                    if p.get("type") == "array" or p.get("type") == "object" or p.get("properties") or p.get("allOf"):
                        out[pname] = self.generate(p, over, text_paths, sub if p.get("type") == "array" else f"{path}.")
                    else:
                        out[pname] = self.generate(p, over, text_paths, path)
            return out
        if t == "array":
            items = self.spec.resolve(s.get("items", {}))
            n = max(s.get("minItems") or 1, 1)
            sub = here if here.endswith("[]") else here + "[]"
            nxt = sub + "." if (items.get("type") == "object" or items.get("properties")) else sub
            return [self.generate(items, over, text_paths, nxt) for _ in range(n)]
        if "enum" in s:
            return next(v for v in s["enum"] if v is not None)
        if t == "boolean":
            return False
        if t == "integer":
            if name == "year":
                return YEAR
            lo = s.get("minimum")
            return lo if lo is not None and -1000 <= lo <= 1000 else 1
        if t == "number":
            lo = s.get("minimum", 0)
            return lo + 1
        # strings
        if s.get("format") == "date" or name in ("date", "day") or name.endswith("On") or name.endswith("Date"):
            return TODAY
        if here in text_paths:
            return "x"
        raise Missing(f"{here} ({s.get('description', '')[:60]})")

    # -- one operation with payloads in every free-text field
    def call(self, user: str | None, method: str, path: str, params: dict | None = None, over: dict | None = None,
             base=None, query: dict | None = None, skip: tuple = (), expect: int | None = None,
             manual: dict | None = None) -> Resp:
        """``manual``: {field path: (body key, builder)} for a field whose payload must sit in a
        structure the generator cannot build (``builder(p)`` calls ``p()`` for each payload)."""
        key = f"{method} {path}"
        over = dict(over or {})
        for _fp, (bkey, _b) in (manual or {}).items():
            over.setdefault(bkey, [])
        fields = [f for f in self.text_fields(method, path) if not f.skip]
        text_paths = {f.path for f in fields}
        schema = self.spec.json_schema(self.ops[(method, path)])
        body = deep(base) if base is not None else self.generate(schema, over, text_paths)
        if base is not None:
            for k, v in over.items():
                set_path(body, k, lambda v=v: deep(v))
        placed: list[FieldResult] = []
        for f in fields:
            if f.path in skip or f.path in over or f.path in (manual or {}):
                continue
            res = FieldResult(key, f.path)

            def value(f=f, res=res):
                m = self.marker()
                res.markers.append(m)
                self.markers[m] = (key, f.path)
                return f.value(m)
            set_path(body, f.path, value)
            if res.markers:
                placed.append(res)
        for fpath, (bkey, builder) in (manual or {}).items():
            tf = next(x for x in fields if x.path == fpath)
            res = FieldResult(key, fpath)

            def p(tf=tf, res=res, fpath=fpath):
                m = self.marker()
                res.markers.append(m)
                self.markers[m] = (key, fpath)
                return tf.value(m)
            body[bkey] = builder(p)
            placed.append(res)
        url = path.format(**(params or {}))
        r = self.client(user).request(method, url, json_body=body, query=query)
        self.calls.append((key, user, r.status, r.text[:300]))
        if r.status >= 500:
            self.server_errors.append(f"{key} as {user}: {r.status} {r.text[:200]} body={json.dumps(body, ensure_ascii=False)[:300]}")
        for res in placed:
            res.status = r.status
            if not res.accepted:
                res.note = r.text[:300]
            prev = self.results.get((key, res.path))
            if prev is None or not prev.accepted:
                self.results[(key, res.path)] = res
        if expect is not None:
            assert r.status == expect, f"{key} as {user}: expected {expect}, got {r!r}\nbody: {json.dumps(body, ensure_ascii=False)[:800]}"
        return r

    def get(self, user: str, path: str, query: dict | None = None):
        r = self.client(user).request("GET", "/api/v1" + path, query=query)
        assert r.status == 200, f"GET {path} as {user}: {r!r}"
        return r.json()

    # -- bookkeeping for the report
    def all_fields(self) -> list[tuple]:
        """(op key, TextField) for every string field of every JSON write operation."""
        out = []
        for (m, p), op in self.ops.items():
            if m in ("POST", "PUT", "PATCH") and self.spec.json_schema(op):
                out += [(f"{m} {p}", f) for f in text_fields(self.spec, self.spec.json_schema(op))]
        return out


def _id(r: Resp) -> str:
    j = r.json() or {}
    for k in ("id",):
        if k in j:
            return j[k]
    for v in j.values():
        if isinstance(v, dict) and "id" in v:
            return v["id"]
    raise AssertionError(f"no id in {r!r}")


# --------------------------------------------------------------------------- the scenario

#: demo organizations (codes are stable in the demo seed)
BRANCH = "ZR-B01"        # 办公室党支部 (zhibu's branch; dangyuan is a member)
BRANCH2 = "ZR-B02"       # 国土空间规划科党支部 (zhibu2)
WEAK = "ZR-B07"          # 执法监察支队党支部 (has open problems)
UNIT = "ZR-JGDW"         # 自然资源和规划局机关委员会 (jiguan)
COMMITTEE = "JZ-SZGW"    # 市直工委 (gongwei)


def run_fill(f: Filler) -> dict:
    """Creates and edits data through every JSON write operation with text fields; returns ids
    of what was made, for the page crawl."""
    made: dict = {}
    orgs = {o["code"]: o for o in f.get("admin", "/orgs", {"per": 200})["items"]}
    oid = lambda code: orgs[code]["id"]  # noqa: E731

    # organizations
    r = f.call("admin", "POST", "/api/v1/orgs", over={"code": f"XSS-{f.run}-1", "type": "branch", "parentId": oid(UNIT)}, expect=201)
    made["org"] = _id(r)
    f.call("admin", "PATCH", "/api/v1/orgs/{id}", {"id": made["org"]}, over={"type": None, "code": None})
    r = f.call("admin", "POST", "/api/v1/orgs", over={"code": f"XSS-{f.run}-2", "type": "group", "parentId": made["org"]})

    # members
    r = f.call("admin", "POST", "/api/v1/members", over={"orgId": oid(BRANCH), "gender": "female", "status": "full", "joinDate": "2010-07-01"}, expect=201)
    made["member"] = _id(r)
    f.call("admin", "PATCH", "/api/v1/members/{id}", {"id": made["member"]}, over={})
    r = f.call("admin", "POST", "/api/v1/members", over={"orgId": oid(BRANCH), "gender": "male", "status": "full", "joinDate": "2011-07-01"}, expect=201)
    f.call("admin", "POST", "/api/v1/members/{id}/transfer", {"id": _id(r)}, over={"toOrgId": oid(BRANCH2), "date": TODAY})

    # users
    r = f.call("admin", "POST", "/api/v1/users", over={"username": f"xss.{f.run}", "password": "Secr3tXss2026", "role": "branchSecretary",
                                                       "orgId": oid(BRANCH)}, expect=201)
    made["user"] = _id(r)
    f.call("admin", "PATCH", "/api/v1/users/{id}", {"id": made["user"]}, over={})

    # organizational life, lists, tasks
    members = f.get("admin", "/members", {"orgId": oid(BRANCH), "per": 200})["items"]
    attendees = [m["id"] for m in members if m["status"] in ("full", "probationary") and m["id"] != made["member"]]
    absent = {made["member"]: "x"}
    r = f.call("admin", "POST", "/api/v1/meetings", over={"orgId": oid(BRANCH), "date": TODAY, "types": ["study"],
                                                          "attendees": attendees, "absentees": absent}, expect=201)
    made["meeting"] = _id(r)
    base = f.get("admin", f"/meetings/{made['meeting']}")
    f.call("admin", "PUT", "/api/v1/meetings/{id}", {"id": made["meeting"]}, base=base,
           over={"absentees": absent, "attendees": attendees, "orgId": oid(BRANCH)})
    r = f.call("admin", "POST", "/api/v1/filings", over={"orgId": oid(BRANCH), "kind": "duties", "listKind": "org", "year": YEAR + 1,
                                                         "items": ["x", "x"]}, expect=201)
    made["filing"] = _id(r)
    base = f.get("admin", f"/filings/{made['filing']}")
    f.call("admin", "PUT", "/api/v1/filings/{id}", {"id": made["filing"]}, base=base, over={"orgId": oid(BRANCH)})
    r = f.call("admin", "POST", "/api/v1/tasks", over={"orgId": oid(BRANCH), "start": TODAY}, expect=201)
    made["task"] = _id(r)
    f.call("admin", "POST", "/api/v1/tasks/{id}/events", {"id": made["task"]}, over={"kind": "feedback"})

    # service, points, communities
    communities = f.get("admin", "/communities")
    made["community_demo"] = communities[0]["id"]
    r = f.call("dangyuan", "POST", "/api/v1/service-records", over={"communityId": communities[0]["id"], "date": TODAY, "hours": 2})
    if r.status == 201:
        made["service"] = _id(r)
    f.call("admin", "POST", "/api/v1/points", over={"memberId": made["member"], "rule": "volunteer", "date": TODAY}, expect=201)
    r = f.call("admin", "POST", "/api/v1/communities", over={"orgId": oid(UNIT)}, expect=201)
    made["community"] = _id(r)
    f.call("admin", "POST", "/api/v1/communities/{id}/pairings", {"id": made["community"]}, over={"orgId": oid(BRANCH), "signedOn": TODAY})

    # supervision
    r = f.call("admin", "POST", "/api/v1/problems", over={"orgId": oid(WEAK), "source": "quarterly", "aspect": "political",
                                                          "foundOn": TODAY, "deadline": "2026-12-31"}, expect=201)
    made["problem"] = _id(r)
    base = f.get("admin", f"/problems/{made['problem']}")
    f.call("admin", "PUT", "/api/v1/problems/{id}", {"id": made["problem"]}, base=base)
    f.call("admin", "POST", "/api/v1/problems/{id}/steps", {"id": made["problem"]}, over={"step": "progress"})
    f.call("admin", "POST", "/api/v1/orgs/{id}/escalation", {"id": oid(WEAK)})
    r = f.call("admin", "POST", "/api/v1/risks", over={"orgId": oid(UNIT), "level": "high"}, expect=201)
    made["risk"] = _id(r)
    base = f.get("admin", f"/risks/{made['risk']}")
    f.call("admin", "PUT", "/api/v1/risks/{id}", {"id": made["risk"]}, base=base)
    demo_risk = next(x for x in f.get("admin", "/risks") if x["id"] != made["risk"] and x.get("lastReviewed") != TODAY)
    f.call("admin", "POST", "/api/v1/risks/{id}/review", {"id": demo_risk["id"]})
    r = f.call("admin", "POST", "/api/v1/reports", over={"orgId": oid(BRANCH)})
    if r.status == 201:
        made["report"] = _id(r)
    f.call("admin", "PUT", "/api/v1/evaluations/quarters", over={"orgId": oid(BRANCH), "year": YEAR, "quarter": 3, "score": 90})
    questions = [{"kind": "single", "text": "x", "options": ["x", "x"], "required": False},
                 {"kind": "text", "text": "x", "options": [], "required": False}]
    r = f.call("admin", "POST", "/api/v1/surveys", over={"orgId": oid(BRANCH), "questions": questions}, expect=201)
    made["survey"] = _id(r)
    base = f.get("admin", f"/surveys/{made['survey']}")
    f.call("admin", "PUT", "/api/v1/surveys/{id}", {"id": made["survey"]}, base=base)
    f.client("admin").request("POST", f"/api/v1/surveys/{made['survey']}/open")
    r = f.call("admin", "POST", "/api/v1/surveys/{id}/links", {"id": made["survey"]}, over={"count": 1})
    links = f.get("admin", f"/surveys/{made['survey']}/links")
    made["survey_token"] = links[0]["token"] if links else None
    if made["survey_token"]:
        f.call(None, "POST", "/api/v1/public/surveys/{token}", {"token": made["survey_token"]},
               manual={"answers[][]": ("answers", lambda p: [["0"], [p()]])})
    f.call("admin", "PUT", "/api/v1/calendar/days/{date}", {"date": "2026-12-31"}, over={"kind": "holiday"})

    # settings and the rating scheme (edited from what GET answers)
    base = f.get("admin", "/settings/records")
    base["presets"] = (base.get("presets") or []) + [{"key": "xss", "name": "x", "stages": [
        {"key": "s1", "label": "x", "unit": "workingDays", "amount": 3, "satisfiedBy": ["feedback"], "applies": "all"}]}]
    f.call("admin", "PUT", "/api/v1/settings/records", base=base)
    scheme = f.get("admin", "/schemes")[0]
    r = f.call("admin", "POST", "/api/v1/schemes/{id}/copy", {"id": scheme["id"]}, over={"orgId": None}, expect=201)
    made["scheme"] = _id(r)
    got = f.get("admin", f"/schemes/{made['scheme']}")
    f.call("admin", "PUT", "/api/v1/schemes/{id}", {"id": made["scheme"]}, base=dict(got["scheme"], name=got["name"]))

    # demands: a resident's need through every step, and two demo needs declined / returned
    r = f.call(None, "POST", "/api/v1/public/demands", over={"communityId": made["community"], "phone": "13900001234"}, expect=201)
    made["demand_code"] = (r.json() or {}).get("code")
    mine = [d for d in f.get("admin", "/demands", {"per": 200})["items"] if d["communityId"] == made["community"]]
    made["demand"] = mine[0]["id"]
    d = made["demand"]
    f.client("admin").request("POST", f"/api/v1/demands/{d}/dispatch", json_body={"unitId": oid(BRANCH)})
    f.client("admin").request("POST", f"/api/v1/demands/{d}/accept")
    me = f.get("dangyuan", "/auth/me")
    f.client("admin").request("POST", f"/api/v1/demands/{d}/claim", json_body={"memberId": me.get("memberId")})
    f.call("admin", "POST", "/api/v1/demands/{id}/finish", {"id": d})
    f.call(None, "POST", "/api/v1/public/demands/{code}/rate", {"code": made["demand_code"]}, over={"stars": 4})
    demo = f.get("admin", "/demands", {"per": 200})["items"]
    posted = next(x for x in demo if x["state"] == "posted" and x["id"] != d)
    dispatched = next(x for x in demo if x["state"] == "dispatched")
    f.call("admin", "POST", "/api/v1/demands/{id}/decline", {"id": posted["id"]})
    f.call("admin", "POST", "/api/v1/demands/{id}/return", {"id": dispatched["id"]})

    fill_brands(f, made, oid)
    fill_ratings(f, made, oid)
    # the confirmation link of the member's service record (shown to the branch on /service)
    from security_support import browser_session, parse_page
    page = browser_session(f.base, "admin").get("/service")
    links = [h for h in parse_page("/service", page.text).links if h.startswith("/public/service/")]
    made["service_link"] = links[0] if links else None
    return made


def fill_brands(f: Filler, made: dict, oid) -> None:
    """A brand of the new branch through the whole R-9 … R-14 path, and the demo brands for the
    steps a single brand cannot take twice."""
    r = f.call("admin", "POST", "/api/v1/brands", over={"orgId": made["org"]}, expect=201)
    b = made["brand"] = _id(r)
    f.call("admin", "PATCH", "/api/v1/brands/{id}", {"id": b}, over={"orgId": None, "memberId": None, "parentId": None})
    step = lambda action, body=None: f.client("admin").request("POST", f"/api/v1/brands/{b}/{action}", json_body=body or {})  # noqa: E731
    step("cultivate")
    step("submit")
    f.call("admin", "POST", "/api/v1/brands/{id}/return", {"id": b}, over={"reasons": ["other"]})
    step("submit")
    f.call("admin", "POST", "/api/v1/brands/{id}/forward", {"id": b})
    # the committee returns the forwarded application; it is sent again through the generic transition
    f.call("admin", "POST", "/api/v1/brands/{id}/transitions", {"id": b}, over={"action": "return", "reasons": ["other"]},
           skip=("opinion",))
    step("submit")
    f.call("admin", "POST", "/api/v1/brands/{id}/transitions", {"id": b}, over={"action": "forward", "reasons": None}, skip=("note",))
    step("accept")
    expert = f.get("zhuanjia", "/auth/me")
    f.client("admin").request("POST", f"/api/v1/brands/{b}/experts", json_body={"user": expert["id"]})
    f.call("zhuanjia", "PUT", "/api/v1/brands/{id}/score", {"id": b},
           over={"scores": {"name": 90, "philosophy": 90, "mechanism": 90, "carriers": 90, "effect": 90}})
    f.client("admin").request("POST", "/api/v1/brands/selection/shortlist", json_body={"year": 2026, "quota": 10})
    f.call("zhongxin", "POST", "/api/v1/brands/{id}/comments", {"id": b}, over={"rating": 5, "author": None, "channel": None})
    r = f.call(None, "POST", "/api/v1/public/brands/{id}/comments", {"id": b}, over={"rating": 4, "channel": "mobile"})
    for c in f.get("admin", "/brands/comments/pending"):
        if c["brandId"] == b:
            f.client("admin").request("POST", f"/api/v1/brands/comments/{c['id']}/moderate", json_body={"approve": True})
    f.call("admin", "POST", "/api/v1/brands/{id}/name", {"id": b}, over={"decidedOn": TODAY})
    f.call("admin", "POST", "/api/v1/brands/{id}/suggestions", {"id": b})
    f.call("admin", "PUT", "/api/v1/brands/{id}/goals", {"id": b}, over={"year": 2026})
    r = f.call("admin", "POST", "/api/v1/brands/{id}/pairs", {"id": b}, over={"orgId": oid(WEAK), "startedOn": TODAY})
    made["pair"] = _id(r) if r.status == 201 else None
    if made["pair"]:
        f.call("admin", "POST", "/api/v1/brands/pairs/{id}/activities", {"id": made["pair"]}, over={"day": TODAY})
    f.call("admin", "POST", "/api/v1/brands/{id}/reviews", {"id": b}, over={"outcome": "confirm", "deadline": None})
    f.call("admin", "PUT", "/api/v1/brands/assessment", over={"orgId": made["org"], "year": 2026, "basic": 90, "carriers": 90, "effect": 90})
    others = [x for x in f.get("admin", "/brands", {"per": 200}) if x["state"] == "review" and x["id"] != b]
    assert len(others) >= 2, f"the demo should have two brands under public review after the shortlist: {others}"
    f.call("admin", "POST", "/api/v1/brands/decisions", over={"decidedOn": TODAY, "brandIds": [others[0]["id"]]})
    made["brand_review"] = others[1]["id"]


def fill_ratings(f: Filler, made: dict, oid) -> None:
    """A branch's star rating (R-4): self-assessment, return, decisions up the chain, the public
    notice with a complaint and its verification, and the star ledger."""
    r = f.call("admin", "POST", "/api/v1/ratings", over={"branchId": oid(BRANCH), "year": YEAR}, expect=201)
    rid = made["rating"] = _id(r)
    answers = {k: {"met": True, "text": "x"} for k, v in r.json()["answers"].items() if "computedMet" not in v}
    stars5 = ["political", "business", "service", "integrity", "strong"]
    f.call("admin", "PUT", "/api/v1/ratings/{id}/assessment", {"id": rid}, over={"requestedStars": stars5, "answers": answers}, expect=200)
    adm = f.client("admin")
    assert adm.request("POST", f"/api/v1/ratings/{rid}/submit", json_body={}).status == 200
    f.call("admin", "POST", "/api/v1/ratings/{id}/return", {"id": rid}, over={"version": None})
    assert adm.request("POST", f"/api/v1/ratings/{rid}/submit", json_body={}).status == 200
    for _ in range(3):   # unit proposes, the party group recommends, the county certifies: a candidate
        f.call("admin", "POST", "/api/v1/ratings/{id}/decide", {"id": rid}, over={"stars": stars5[:4], "version": None})
    r = f.call("admin", "POST", "/api/v1/notices", over={"orgId": oid(UNIT), "year": YEAR, "startDate": TODAY, "ratingIds": [rid],
                                                         "workingDays": None})
    if r.status == 201:
        made["notice"] = _id(r)
        r = f.call(None, "POST", "/api/v1/notices/{id}/complaints", {"id": made["notice"]}, over={"ratingId": rid})
        complaints = f.get("admin", f"/notices/{made['notice']}/complaints")
        if complaints:
            f.call("admin", "POST", "/api/v1/complaints/{id}/verify", {"id": complaints[0]["id"]}, over={"upheld": False})
    final = [x for x in f.get("admin", "/ratings", {"year": YEAR - 1, "per": 200})["items"] if x.get("stage") == "final"]
    for x in final:
        held = f.get("admin", f"/ratings/{x['id']}").get("stars", [])
        if held:
            f.call("admin", "POST", "/api/v1/ratings/{id}/ledger", {"id": x["id"]}, over={"change": "remove", "star": held[-1], "date": TODAY})
            break


# --------------------------------------------------------------------------- HTML forms

@dataclass
class FormFill:
    page: str
    action: str
    status: int
    markers: list
    raw_in_answer: list


def submit_form(f: Filler, client, page: str, action_prefix: str, fixed: dict | None = None, label: str = "") -> FormFill | None:
    """Opens ``page`` in ``client`` (a cookie session), fills every text input of its form whose
    action starts with ``action_prefix`` with a payload (telephone inputs get digits), submits it
    with the page's CSRF token and checks the answer — and the page it redirects to — for the raw
    payload."""
    from security_support import parse_page, raw_needles_in
    import urllib.parse as up
    r = client.get(page)
    assert r.status == 200, f"GET {page}: {r!r}"
    forms = [x for x in parse_page(page, r.text).forms if x.method == "post" and x.action.startswith(action_prefix)]
    if not forms:
        return None
    form = forms[0]
    markers: list = []

    def fill(name, kind, maxlen):
        if fixed and name in fixed:
            return fixed[name]
        if kind == "tel":
            return "13900001234"
        m = f.marker()
        markers.append(m)
        f.markers[m] = (f"HTML {label or form.action}", name)
        return payload(m, maxlen) or "x"
    data = form.values(fill=fill)
    if fixed:
        data = [(n, fixed.get(n, v)) for n, v in data] + [(n, v) for n, v in fixed.items() if n not in {k for k, _ in data}]
    res = client.request("POST", up.urljoin(page, form.action), form=data)
    raw = raw_needles_in(res.text)
    if res.status in (302, 303) and res.location and res.location.startswith("/"):
        follow = client.get(res.location)
        raw += raw_needles_in(follow.text)
    f.calls.append((f"HTML POST {form.action}", label, res.status, res.text[:200]))
    if res.status >= 500:
        f.server_errors.append(f"HTML POST {form.action}: {res.status} {res.text[:200]}")
    return FormFill(page, form.action, res.status, markers, raw)


def fill_public_forms(f: Filler, made: dict) -> list[FormFill]:
    """The forms anyone may send without logging in (and the HTML-only ones): 微信点评 and 社会网评,
    群众点单, the public-notice complaint, the survey answer, and the community's confirmation
    of a member's service hours (no JSON API for that one)."""
    from security_support import Client
    out = []
    anon = lambda: Client(f.base, cookies=True)  # noqa: E731
    b = made["brand_review"]
    out.append(submit_form(f, anon(), f"/public/brands/{b}?ch=m", "/public/brands/", label="微信点评"))
    out.append(submit_form(f, anon(), f"/public/brands/{b}", "/public/brands/", label="社会网评"))
    for c in f.get("admin", "/brands/comments/pending"):       # approved, so they show on the public page
        f.client("admin").request("POST", f"/api/v1/brands/comments/{c['id']}/moderate", json_body={"approve": True})
    out.append(submit_form(f, anon(), "/public/demands", "/public/demands", label="群众点单"))
    if made.get("notice"):
        out.append(submit_form(f, anon(), f"/public/notices/{made['notice']}", "/public/notices/", label="问题反映"))
    r = f.client("admin").request("POST", f"/api/v1/surveys/{made['survey']}/links", json_body={"count": 1, "label": "html"})
    assert r.status == 201, r
    tokens = [x["token"] for x in f.get("admin", f"/surveys/{made['survey']}/links") if not x.get("answered")]
    if tokens:
        out.append(submit_form(f, anon(), f"/public/surveys/{tokens[0]}", "/public/surveys/", label="问卷回答"))
    if made.get("service_link"):
        out.append(submit_form(f, anon(), made["service_link"], "/public/service/", fixed={"decision": "confirm"}, label="社区服务确认"))
    return [x for x in out if x]


SKIP_ECHO = ("/login", "/logout", "/account")


def echo_forms(f: Filler, client, forms: list, label: str) -> list[FormFill]:
    """Every logged-in form with text inputs, sent with payloads in all of them: whether the
    answer is a re-shown form with errors (values echoed) or a redirect with a flash message, the
    payload must come back escaped."""
    out = []
    for form in forms:
        if form.method != "post" or not form.text_inputs or form.action.startswith(SKIP_ECHO) or form.file_inputs:
            continue
        res = submit_form(f, client, form.page, form.action, label=f"{label} {form.action}")
        if res:
            out.append(res)
    return out
