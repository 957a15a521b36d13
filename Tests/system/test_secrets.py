"""Issue 7, security sweep: passwords are never logged and never stored in clear.

Against a real server on a real SQLite file (WAL on): log in with the right and a wrong password,
create a user with a password through the API, then change that user's password through the
account page; none of these passwords may appear in the server's log, in the database file, in its
WAL, nor in a `.dump` of it (only bcrypt hashes are stored)."""
import re
import sqlite3
import urllib.parse
import urllib.request
import http.cookiejar

from conftest import DbServer, request

PASSWORD = "Dangjian2026"


def test_passwords_never_logged_nor_stored(tmp_path, binary, summary):
    db = tmp_path / "secrets.sqlite"
    log = tmp_path / "server.log"
    srv = DbServer(db, log, binary=binary).start()
    try:
        wrong = "Wr0ng-Secret-7731"
        st, _ = request(srv.base_url, "POST", "/auth/login", {"username": "admin", "password": wrong})
        assert st == 401
        st, body = request(srv.base_url, "POST", "/auth/login", {"username": "admin", "password": PASSWORD})
        assert st == 200
        token = body["token"]
        st, orgs = request(srv.base_url, "GET", "/orgs?per=1", token=token)
        org_id = orgs["items"][0]["id"]
        created = "N3w-User-Secret-4419"
        st, user = request(srv.base_url, "POST", "/users", {"username": "mimatest", "displayName": "密码测试", "password": created,
                                                            "role": "committeeOfficer", "orgId": org_id}, token=token)
        assert st == 201, user
        # the new user changes the password on the account page (cookie session + CSRF)
        changed = "Chang3d-Secret-9902"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(srv.base_url + "/login").read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        opener.open(srv.base_url + "/login", urllib.parse.urlencode({"username": "mimatest", "password": created, "_csrf": csrf}).encode())
        page = opener.open(srv.base_url + "/account").read().decode()
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
        assert 'name="current"' in page and 'name="confirm"' in page, page[:300]
        form = {"_csrf": csrf, "current": created, "password": changed, "confirm": changed}
        res = opener.open(srv.base_url + "/account", urllib.parse.urlencode(form).encode())
        assert res.status == 200
        st, _ = request(srv.base_url, "POST", "/auth/login", {"username": "mimatest", "password": changed})
        assert st == 200, "the changed password works"
    finally:
        srv.stop()
    secrets = [PASSWORD, wrong, created, changed]
    text = log.read_bytes()
    # `serve --demo` prints the demo accounts' shared password on start, on purpose (README); nothing else may
    requests_log = b"\n".join(l for l in text.splitlines() if "演示账号".encode() not in l)
    for s in secrets:
        assert s.encode() not in requests_log, "a password is in the server log"
    for f in [db, db.with_name(db.name + "-wal")]:
        if f.exists():
            data = f.read_bytes()
            for s in secrets:
                assert s.encode() not in data, f"a password is in {f.name} in clear"
    con = sqlite3.connect(db)
    dump = "\n".join(con.iterdump())
    hashes = [r[0] for r in con.execute("SELECT password_hash FROM users WHERE username IN ('admin', 'mimatest')")]
    con.close()
    for s in secrets:
        assert s not in dump
    assert len(hashes) == 2 and all(h.startswith("$2") for h in hashes), "only bcrypt hashes are stored"
    summary(f"secrets: 4 passwords (right, wrong, created, changed) absent from the log ({len(text)} bytes), the database, its WAL and a dump")
