"""System-test helpers for 党建工作平台: a server that restarts on the same SQLite file, a write
load driven through the JSON API from several client threads, a ledger of every write and its
outcome, and checks of a database file against that ledger.

Stdlib only (plus pytest). The server binary is ``$DANGJIAN_BIN`` or ``.build/debug/dangjian``
under the repo root; the ``Server`` class of ``Tests/e2e/conftest.py`` is reused (loaded under
another module name, since both files are called ``conftest.py``).

Outcomes of a write:

* ``acked``     – the server answered 2xx: what it left behind must be in the database for good;
* ``uncertain`` – the connection broke (the server was killed) before an answer: it may or may
  not be there, but never half there;
* ``rejected``  – the server answered 4xx/5xx: it must not be there (or, for a 5xx, not half there).
"""
from __future__ import annotations

import http.client
import importlib.util
import json
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]

_spec = importlib.util.spec_from_file_location("dangjian_e2e_conftest", REPO_ROOT / "Tests" / "e2e" / "conftest.py")
e2e = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(e2e)
Server = e2e.Server
default_binary = e2e.default_binary
PASSWORD = e2e.PASSWORD
TODAY = e2e.TODAY

BRANCH = "ZR-B01"                # zhibu's branch; jiguan (机关党委) and gongwei (市直工委) are above it
REVIEW_BRAND = "蓝图先锋岗"       # the demo brand in state `review` (open for public comments)


# --------------------------------------------------------------------------- server on a fixed file

class DbServer(Server):
    """``dangjian serve --demo`` on a given SQLite file that survives stops, kills and restarts.

    ``--demo`` seeds only a database without the demo organisations (DemoData.seed returns early
    when org JZ-SZGW exists), so a restart on the same file keeps everything written so far.
    """

    def __init__(self, db_path: Path, log_path: Path, binary: Path | str | None = None, startup_timeout: float = 120):
        super().__init__(binary=binary, log_path=log_path, startup_timeout=startup_timeout)
        os.rmdir(self.tmpdir)                     # the base class made a temp dir we do not use
        self.tmpdir = Path(db_path).parent
        self.db_path = Path(db_path)
        self.starts = 0

    def env(self) -> dict:
        return dict(os.environ, SQLITE_PATH=str(self.db_path), DANGJIAN_TODAY=TODAY, BCRYPT_COST="4")

    def start(self) -> "DbServer":
        if not self.binary.exists():
            raise RuntimeError(f"server binary not found: {self.binary} (build it, or set DANGJIAN_BIN)")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        last_error = ""
        for attempt in range(4):
            # keep the port across restarts (clients keep their URL); a fresh one if it is taken
            if not self.port or attempt > 0:
                self.port = e2e._free_port()
            self.base_url = f"http://127.0.0.1:{self.port}"
            with open(self.log_path, "ab") as log:
                log.write(f"\n===== start #{self.starts + 1}: serve --demo --port {self.port} =====\n".encode())
                log.flush()
                self.proc = subprocess.Popen(
                    [str(self.binary), "serve", "--demo", "--hostname", "127.0.0.1", "--port", str(self.port)],
                    cwd=REPO_ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True)
            deadline = time.monotonic() + self.startup_timeout
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    last_error = f"server exited with code {self.proc.returncode}"
                    break
                if healthz(self.base_url):
                    self.starts += 1
                    return self
                time.sleep(0.05)
            else:
                last_error = f"server did not answer /healthz within {self.startup_timeout:.0f}s"
                self.kill9()
        raise RuntimeError(f"{last_error}\n----- server log -----\n{self.log_tail()}")

    def kill9(self) -> None:
        """SIGKILL, no chance to finish anything."""
        if not self.proc or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(10)

    def stop(self) -> None:
        """Graceful stop (SIGTERM); the database files are kept."""
        self._kill()


def healthz(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + "/healthz", timeout=2) as r:
            return r.read().decode().strip() == "ok"
    except (urllib.error.URLError, ConnectionError, OSError, http.client.HTTPException):
        return False


