"""Online backup and restore.

While client threads write (brands and R-9 steps, member imports, comments, problems),
``dangjian backup --to FILE`` runs as a separate process on the same SQLITE_PATH. The backup must
open, pass ``PRAGMA integrity_check``, hold every write acknowledged before the backup began and
no half-writes. Then the server is stopped, ``dangjian restore --from FILE`` puts the backup in
place (the current database kept as ``<db>.before-restore``), and the restarted server serves
exactly the backup: writes made after the backup are gone. Refusals: backup onto an existing
file, restore from a missing file (non-zero exit, Chinese message, nothing touched).
"""
from __future__ import annotations

import hashlib
import re
import time
import urllib.parse

from conftest import (DbServer, Ledger, Load, check_ledger, consistency, integrity, open_db, request, run_cli)

CJK = re.compile(r"[\u4e00-\u9fff]")


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_online_backup_and_restore(tmp_path, binary, seed, summary):
    t_start = time.monotonic()
    tag = f"{seed % 100000:05d}"
    db = tmp_path / "db.sqlite"
    bak = tmp_path / "backup" / "dangjian-backup.sqlite"
    bak.parent.mkdir()
    srv = DbServer(db, tmp_path / "server.log", binary=binary)
    ledger = Ledger()
    load = None
    findings: list[str] = []
    try:
        srv.start()
        load = Load(srv, ledger, seed, tag).start()
        time.sleep(4)

        # ---- backup while the load runs
        t0 = time.monotonic()
        res = run_cli(binary, db, "backup", "--to", str(bak))
        t1 = time.monotonic()
        assert res.returncode == 0, f"backup failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
        assert "备份完成" in res.stdout, res.stdout
        time.sleep(3)                                   # writes after the backup: must be gone after restore
        load.stop()
        assert not load.errors, "load worker crashed:\n" + "\n".join(load.errors)
        acked_before = ledger.acked(before=t0)
        after = [w for w in ledger.acked() if w.sent > t1]
        assert acked_before and after, "the load wrote nothing before or after the backup"

        # ---- the backup opens, is intact, holds everything acknowledged before it began
        conn = open_db(bak)
        try:
            findings += [f"backup: {p}" for p in integrity(conn)]
            findings += [f"backup: {p}" for p in consistency(conn, tag)]
            bad, _ = check_ledger(conn, ledger, tag, acked_before=t0)
            findings += [f"backup: {p}" for p in bad]
            backup_brands = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT lower(id), state, version FROM brands")}
            backup_members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
            journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            conn.close()

        # ---- backup onto an existing file is refused, the file untouched
        bak_hash = sha256(bak)
        res = run_cli(binary, db, "backup", "--to", str(bak))
        assert res.returncode != 0, f"backup onto an existing file succeeded:\n{res.stdout}"
        assert "备份文件已存在" in res.stderr + res.stdout, res.stderr
        assert sha256(bak) == bak_hash, "the existing backup file was changed"

        # ---- restore while the server runs is refused (it would lose the server's later writes)
        res = run_cli(binary, db, "restore", "--from", str(bak))
        assert res.returncode != 0, f"restore under a running server succeeded:\n{res.stdout}"
        assert "请先停止服务" in res.stderr + res.stdout, res.stderr
        assert not db.with_name(db.name + ".before-restore").exists(), "a refused restore moved the database aside"

        # ---- stop the server; restore from a missing file is refused, nothing touched
        srv.stop()
        live = open_db(db)
        live_members = live.execute("SELECT count(*) FROM members").fetchone()[0]
        live.close()
        aside = db.with_name(db.name + ".before-restore")
        for args in (["restore", "--from", str(tmp_path / "no-such-backup.sqlite")], ["restore"]):
            res = run_cli(binary, db, *args)
            assert res.returncode != 0, f"{args} succeeded:\n{res.stdout}"
            msg = res.stderr + res.stdout
            assert CJK.search(msg) and "备份文件" in msg, f"{args}: no Chinese message: {msg!r}"
            assert not aside.exists(), f"{args} moved the database aside"
            conn = open_db(db)
            assert conn.execute("SELECT count(*) FROM members").fetchone()[0] == live_members, f"{args} changed the database"
            conn.close()

        # ---- restore
        res = run_cli(binary, db, "restore", "--from", str(bak))
        assert res.returncode == 0, f"restore failed ({res.returncode}):\n{res.stdout}\n{res.stderr}"
        assert "恢复" in res.stdout, res.stdout
        assert sha256(db) == bak_hash, "the database is not a copy of the backup after restore"
        assert sha256(bak) == bak_hash, "restore changed the backup file"
        assert aside.exists(), f"{aside} was not kept"
        conn = open_db(aside)
        try:   # the database put aside holds everything, including the writes after the backup
            findings += [f".before-restore: {p}" for p in integrity(conn)]
            bad, _ = check_ledger(conn, ledger, tag)
            findings += [f".before-restore: {p}" for p in bad]
        finally:
            conn.close()

        # ---- the restarted server serves the backup
        srv.start()
        gw = load.token("gongwei")
        st, brands = request(srv.base_url, "GET", "/brands", token=gw)
        assert st == 200, brands
        served = {b["id"].lower(): (b["state"], b["version"]) for b in brands}
        if served != backup_brands:
            diff = {k: (served.get(k), backup_brands.get(k)) for k in set(served) | set(backup_brands)
                    if served.get(k) != backup_brands.get(k)}
            findings.append(f"restored server serves other brands than the backup holds: {list(diff.items())[:10]}")
        jg = load.token("jiguan")
        checked = {"brand": 0, "import": 0, "problem": 0}
        for w, should_exist in [(w, True) for w in acked_before] + [(w, False) for w in after]:
            if w.kind == "brand_create":
                st, _ = request(srv.base_url, "GET", f"/brands/{w.data['id']}", token=gw)
                ok = (st == 200) if should_exist else (st == 404)
                kind = "brand"
            elif w.kind == "problem":
                st, _ = request(srv.base_url, "GET", f"/problems/{w.data['id']}", token=jg)
                ok = (st == 200) if should_exist else (st == 404)
                kind = "problem"
            elif w.kind == "import":
                name = w.data["names"][-1]
                st, res = request(srv.base_url, "GET", "/members?" + urllib.parse.urlencode({"q": name}), token=jg)
                found = st == 200 and any(m["name"] == name for m in res["items"])
                ok = found == should_exist
                kind = "import"
            else:
                continue
            checked[kind] += 1
            if not ok:
                findings.append(f"after restore: {w.kind} {w.data.get('name') or w.data.get('id') or w.data.get('batch')} "
                                f"{'missing' if should_exist else 'still there'} (HTTP {st})")
        for w in ledger.acked("login", before=t0):
            if request(srv.base_url, "GET", "/auth/me", token=w.data["token"])[0] != 200:
                findings.append(f"after restore: token of {w.data['user']} (from before the backup) rejected")
        # the restored database takes writes
        st, b = request(srv.base_url, "POST", "/brands", {"orgId": "ZR-B01", "name": f"恢复后{tag}", "theme": "t", "connotation": "c"},
                        token=load.token("zhibu"))
        assert st == 201, b

        counts = ledger.counts()
        summary("\n".join([
            f"backup/restore: seed {seed}, {time.monotonic() - t_start:.0f}s in all",
            f"  backup took {t1 - t0:.2f}s under load ({sum(1 for w in ledger.writes if t0 < w.answered < t1)} writes answered "
            f"meanwhile); {bak.stat().st_size // 1024} KiB, journal_mode {journal}",
            f"  writes by kind (outcomes): { {k: dict(c) for k, c in counts.items()} }",
            f"  acknowledged before the backup began: {len(acked_before)}; sent after it ended: {len(after)} "
            f"(members: backup {backup_members}, live {live_members})",
            f"  checked through the API after restore: {checked} + {len(served)} brands (state, version)",
            f"  findings: {len(findings)}",
        ] + [f"    - {f}" for f in findings[:40]]))
        assert not findings, "\n".join(findings[:40])
    finally:
        if load:
            load.stop()
        srv.stop()
