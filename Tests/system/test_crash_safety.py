"""Crash safety: SIGKILL the server 20 times at random moments while several clients write.

Writes: brand creation and R-9 transitions (2 threads), member imports (CSV, 3–400 rows),
public brand comments and problems (问题台账), all through /api/v1. Every write answered 2xx
is recorded with what it must leave behind. The server is killed with SIGKILL (seeded RNG:
``DANGJIAN_SEED``) at a moment when at least one write is in flight, restarted on the same
SQLite file, and must answer /healthz again; the load continues. At the end the file must pass
``PRAGMA integrity_check`` and hold every acknowledged write, with no half-writes (a brand whose
state is not its last brand_event, a step without its audit entry, an import batch half in).
"""
from __future__ import annotations

import random
from collections import Counter
import statistics
import time

from conftest import (DbServer, Ledger, Load, check_ledger, consistency, import_batches_present, integrity,
                      open_db, request)

KILLS = 20


def test_sigkill_during_writes_loses_nothing_acknowledged(tmp_path, binary, seed, summary):
    t0 = time.monotonic()
    rng = random.Random(seed)
    tag = f"{seed % 100000:05d}"
    db = tmp_path / "db.sqlite"
    srv = DbServer(db, tmp_path / "server.log", binary=binary)
    ledger = Ledger()
    load = None
    restart_secs: list[float] = []
    inflight_at_kill = []
    try:
        srv.start()
        load = Load(srv, ledger, seed, tag).start()
        for k in range(KILLS):
            time.sleep(rng.uniform(0.8, 3.5))
            # the random moment: the first instant after the pause when a write has been in flight for
            # at least `age` (so kills land at different points inside requests); bounded wait
            age = rng.choice([0, 0, 0.001, 0.002, 0.004, 0.008, 0.015, 0.03])
            until = time.monotonic() + 2.0
            while time.monotonic() < until and not any(a >= age for a in ledger.inflight_ages()):
                time.sleep(0.0005)
            load.up.clear()
            inflight_at_kill.append(ledger.inflight_kinds())
            srv.kill9()
            assert srv.proc.returncode == -9, srv.status()
            t = time.monotonic()
            srv.start()                       # raises with the log tail unless /healthz answers "ok"
            restart_secs.append(time.monotonic() - t)
            load.up.set()
        time.sleep(2)                         # the last server takes writes too
        load.stop()
        assert not load.errors, "load worker crashed:\n" + "\n".join(load.errors)

        # every acknowledged login still works (its token row survived)
        for w in ledger.acked("login"):
            st, _ = request(srv.base_url, "GET", "/auth/me", token=w.data["token"])
            if st != 200:
                ledger.lost_tokens.append(f"{w.data['user']}: token answered {st} at the end")
        n_brands_api = len(request(srv.base_url, "GET", "/brands", token=load.token("gongwei"))[1])

        srv.stop()
        conn = open_db(db, readonly=False)
        try:
            problems = integrity(conn)
            problems += consistency(conn, tag)
            ledger_problems, settled = check_ledger(conn, ledger, tag)
            problems += ledger_problems
            problems += [f"acknowledged login lost: {x}" for x in ledger.lost_tokens]
            n_brands_db = conn.execute("SELECT count(*) FROM brands").fetchone()[0]
            if n_brands_db != n_brands_api:
                problems.append(f"API listed {n_brands_api} brands, the file holds {n_brands_db}")
            batches = import_batches_present(conn, tag)
        finally:
            conn.close()

        # summary
        counts = ledger.counts()
        inflight_total = sum(sum(c.values()) for c in inflight_at_kill)
        inflight_kinds = sum(inflight_at_kill, start=Counter())
        statuses = {k: dict(c) for k, c in counts.items()}
        rejected = [(w.kind, w.status) for w in ledger.writes if w.outcome == "rejected"]
        lines = [
            f"crash safety: seed {seed}, {KILLS} SIGKILLs, {srv.starts} starts, {time.monotonic() - t0:.0f}s in all",
            f"  restart to /healthz ok: mean {statistics.mean(restart_secs):.2f}s, max {max(restart_secs):.2f}s",
            f"  writes by kind (outcomes): {statuses}",
            f"  acknowledged: " + ", ".join(f"{k} {c['acked']}" for k, c in sorted(counts.items())),
            f"  members imported in acknowledged batches: {sum(len(w.data['names']) for w in ledger.acked('import'))}; "
            f"batches in the file: {len(batches)}",
            f"  in flight at the kills: {inflight_total} ({dict(inflight_kinds)}); per kill {[sum(c.values()) for c in inflight_at_kill]}",
            f"  uncertain writes after restart: " + ", ".join(f"{k} {dict(c)}" for k, c in sorted(settled.items())),
            f"  rejected (status): {dict(Counter(rejected))}",
            f"  database: {db} ({db.stat().st_size // 1024} KiB), log: {srv.log_path}",
            f"  findings: {len(problems)}",
        ] + [f"    - {p}" for p in problems[:40]]
        summary("\n".join(lines))
        assert not problems, "\n".join(problems[:40])
        assert counts["transition"]["acked"] > 0 and counts["import"]["acked"] > 0 and counts["comment"]["acked"] > 0
        assert inflight_total >= KILLS // 2, f"too few writes were in flight at the kills: {inflight_total}"

        # and the server still starts on the file after all that
        srv.start()
        assert request(srv.base_url, "GET", "/auth/me", token=load.token("admin"))[0] == 200
    finally:
        if load:
            load.stop()
        srv.stop()