def run_cli(binary: Path, db_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``dangjian ARGS`` with the same SQLITE_PATH as the server."""
    env = dict(os.environ, SQLITE_PATH=str(db_path), DANGJIAN_TODAY=TODAY, BCRYPT_COST="4")
    return subprocess.run([str(binary), *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


# --------------------------------------------------------------------------- HTTP

class Unreachable(Exception):
    """No answer: refused, reset or cut off (the server was killed)."""


def request(base_url: str, method: str, path: str, body=None, token: str | None = None,
            raw: bytes | None = None, ctype: str | None = None, timeout: float = 60):
    """(status, parsed JSON or text); raises Unreachable when there is no HTTP answer."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(base_url + "/api/v1" + path, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", ctype or "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, payload = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, payload = e.code, e.read()
    except (urllib.error.URLError, ConnectionError, OSError, http.client.HTTPException) as e:
        raise Unreachable(repr(e)) from None
    try:
        return status, (json.loads(payload) if payload else None)
    except ValueError:
        return status, payload.decode(errors="replace")


# --------------------------------------------------------------------------- ledger of writes

@dataclass
class Write:
    kind: str                 # login | brand_create | transition | import | comment | problem
    outcome: str = "pending"  # acked | uncertain | rejected
    status: int = 0
    sent: float = 0.0         # time.monotonic() when sent / answered
    answered: float = 0.0
    data: dict = field(default_factory=dict)


class Ledger:
    """Every write sent, its outcome, and the writes in flight at each kill."""

    def __init__(self):
        self.lock = threading.Lock()
        self.writes: list[Write] = []
        self.inflight: set[int] = set()
        self.kills: list[Counter] = []
        self.lost_tokens: list[str] = []

    def begin(self, kind: str, **data) -> Write:
        w = Write(kind=kind, sent=time.monotonic(), data=data)
        with self.lock:
            self.writes.append(w)
            self.inflight.add(id(w))
        return w

    def end(self, w: Write, outcome: str, status: int = 0, **data) -> Write:
        with self.lock:
            w.outcome, w.status, w.answered = outcome, status, time.monotonic()
            w.data.update(data)
            self.inflight.discard(id(w))
        return w

    def inflight_kinds(self) -> Counter:
        with self.lock:
            return Counter(w.kind for w in self.writes if id(w) in self.inflight)

    def inflight_ages(self) -> list[float]:
        now = time.monotonic()
        with self.lock:
            return [now - w.sent for w in self.writes if id(w) in self.inflight]

    def acked(self, kind: str | None = None, before: float | None = None) -> list[Write]:
        with self.lock:
            return [w for w in self.writes if w.outcome == "acked" and (kind is None or w.kind == kind)
                    and (before is None or w.answered < before)]

    def of(self, kind: str) -> list[Write]:
        with self.lock:
            return [w for w in self.writes if w.kind == kind]

    def counts(self) -> dict[str, Counter]:
        out: dict[str, Counter] = defaultdict(Counter)
        with self.lock:
            for w in self.writes:
                out[w.kind][w.outcome] += 1
        return out


# --------------------------------------------------------------------------- load

class Load:
    """Client threads writing through the API:

    * brand workers: create a brand (支部 zhibu, all submission fields filled) and walk it through
      R-9: cultivate → submit → forward (jiguan) → [return (gongwei) → submit → forward] → accept (gongwei);
    * an import worker: member imports (CSV) of 3–400 rows with unique names, as jiguan;
    * a comment worker: public comments on the demo brand in `review` (≤ 20/min/IP, so ~1 per 3.2 s);
    * a problem worker: problems (问题台账) registered by jiguan.

    ``up`` is cleared while the server is down; workers wait for it. A write cut off by a kill is
    ``uncertain``; the worker then re-reads what it needs from the restarted server.
    """

    def __init__(self, srv: DbServer, ledger: Ledger, seed: int, tag: str, brand_workers: int = 2,
                 comments: bool = True, problems: bool = True, imports: bool = True):
        self.srv, self.ledger, self.seed, self.tag = srv, ledger, seed, tag
        self.stop_event = threading.Event()
        self.up = threading.Event()
        self.up.set()
        self.tokens: dict[str, str] = {}
        self.tokens_lock = threading.Lock()
        self.errors: list[str] = []            # unexpected worker exceptions
        self.threads: list[threading.Thread] = []
        self.review_brand_id = ""
        self.plan = [("brand", i) for i in range(brand_workers)]
        if imports:
            self.plan.append(("import", 0))
        if comments:
            self.plan.append(("comment", 0))
        if problems:
            self.plan.append(("problem", 0))

    # -- plumbing
    def call(self, method, path, body=None, user=None, raw=None, ctype=None):
        if not self.up.is_set():
            self.up.wait(180)
        tok = self.token(user) if user else None
        st, res = request(self.srv.base_url, method, path, body, tok, raw, ctype)
        if st == 401 and user:
            # an acknowledged login whose token no longer works is a lost write
            with self.ledger.lock:
                self.ledger.lost_tokens.append(f"{user}: 401 on {method} {path}")
            with self.tokens_lock:
                self.tokens.pop(user, None)
            st, res = request(self.srv.base_url, method, path, body, self.token(user), raw, ctype)
        return st, res

    def token(self, user: str) -> str:
        with self.tokens_lock:
            if user in self.tokens:
                return self.tokens[user]
        for _ in range(20):
            w = self.ledger.begin("login", user=user)
            try:
                st, res = request(self.srv.base_url, "POST", "/auth/login", {"username": user, "password": PASSWORD})
            except Unreachable:
                self.ledger.end(w, "uncertain")
                self.up.wait(180)
                time.sleep(0.2)
                continue
            if st == 200:
                self.ledger.end(w, "acked", st, token=res["token"])
                with self.tokens_lock:
                    self.tokens[user] = res["token"]
                return res["token"]
            self.ledger.end(w, "rejected", st)
            time.sleep(0.5)
        raise RuntimeError(f"cannot log in as {user}")

    def wait_up(self):
        self.up.wait(180)
        time.sleep(0.05)

    def start(self) -> "Load":
        for u in ("zhibu", "jiguan", "gongwei"):
            self.token(u)
        st, brands = self.call("GET", "/brands", user="gongwei", body=None)
        assert st == 200, brands
        self.review_brand_id = next(b["id"] for b in brands if b["name"] == REVIEW_BRAND and b["state"] == "review")
        for kind, i in self.plan:
            t = threading.Thread(target=self._run, args=(kind, i), name=f"load-{kind}-{i}", daemon=True)
            self.threads.append(t)
            t.start()
        return self

    def stop(self):
        self.stop_event.set()
        self.up.set()
        for t in self.threads:
            t.join(120)

    def _run(self, kind, i):
        rng = random.Random(f"{self.seed}-{kind}-{i}")
        try:
            getattr(self, f"_{kind}_worker")(i, rng)
        except Exception as e:  # noqa: BLE001 - reported by the test
            import traceback
            self.errors.append(f"{kind}-{i}: {e!r}\n{traceback.format_exc()}")

    # -- brands
    def _brand_worker(self, i, rng):
        n = 0
        brand = None  # dict(id, name, state, version, returns)
        while not self.stop_event.is_set():
            time.sleep(rng.uniform(0.02, 0.15))
            if brand is None:
                n += 1
                name = f"崩测{self.tag}-{i}-{n}"
                body = {"orgId": BRANCH, "name": name, "theme": "压力测试主题", "connotation": "压力测试内涵",
                        "philosophy": "理念", "carriers": "载体", "longPlan": "长期规划", "yearPlan": "年度计划",
                        "achievements": "创建成效"}
                w = self.ledger.begin("brand_create", name=name)
                try:
                    st, res = self.call("POST", "/brands", body, user="zhibu")
                except Unreachable:
                    self.ledger.end(w, "uncertain")
                    self.wait_up()
                    brand = self._find_brand(name)
                    continue
                if st == 201:
                    self.ledger.end(w, "acked", st, id=res["id"], state=res["state"], version=res["version"])
                    brand = {"id": res["id"], "name": name, "state": res["state"], "version": res["version"], "returns": 0}
                else:
                    self.ledger.end(w, "rejected", st, error=str(res)[:300])
                continue
            state = brand["state"]
            if state in ("draft",):
                who, action, body = "zhibu", "cultivate", {}
            elif state in ("cultivating", "returned"):
                who, action, body = "zhibu", "submit", {}
            elif state == "submitted":
                who, action, body = "jiguan", "forward", {"opinion": "审核通过，同意报送"}
            elif state == "forwarded":
                if brand["returns"] < 2 and rng.random() < 0.4:
                    who, action, body = "gongwei", "return", {"reasons": ["vague"], "note": "请提炼品牌内涵"}
                else:
                    who, action, body = "gongwei", "accept", {}
            else:  # preliminary: done with this brand
                brand = None
                continue
            body["version"] = brand["version"]
            w = self.ledger.begin("transition", id=brand["id"], name=brand["name"], action=action,
                                  from_state=state, from_version=brand["version"])
            try:
                st, res = self.call("POST", f"/brands/{brand['id']}/{action}", body, user=who)
            except Unreachable:
                self.ledger.end(w, "uncertain")
                self.wait_up()
                brand = self._reload_brand(brand)
                continue
            if st == 200:
                self.ledger.end(w, "acked", st, state=res["state"], version=res["version"])
                brand["state"], brand["version"] = res["state"], res["version"]
                if action == "return":
                    brand["returns"] += 1
            else:
                self.ledger.end(w, "rejected", st, error=str(res)[:300])
                brand = self._reload_brand(brand)

    def _find_brand(self, name):
        for _ in range(10):
            try:
                st, res = self.call("GET", "/brands?" + urllib.parse.urlencode({"q": name}), user="zhibu")
            except Unreachable:
                self.wait_up()
                continue
            if st == 200:
                hit = [b for b in res if b["name"] == name]
                return ({"id": hit[0]["id"], "name": name, "state": hit[0]["state"], "version": hit[0]["version"], "returns": 0}
                        if hit else None)
            time.sleep(0.2)
        return None

    def _reload_brand(self, brand):
        for _ in range(10):
            try:
                st, res = self.call("GET", f"/brands/{brand['id']}", user="zhibu")
            except Unreachable:
                self.wait_up()
                continue
            if st == 200:
                b = res.get("brand", res)
                brand.update(state=b["state"], version=b["version"])
                return brand
            time.sleep(0.2)
        return None

    # -- member imports
    def _import_worker(self, i, rng):
        n = 0
        while not self.stop_event.is_set():
            time.sleep(rng.uniform(0.05, 0.3))
            n += 1
            size = rng.choice([3, 5, 8, 12, 20, 30, 50]) if rng.random() < 0.8 else rng.randint(150, 400)
            names = [f"崩{self.tag}导{n}-{k}" for k in range(size)]
            lines = ["姓名,性别,出生日期,政治面貌,入党日期,所在支部编码"]
            for k, nm in enumerate(names):
                lines.append(f"{nm},{'男' if k % 2 else '女'},19{70 + k % 20}-0{1 + k % 9}-1{k % 10},正式党员,2015-07-01,{BRANCH}")
            w = self.ledger.begin("import", batch=n, names=names)
            try:
                st, res = self.call("POST", "/members/import", user="jiguan",
                                    raw=("\n".join(lines) + "\n").encode(), ctype="text/csv")
            except Unreachable:
                self.ledger.end(w, "uncertain")
                self.wait_up()
                continue
            if st == 200 and res.get("imported") == size:
                self.ledger.end(w, "acked", st)
            else:
                self.ledger.end(w, "rejected", st, error=str(res)[:300])

    # -- public comments
    def _comment_worker(self, i, rng):
        n = 0
        while not self.stop_event.is_set():
            self.stop_event.wait(rng.uniform(3.1, 3.6))   # the limit is 20 per minute per IP
            if self.stop_event.is_set():
                break
            n += 1
            body = f"崩测评议{self.tag}-{n}：办事高效"
            w = self.ledger.begin("comment", body=body)
            try:
                if not self.up.is_set():
                    self.up.wait(180)
                st, res = request(self.srv.base_url, "POST", f"/public/brands/{self.review_brand_id}/comments",
                                  {"rating": 1 + n % 5, "body": body, "author": "压测"})
            except Unreachable:
                self.ledger.end(w, "uncertain")
                self.wait_up()
                continue
            if st == 201:
                self.ledger.end(w, "acked", st, id=res["id"])
            else:
                self.ledger.end(w, "rejected", st, error=str(res)[:300])

    # -- problems
    def _problem_worker(self, i, rng):
        n = 0
        while not self.stop_event.is_set():
            time.sleep(rng.uniform(0.1, 0.4))
            n += 1
            desc = f"崩测问题{self.tag}-{n}"
            w = self.ledger.begin("problem", description=desc)
            body = {"orgId": BRANCH, "source": "quarterly", "aspect": "political", "description": desc,
                    "foundOn": "2026-11-20", "deadline": "2026-12-20", "leader": "王局长"}
            try:
                st, res = self.call("POST", "/problems", body, user="jiguan")
            except Unreachable:
                self.ledger.end(w, "uncertain")
                self.wait_up()
                continue
            if st == 201:
                self.ledger.end(w, "acked", st, id=res["id"])
            else:
                self.ledger.end(w, "rejected", st, error=str(res)[:300])


# --------------------------------------------------------------------------- checks on a database file

def open_db(path: Path, readonly: bool = True) -> sqlite3.Connection:
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    return sqlite3.connect(uri, uri=True, timeout=30)


def integrity(conn: sqlite3.Connection) -> list[str]:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    out = [] if rows == ["ok"] else [f"PRAGMA integrity_check: {rows[:20]}"]
    fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    if fk:
        out.append(f"PRAGMA foreign_key_check: {len(fk)} violations, e.g. {fk[:5]}")
    return out


def consistency(conn: sqlite3.Connection, tag: str) -> list[str]:
    """No half-writes, whatever the ledger says:

    * every brand's state is the to_state of its last state-changing brand_event, seqs are 1..n;
    * for this run's brands: version = number of steps, every brand_event has its audit entry
      (same action, same count) and vice versa, and an accepted brand's survey exists;
    * every member of this run has its `import` audit entry and vice versa, and every import batch
      is entirely in or entirely absent;
    * every problem of this run has its `create` audit entry.
    """
    bad: list[str] = []
    events = defaultdict(list)
    for bid, seq, kind, to_state in conn.execute("SELECT upper(brand_id), seq, kind, to_state FROM brand_events ORDER BY seq"):
        events[bid].append((seq, kind, to_state))
    audits = defaultdict(Counter)
    for eid, action in conn.execute("SELECT upper(entity_id), action FROM audit_entries WHERE entity_type = 'brand'"):
        audits[eid][action] += 1
    surveys = {r[0] for r in conn.execute("SELECT upper(id) FROM surveys")}
    for bid, name, state, version, survey in conn.execute("SELECT upper(id), name, state, version, upper(survey_id) FROM brands"):
        ev = events.get(bid, [])
        if [e[0] for e in ev] != list(range(1, len(ev) + 1)):
            bad.append(f"brand {name}: event seqs {[e[0] for e in ev]} are not 1..n")
        moves = [e for e in ev if e[2]]
        if not moves or moves[-1][2] != state:
            bad.append(f"brand {name}: state {state!r} but last brand_event to_state {moves[-1][2] if moves else None!r} (events {ev})")
        if survey and survey not in surveys:
            bad.append(f"brand {name}: survey {survey} missing")
        if name.startswith(f"崩测{tag}-"):
            if version != len(ev) - 1:
                bad.append(f"brand {name}: version {version} but {len(ev)} brand_events {[e[1] for e in ev]}")
            kinds = Counter(e[1] for e in ev)
            if kinds != audits.get(bid, Counter()):
                bad.append(f"brand {name}: brand_events {dict(kinds)} != audit entries {dict(audits.get(bid, {}))}")
            if state == "preliminary" and not survey:
                bad.append(f"brand {name}: accepted without its survey")
    # members of this run ↔ their import audit entries
    members = {r[0]: r[1] for r in conn.execute("SELECT upper(id), name FROM members WHERE name LIKE ?", (f"崩{tag}导%",))}
    audited = Counter(r[0] for r in conn.execute(
        "SELECT upper(entity_id) FROM audit_entries WHERE entity_type = 'member' AND action = 'import' AND entity_label LIKE ?",
        (f"崩{tag}导%",)))
    if set(members) != set(audited):
        missing = [members[m] for m in set(members) - set(audited)][:10]
        orphans = list(set(audited) - set(members))[:10]
        bad.append(f"imports: members without audit entry {missing}, audit entries without member {orphans}")
    dup = [k for k, c in audited.items() if c > 1]
    if dup:
        bad.append(f"imports: {len(dup)} members audited more than once")
    # problems of this run ↔ audit
    probs = {r[0]: r[1] for r in conn.execute("SELECT upper(id), description FROM rectifications WHERE description LIKE ?", (f"崩测问题{tag}-%",))}
    paud = {r[0] for r in conn.execute("SELECT upper(entity_id) FROM audit_entries WHERE entity_type = 'problem' AND action = 'create'")}
    lost = [d for p, d in probs.items() if p not in paud]
    if lost:
        bad.append(f"problems without audit entry: {lost[:10]}")
    return bad


def import_batches_present(conn: sqlite3.Connection, tag: str) -> dict[int, int]:
    """batch number → members of that batch in the database."""
    out: Counter = Counter()
    for (name,) in conn.execute("SELECT name FROM members WHERE name LIKE ?", (f"崩{tag}导%",)):
        out[int(name[len(f"崩{tag}导"):].split("-")[0])] += 1
    return dict(out)


def check_ledger(conn: sqlite3.Connection, ledger: Ledger, tag: str, acked_before: float | None = None) -> tuple[list[str], dict]:
    """Every acknowledged write (answered before ``acked_before``, if given) is in the database;
    every import batch is all-or-none (rejected: none); rejected comments are absent.
    Returns (problems, how the uncertain writes ended: kind → Counter(applied/absent))."""
    bad: list[str] = []
    settled: dict[str, Counter] = defaultdict(Counter)
    brands = {r[0]: r[1:] for r in conn.execute("SELECT upper(id), name, state, version FROM brands")}
    by_name = {r[1]: r[0] for r in conn.execute("SELECT upper(id), name FROM brands")}
    events = {(r[0], r[1]): (r[2], r[3], r[4]) for r in conn.execute(
        "SELECT upper(brand_id), seq, kind, from_state, to_state FROM brand_events")}
    audit_brand = Counter((r[0], r[1]) for r in conn.execute(
        "SELECT upper(entity_id), action FROM audit_entries WHERE entity_type = 'brand'"))
    with ledger.lock:
        writes = list(ledger.writes)
    acked_transitions = Counter()
    for w in writes:
        is_acked = w.outcome == "acked" and (acked_before is None or w.answered < acked_before)
        d = w.data
        if w.kind == "brand_create":
            bid = by_name.get(d["name"])
            if is_acked:
                if d["id"].upper() not in brands:
                    bad.append(f"acknowledged brand {d['name']} ({d['id']}) is missing")
                elif events.get((d["id"].upper(), 1), (None,))[0] != "create":
                    bad.append(f"acknowledged brand {d['name']}: no `create` brand_event")
                elif audit_brand[(d["id"].upper(), "create")] != 1:
                    bad.append(f"acknowledged brand {d['name']}: {audit_brand[(d['id'].upper(), 'create')]} `create` audit entries")
            elif w.outcome == "uncertain":
                settled["brand_create"]["applied" if bid else "absent"] += 1
            elif w.outcome == "rejected" and bid and acked_before is None:
                bad.append(f"rejected brand creation ({w.status}) {d['name']} is in the database")
        elif w.kind == "transition":
            bid = d["id"].upper()
            if is_acked:
                acked_transitions[(bid, d["action"])] += 1
                ev = events.get((bid, d["version"] + 1))
                if bid not in brands:
                    bad.append(f"brand {d['name']} of an acknowledged {d['action']} is missing")
                elif ev is None or ev[0] != d["action"] or ev[2] != d["state"]:
                    bad.append(f"acknowledged {d['action']} of {d['name']} (v{d['version']}, → {d['state']}) missing: "
                               f"brand_event #{d['version'] + 1} is {ev}")
                elif brands[bid][2] < d["version"]:
                    bad.append(f"brand {d['name']}: version {brands[bid][2]} < acknowledged {d['version']}")
            elif w.outcome == "uncertain":
                ev = events.get((bid, d["from_version"] + 2))
                settled["transition"]["applied" if ev and ev[0] == d["action"] and ev[1] == d["from_state"] else "absent"] += 1
        elif w.kind == "import":
            present = conn.execute(
                f"SELECT count(*) FROM members WHERE name IN ({','.join('?' * len(d['names']))})", d["names"]).fetchone()[0]
            n = len(d["names"])
            if present not in (0, n):
                bad.append(f"import batch {d['batch']} ({w.outcome}) is half in: {present} of {n} members")
            elif is_acked and present != n:
                bad.append(f"acknowledged import batch {d['batch']}: {present} of {n} members present")
            elif w.outcome == "rejected" and present and acked_before is None:
                bad.append(f"rejected import batch {d['batch']} ({w.status}) is in the database")
            elif w.outcome == "uncertain":
                settled["import"]["applied" if present else "absent"] += 1
        elif w.kind == "comment":
            rows = conn.execute("SELECT upper(id) FROM brand_comments WHERE body = ?", (d["body"],)).fetchall()
            if len(rows) > 1:
                bad.append(f"comment {d['body']!r} stored {len(rows)} times")
            if is_acked and [r[0] for r in rows] != [d["id"].upper()]:
                bad.append(f"acknowledged comment {d['body']!r} ({d['id']}) missing")
            elif w.outcome == "rejected" and rows and acked_before is None:
                bad.append(f"rejected comment ({w.status}) {d['body']!r} is in the database")
            elif w.outcome == "uncertain":
                settled["comment"]["applied" if rows else "absent"] += 1
        elif w.kind == "problem":
            rows = conn.execute("SELECT upper(id) FROM rectifications WHERE description = ?", (d["description"],)).fetchall()
            if is_acked:
                if [r[0] for r in rows] != [d["id"].upper()]:
                    bad.append(f"acknowledged problem {d['description']} ({d['id']}) missing: {rows}")
                elif not conn.execute("SELECT 1 FROM audit_entries WHERE entity_type = 'problem' AND action = 'create' "
                                      "AND upper(entity_id) = ?", (d["id"].upper(),)).fetchone():
                    bad.append(f"acknowledged problem {d['description']}: no audit entry")
            elif w.outcome == "rejected" and rows and acked_before is None:
                bad.append(f"rejected problem ({w.status}) {d['description']} is in the database")
            elif w.outcome == "uncertain":
                settled["problem"]["applied" if rows else "absent"] += 1
    for (bid, action), n in acked_transitions.items():
        if audit_brand[(bid, action)] < n:
            bad.append(f"brand {brands.get(bid, ('?',))[0]}: {n} acknowledged {action} but {audit_brand[(bid, action)]} audit entries")
    return bad, settled


# --------------------------------------------------------------------------- pytest wiring

_SUMMARIES: list[str] = []


@pytest.fixture
def summary():
    """``summary(text)``: printed in pytest's terminal summary, even under -q without -s."""
    def add(text: str) -> None:
        print(text)
        _SUMMARIES.append(text)
    return add


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _SUMMARIES:
        terminalreporter.section("system test summaries")
        for s in _SUMMARIES:
            for line in s.splitlines():
                terminalreporter.write_line(line)


@pytest.fixture
def binary() -> Path:
    b = default_binary()
    if not b.exists():
        pytest.fail(f"server binary not found: {b} (build it, or set DANGJIAN_BIN)")
    return b


@pytest.fixture
def seed() -> int:
    s = int(os.environ.get("DANGJIAN_SEED") or random.SystemRandom().randrange(1, 10**9))
    print(f"seed: {s} (rerun with DANGJIAN_SEED={s})")
    return s
