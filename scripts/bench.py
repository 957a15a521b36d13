#!/usr/bin/env python3
"""Benchmark driver for 党建工作平台 (run it through scripts/bench, which builds the release binary).

    scripts/bench [--quick] [--skip-pg | --skip-sqlite] [--only B1,B2,B3] [--demo] [--keep] [--out FILE]

Every figure is a ratio against a limit measured in the same run on the same machine (B1, B2) or
against a fixed target (B3, B4); see BENCHMARKS.md.

  B1  `dangjian evaluate --year Y` (every branch's computed criteria, R-6 levels, R-7 verdicts)
      against one aggregate query reading the same rows in sqlite3 / psql (the scan).  <= 3x the scan.
  B2  wrk, 64 connections, 20 s per page, against the heaviest pages and API lists of a unit officer
      and a committee officer, and /healthz.  p99 < 50 ms per page; dashboard >= 25% of /healthz req/s.
  B3  `dangjian import members` of a generated 500,000-row CSV (SQLite): >= 20,000 rows/s; a second
      CSV with one bad row near the end is refused and keeps nothing.
  B4  peak RSS of the server during B2 (sampled from /proc/PID/status): < 300 MB.
  B1 and B2 (and B4) run on SQLite and on PostgreSQL (a private cluster on a loopback port).

Environment (all optional):
  DANGJIAN_BIN            server binary (scripts/bench sets it after the release build)
  BENCH_BRANCHES, BENCH_MEMBERS, BENCH_YEARS, BENCH_SEED   generator arguments (20000, 500000, 3, 1)
  BENCH_IMPORT_ROWS       B3 CSV size (500000; --quick 20000)
  BENCH_DURATION          seconds per wrk run (20; --quick 5)
  BENCH_CONNECTIONS       wrk connections (64)      BENCH_THREADS  wrk threads (number of cores, at most 4)
  BENCH_YEAR              year for B1 and the pages (this year)
  BENCH_UNIT_USER, BENCH_COMMITTEE_USER, BENCH_PASSWORD     logins (danwei, gongwei, Dangjian2026;
                          with --demo: dangzu, gongwei)
  BENCH_EVAL_RUNS         B1 repetitions, median taken (3)
  BENCH_SERVER_LOG        log level of the server under load (default: the product's own, info)

The dataset is generated once per (generator arguments, binary) and kept in bench/data/
(SQLite file, and a PostgreSQL data directory); each run works on a copy, so the cached set stays
as generated. Exit status: 0 when every benchmark ran, even if targets were missed; 2 when
something broke (the error is in the table and in results.json).
"""
import argparse
import datetime
import hashlib
import gzip
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench", "data")
MB = 1024 * 1024

# ---------------------------------------------------------------------------------------- helpers


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class BenchError(Exception):
    pass


class SkipDB(Exception):
    pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run(cmd, env=None, input=None, check=True, timeout=None, cwd=ROOT):
    """Runs a command; returns (rc, stdout+stderr text, wall seconds, peak RSS bytes of the child)."""
    started = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out_chunks = []

    def pump():
        out_chunks.append(p.stdout.read())
    t = threading.Thread(target=pump, daemon=True)
    t.start()
    if input is not None:
        p.stdin.write(input.encode())
        p.stdin.close()
    try:
        _, status, ru = os.wait4(p.pid, 0) if timeout is None else wait4_timeout(p, timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        os.waitpid(p.pid, 0)
        raise BenchError(f"timed out after {timeout} s: {' '.join(cmd[:3])}")
    p.returncode = os.waitstatus_to_exitcode(status)
    t.join()
    wall = time.monotonic() - started
    out = b"".join(out_chunks).decode(errors="replace")
    if check and p.returncode != 0:
        raise BenchError(f"{' '.join(cmd[:4])} failed (exit {p.returncode}):\n{tail(out)}")
    return p.returncode, out, wall, ru.ru_maxrss * 1024


def wait4_timeout(p, timeout):
    deadline = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            return pid, status, ru
        if time.monotonic() > deadline:
            raise subprocess.TimeoutExpired(p.args, timeout)
        time.sleep(0.05)


def tail(text, n=15):
    return "\n".join(text.strip().splitlines()[-n:])


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def median(xs):
    return statistics.median(xs) if xs else None


def proc_status(pid):
    """VmRSS and VmHWM of a process in bytes (None when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            d = {}
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    k, v = line.split(":", 1)
                    d[k] = int(v.split()[0]) * 1024
            return d
    except OSError:
        return None


def machine_info():
    info = {"cores": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["memory_mb"] = int(line.split()[1]) // 1024
    except OSError:
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["loadavg_at_start"] = list(os.getloadavg())

    def out(cmd):
        try:
            return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return None
    info["commit"] = out(["git", "rev-parse", "HEAD"])
    status = out(["git", "status", "--porcelain", "--untracked-files=no"])
    info["dirty"] = bool(status) if status is not None else None
    info["sqlite3"] = (out(["sqlite3", "--version"]) or "").split(" ")[0] or None
    info["wrk"] = (out(["wrk", "--version"]) or "").splitlines()[0] if shutil.which("wrk") else None
    return info


# ------------------------------------------------------------------------------------ the server


class Server:
    """`dangjian serve` on a loopback port, with its RSS sampled while it runs."""

    def __init__(self, binary, env, logpath):
        self.binary, self.env, self.logpath = binary, env, logpath
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.samples = []          # (monotonic time, VmRSS)
        self.hwm = 0
        self._stop = threading.Event()

    def start(self, timeout=600):
        self.logfile = open(self.logpath, "wb")
        self.proc = subprocess.Popen([self.binary, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)],
                                     cwd=ROOT, env=self.env, stdout=self.logfile, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"server exited with {self.proc.returncode} while starting:\n{tail(self.log_text())}")
            try:
                st, _, _ = http_get(self.base + "/healthz", timeout=2)
                if st == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        else:
            raise BenchError(f"server did not answer /healthz within {timeout} s")
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self):
        while not self._stop.is_set():
            s = proc_status(self.proc.pid)
            if s is None:
                return
            self.samples.append((time.monotonic(), s.get("VmRSS", 0)))
            self.hwm = max(self.hwm, s.get("VmHWM", 0))
            time.sleep(0.1)

    def peak_between(self, t0, t1):
        xs = [rss for t, rss in self.samples if t0 <= t <= t1]
        return max(xs) if xs else None

    def rss_now(self):
        s = proc_status(self.proc.pid) or {}
        return s.get("VmRSS")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        try:
            with open(self.logpath, "rb") as f:
                return f.read()[-200_000:].decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        self._stop.set()
        if self.proc and self.proc.poll() is None:
            s = proc_status(self.proc.pid)
            if s:
                self.hwm = max(self.hwm, s.get("VmHWM", 0))
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "logfile", None):
            self.logfile.close()


def http_get(url, headers=None, timeout=60):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        c.request("GET", u.path + (("?" + u.query) if u.query else ""), headers=headers or {})
        r = c.getresponse()
        return r.status, r.getheaders(), r.read()
    finally:
        c.close()


def http_post(url, body, content_type, headers=None, timeout=60):
    u = urllib.parse.urlsplit(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        h = {"Content-Type": content_type}
        h.update(headers or {})
        c.request("POST", u.path, body=body, headers=h)
        r = c.getresponse()
        return r.status, r.getheaders(), r.read()
    finally:
        c.close()


def set_cookies(headers):
    out = {}
    for k, v in headers:
        if k.lower() == "set-cookie":
            name, _, rest = v.partition("=")
            out[name.strip()] = rest.split(";", 1)[0]
    return out


def page_login(base, username, password):
    """Cookie session as a browser gets it: GET /login for the CSRF field and cookie, POST the form."""
    st, hs, body = http_get(base + "/login")
    if st != 200:
        raise BenchError(f"GET /login answered {st}")
    cookies = set_cookies(hs)
    m = re.search(rb'name="_csrf"\s+value="([^"]*)"', body) or re.search(rb'value="([^"]*)"\s+name="_csrf"', body)
    if not m:
        raise BenchError("no _csrf field on /login")
    form = urllib.parse.urlencode({"username": username, "password": password, "_csrf": m.group(1).decode()})
    st, hs, body = http_post(base + "/login", form, "application/x-www-form-urlencoded",
                             headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    cookies.update(set_cookies(hs))
    location = dict((k.lower(), v) for k, v in hs).get("location", "")
    if st not in (302, 303) or "/login" in location:
        raise BenchError(f"page login as {username} failed: HTTP {st} {body[:300]!r}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def api_login(base, username, password):
    st, _, body = http_post(base + "/api/v1/auth/login", json.dumps({"username": username, "password": password}),
                            "application/json")
    if st != 200:
        raise BenchError(f"API login as {username} failed: HTTP {st} {body[:300]!r}")
    return json.loads(body)["token"]


# ------------------------------------------------------------------------------------------- wrk

WRK_LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKJSON {\"requests\":%d,\"duration_us\":%d,\"bytes\":%d,\"connect\":%d,\"read\":%d,\"write\":%d,\"status\":%d,\"timeout\":%d,\"min_us\":%d,\"mean_us\":%.1f,\"stdev_us\":%.1f,\"max_us\":%d,\"p50_us\":%d,\"p75_us\":%d,\"p90_us\":%d,\"p99_us\":%d,\"p999_us\":%d}\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
"""


def wrk(url, headers, duration, connections, threads, lua_path):
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "60s", "--latency",
           "-s", lua_path]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    cmd.append(url)
    rc, out, _, _ = run(cmd, check=False, timeout=duration + 120)
    m = re.search(r"^WRKJSON (\{.*\})$", out, re.M)
    if rc != 0 or not m:
        raise BenchError(f"wrk failed on {url} (exit {rc}):\n{tail(out)}")
    r = json.loads(m.group(1))
    secs = r["duration_us"] / 1e6
    r["rps"] = r["requests"] / secs if secs else 0.0
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return r


# ----------------------------------------------------------------------------------- PostgreSQL


class Postgres:
    """A private cluster on a loopback port (as user postgres when we are root), like scripts/test."""

    def __init__(self, datadir):
        self.bin = self.find_bin()
        self.dir = datadir              # holds data/, log, the socket
        self.port = free_port()
        self.running = False

    @staticmethod
    def find_bin():
        cands = sorted((p for p in (os.path.join("/usr/lib/postgresql", v, "bin") for v in
                       (os.listdir("/usr/lib/postgresql") if os.path.isdir("/usr/lib/postgresql") else []))
                        if os.path.exists(os.path.join(p, "initdb"))),
                       key=lambda p: [int(x) for x in re.findall(r"\d+", p)])
        if not cands:
            raise BenchError("PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql, or --skip-pg)")
        return cands[-1]

    @property
    def major(self):
        return os.path.basename(os.path.dirname(self.bin))

    def as_pg(self, args, check=True, timeout=None):
        if os.geteuid() == 0:
            cmd = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(shq(a) for a in args)]
        else:
            cmd = args
        return run(cmd, check=check, timeout=timeout)

    def initdb(self):
        os.makedirs(self.dir, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        self.as_pg([f"{self.bin}/initdb", "-D", f"{self.dir}/data", "-U", "postgres", "-A", "trust", "-E", "UTF8",
                    "--locale=C.UTF-8"])

    def start(self, bulk=False):
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1"
        if bulk:   # generation only: the data is rebuilt if the machine crashes meanwhile
            opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self.as_pg([f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-o", opts, "-l", f"{self.dir}/log", "-w", "start"],
                   timeout=120)
        self.running = True

    def stop(self):
        if self.running:
            self.as_pg([f"{self.bin}/pg_ctl", "-D", f"{self.dir}/data", "-m", "fast", "-w", "stop"], check=False, timeout=120)
            self.running = False

    def url(self, db):
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}?sslmode=disable"

    def psql(self, db, *commands, check=True):
        args = [f"{self.bin}/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                str(self.port), "-U", "postgres", "-d", db]
        for c in commands:
            args += ["-c", c]
        return run(args, check=check)

    def createdb(self, name, template=None):
        args = [f"{self.bin}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        if template:
            args += ["-T", template]
        run(args + [name])

    def dropdb(self, name):
        run([f"{self.bin}/dropdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "--if-exists", name],
            check=False)


def shq(s):
    return "'" + str(s).replace("'", "'\\''") + "'"


# ---------------------------------------------------------------------------------- the benchmarks


class Bench:
    def __init__(self, args):
        self.args = args
        q = args.quick
        env = os.environ
        self.binary = env.get("DANGJIAN_BIN") or os.path.join(ROOT, ".build-release", "release", "dangjian")
        if not os.access(self.binary, os.X_OK):
            raise SystemExit(f"no server binary at {self.binary}: run scripts/bench (it builds one) or set DANGJIAN_BIN")
        self.gen = {
            "branches": int(env.get("BENCH_BRANCHES", 300 if q else 20000)),
            "members": int(env.get("BENCH_MEMBERS", 10000 if q else 500000)),
            "years": int(env.get("BENCH_YEARS", 3)),
            "seed": int(env.get("BENCH_SEED", 1)),
        }
        self.import_rows = int(env.get("BENCH_IMPORT_ROWS", 20000 if q else 500000))
        self.duration = int(env.get("BENCH_DURATION", 5 if q else 20))
        self.connections = int(env.get("BENCH_CONNECTIONS", 64))
        self.threads = int(env.get("BENCH_THREADS", max(1, min(4, os.cpu_count() or 1))))
        self.year = int(env.get("BENCH_YEAR", datetime.date.today().year))
        self.eval_runs = int(env.get("BENCH_EVAL_RUNS", 3))
        self.password = env.get("BENCH_PASSWORD", "Dangjian2026")
        self.users = {
            "unit": env.get("BENCH_UNIT_USER", "dangzu" if args.demo else "danwei"),
            "committee": env.get("BENCH_COMMITTEE_USER", "gongwei"),
        }
        self.only = {s.strip().upper() for s in args.only.split(",")} if args.only else {"B1", "B2", "B3"}
        if "B4" in self.only:                  # B4 is measured during B2
            self.only.add("B2")
        if self.only - {"B1", "B2", "B3", "B4"}:
            raise SystemExit(f"--only takes B1, B2, B3, B4; not {', '.join(sorted(self.only - {'B1', 'B2', 'B3', 'B4'}))}")
        self.results = []          # one entry per figure
        self.errors = []
        self.info = {}
        self.tmp = tempfile.mkdtemp(prefix="run-", dir=self.ensure_data())
        self.lua = os.path.join(self.tmp, "report.lua")
        with open(self.lua, "w") as f:
            f.write(WRK_LUA)

    @staticmethod
    def ensure_data():
        os.makedirs(DATA, exist_ok=True)
        return DATA

    def env(self, **extra):
        e = dict(os.environ)
        e.pop("DATABASE_URL", None)
        e.pop("DANGJIAN_TEST_CLOCK", None)
        e.setdefault("LOG_LEVEL", "warning")     # CLI runs: no migration chatter
        e.update({k: v for k, v in extra.items() if v is not None})
        return e

    def record(self, bench, db, name, value, unit, limit=None, limit_name=None, ratio=None, target=None, ok=None, **details):
        r = {"bench": bench, "db": db, "name": name, "value": value, "unit": unit, "limit": limit,
             "limit_name": limit_name, "ratio": ratio, "target": target,
             "verdict": None if ok is None else ("PASS" if ok else "FAIL")}
        r.update(details)
        self.results.append(r)
        return r

    def fail(self, bench, db, e):
        msg = str(e)
        log(f"{bench} on {db} broke: {msg}")
        self.errors.append({"bench": bench, "db": db, "error": msg})
        lines = [l.strip() for l in msg.splitlines() if l.strip()] or ["?"]
        short = lines[0] + (" " + lines[-1] if len(lines) > 1 and lines[0].endswith(":") else "")
        self.results.append({"bench": bench, "db": db, "name": "(broke)", "verdict": "ERROR", "error": short[:300]})

    # ----------------------------------------------------------------------------- datasets

    def dataset_key(self, kind):
        # The dataset depends on the generator and the models it writes, not on the rest of the
        # binary: a change elsewhere (a page, a query, a new index migration, which the server
        # applies to its working copy on start) reuses the cached set.
        if not hasattr(self, "_gen_sha"):
            h = hashlib.sha256()
            srcs = [os.path.join(ROOT, "Sources/App/Services/Generator.swift")]
            srcs += sorted(os.path.join(ROOT, "Sources/App/Models", f) for f in os.listdir(os.path.join(ROOT, "Sources/App/Models")))
            if self.args.demo:
                srcs += sorted(os.path.join(ROOT, "Sources/App/Services", f) for f in os.listdir(os.path.join(ROOT, "Sources/App/Services")) if f.startswith("Demo"))
            for f in srcs:
                h.update(f.encode())
                h.update(sha256_file(f).encode())
            self._gen_sha = h.hexdigest()
        spec = {"kind": kind, "demo": bool(self.args.demo), "generator": self._gen_sha}
        if not self.args.demo:
            spec.update(self.gen)
        return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16], spec

    def generate_args(self):
        if self.args.demo:
            return ["demo"]
        g = self.gen
        return ["generate", "--branches", str(g["branches"]), "--members", str(g["members"]), "--years", str(g["years"]),
                "--seed", str(g["seed"])]

    def run_generator(self, extra_args, env, logpath):
        """Streams the generator's progress; returns the counts from its `generated: {json}` line."""
        cmd = [self.binary] + self.generate_args() + extra_args
        log("running " + " ".join(cmd[1:]))
        started = time.monotonic()
        counts = None
        with open(logpath, "w") as lf:
            p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 errors="replace")
            last = 0.0
            for line in p.stdout:
                lf.write(line)
                line = line.rstrip()
                if line.startswith("generated: "):
                    counts = json.loads(line[len("generated: "):])
                elif line and time.monotonic() - last > 5:     # progress, at most every 5 s
                    print("    " + line[:160], flush=True)
                    last = time.monotonic()
            p.wait()
        if p.returncode != 0:
            with open(logpath) as f:
                raise BenchError(f"{cmd[1]} failed (exit {p.returncode}):\n{tail(f.read())}")
        if counts is None:
            counts = {"note": "no `generated:` line (demo data)"}
        counts["wall_seconds"] = round(time.monotonic() - started, 1)
        return counts

    def sqlite_dataset(self):
        key, spec = self.dataset_key("sqlite")
        path = os.path.join(DATA, f"{key}.sqlite")
        meta = os.path.join(DATA, f"{key}.json")
        if os.path.exists(path) and os.path.exists(meta):
            with open(meta) as f:
                m = json.load(f)
            log(f"reusing dataset {path}")
            m["reused"] = True
            return path, m
        partial = path + ".partial"
        for suffix in ("", "-wal", "-shm", ".lock"):
            if os.path.exists(partial + suffix):
                os.remove(partial + suffix)
        args = [] if self.args.demo else ["--to", partial]
        counts = self.run_generator(args, self.env(SQLITE_PATH=partial), os.path.join(DATA, f"{key}.generate.log"))
        if not os.path.exists(partial):
            raise BenchError(f"the generator wrote no {partial}")
        # the file is complete only once no connection holds it: fold the WAL in
        run(["sqlite3", partial, "PRAGMA wal_checkpoint(TRUNCATE);"], check=False)
        for suffix in ("-wal", "-shm", ".lock"):
            if os.path.exists(partial + suffix):
                os.remove(partial + suffix)
        os.replace(partial, path)
        m = {"spec": spec, "counts": counts, "created": datetime.datetime.now().isoformat(timespec="seconds"),
             "bytes": os.path.getsize(path)}
        with open(meta, "w") as f:
            json.dump(m, f, indent=1, sort_keys=True)
        m["reused"] = False
        return path, m

    def pg_dataset(self):
        """Starts the cached cluster for this dataset (generating it the first time); returns (pg, db, meta)."""
        probe = Postgres(os.path.join(DATA, "pg-probe"))
        key, spec = self.dataset_key(f"postgres-{probe.major}")
        pgdir = os.path.join(DATA, f"pg-{key}")
        meta = os.path.join(DATA, f"pg-{key}.json")
        pg = Postgres(pgdir)
        if os.path.exists(meta) and os.path.isdir(os.path.join(pgdir, "data")):
            with open(meta) as f:
                m = json.load(f)
            log(f"reusing PostgreSQL dataset {pgdir}")
            pg.start()
            m["reused"] = True
            return pg, m
        if os.path.exists(pgdir):
            shutil.rmtree(pgdir)
        log(f"new PostgreSQL {pg.major} cluster in {pgdir}")
        pg.initdb()
        pg.start(bulk=True)
        try:
            pg.createdb("dangjian_bench")
            counts = self.run_generator([], self.env(DATABASE_URL=pg.url("dangjian_bench"),
                                                     SQLITE_PATH=os.path.join(self.tmp, "unused.sqlite")),
                                        os.path.join(DATA, f"pg-{key}.generate.log"))
            pg.psql("dangjian_bench", "CHECKPOINT")
        except BaseException:
            pg.stop()
            raise
        pg.stop()                # restart with durable settings for the measurements
        pg.start()
        m = {"spec": spec, "counts": counts, "created": datetime.datetime.now().isoformat(timespec="seconds")}
        with open(meta, "w") as f:
            json.dump(m, f, indent=1, sort_keys=True)
        m["reused"] = False
        return pg, m

    # ------------------------------------------------------------------------------------ B1

    def evaluate_once(self, env):
        _, out, wall, rss = run([self.binary, "evaluate", "--year", str(self.year)], env=env, timeout=3600)
        m = re.search(r"^evaluate: (\{.*\})\s*$", out, re.M)
        if not m:
            raise BenchError(f"no `evaluate: {{json}}` line in:\n{tail(out)}")
        d = json.loads(m.group(1))
        d["wall_seconds"] = wall
        d["peak_rss"] = rss
        return d

    def scan_sql(self, env):
        _, out, _, _ = run([self.binary, "evaluate", "--year", str(self.year), "--scan-sql"], env=env)
        lines = [l for l in out.splitlines() if l.strip() and not l.startswith("[ ")]
        sql = " ".join(lines).strip()
        if not re.match(r"(?is)^\s*(select|with)\b", sql):
            raise BenchError(f"`evaluate --scan-sql` printed no SQL:\n{tail(out)}")
        return sql if sql.endswith(";") else sql + ";"

    def b1(self, db, env, scan):
        log(f"B1 on {db}: scan limit and `evaluate --year {self.year}`")
        sql = self.scan_sql(env)
        scan(sql)                                   # warm the page cache
        scans = [scan(sql) for _ in range(3)]
        evals = []
        for i in range(self.eval_runs):
            d = self.evaluate_once(env)
            log(f"  evaluate run {i + 1}: {d['seconds']:.3f} s ({d.get('branches')} branches, {d.get('units')} units)")
            evals.append(d)
        e = median([d["seconds"] for d in evals])
        s = median(scans)
        ratio = e / s if s else None
        log(f"  B1 {db}: evaluate {e:.3f} s, scan {s:.4f} s, ratio {ratio:.2f}" if ratio else f"  B1 {db}: scan took 0 s")
        self.record("B1", db, "yearly evaluation / scan", round(e, 4), "s", limit=round(s, 4), limit_name="aggregate scan",
                    ratio=round(ratio, 2) if ratio else None, target="<= 3x", ok=ratio is not None and ratio <= 3,
                    evaluate_runs=evals, scan_runs=scans, scan_sql=sql)

    def sqlite_scan(self, path):
        def scan(sql):
            _, out, _, _ = run(["sqlite3", "-batch", path], input=".timer on\n" + sql + "\n")
            m = re.findall(r"Run Time: real ([0-9.]+)", out)
            if not m:
                raise BenchError(f"sqlite3 printed no timing:\n{tail(out)}")
            if re.search(r"(?m)^(Parse error|Runtime error|Error)", out):
                raise BenchError(f"sqlite3: {tail(out)}")
            return sum(float(x) for x in m)
        return scan

    def pg_scan(self, pg, dbname):
        def scan(sql):
            _, out, _, _ = pg.psql(dbname, "\\timing on", sql)
            m = re.findall(r"Time: ([0-9.]+) ms", out)
            if not m:
                raise BenchError(f"psql printed no timing:\n{tail(out)}")
            return sum(float(x) for x in m) / 1000
        return scan

    # ------------------------------------------------------------------------------------ B2 + B4

    def targets(self):
        """(label, path, auth kind) for each user: the heaviest pages and API lists."""
        y = self.year
        pages = [("dashboard", "/"), ("org tree", "/orgs"), ("ratings list", f"/ratings?year={y}"),
                 ("members p1", "/members?page=1"), ("members p500", "/members?page=500")]
        apis = [("API members p1", "/api/v1/members?page=1&per=20"), ("API members p500", "/api/v1/members?page=500&per=20"),
                ("API orgs", "/api/v1/orgs"), ("API ratings", f"/api/v1/ratings?year={y}")]
        return [(l, p, "cookie") for l, p in pages] + [(l, p, "bearer") for l, p in apis]

    def b2(self, db, env):
        log(f"B2/B4 on {db}: wrk -c{self.connections} -t{self.threads} -d{self.duration}s")
        if os.environ.get("BENCH_SERVER_LOG"):
            env["LOG_LEVEL"] = os.environ["BENCH_SERVER_LOG"]
        else:
            env.pop("LOG_LEVEL", None)
        server = Server(self.binary, env, os.path.join(self.tmp, f"server-{db}.log"))
        t_start = time.monotonic()
        server.start()
        log(f"  server up in {time.monotonic() - t_start:.1f} s, RSS {server.rss_now() / MB:.0f} MB")
        runs = []
        try:
            auth = {}
            for role, user in self.users.items():
                # pages are asked for as a browser asks for them, gzip accepted (kept pages are sent
                # gzipped as kept; other pages are compressed per response)
                auth[role] = {"cookie": {"Cookie": page_login(server.base, user, self.password), "Accept-Encoding": "gzip, deflate, br"},
                              "bearer": {"Authorization": "Bearer " + api_login(server.base, user, self.password)}}
            # every URL answers 200 once before the load (a redirect to /login would measure the wrong page)
            plan = []
            for role, user in self.users.items():
                for label, path, kind in self.targets():
                    h = auth[role][kind]
                    t0 = time.monotonic()
                    st, hs, body = http_get(server.base + path, headers=h, timeout=300)
                    single = time.monotonic() - t0
                    if st == 200 and dict((k.lower(), v) for k, v in hs).get("content-encoding") == "gzip":
                        body = gzip.decompress(body)     # a broken gzip stream stops the run here
                    if st != 200:
                        raise BenchError(f"{user} GET {path} answered {st}: {body[:200]!r}")
                    plan.append((role, user, label, path, h, len(body), single))
            base_rss = server.rss_now()
            t_load = time.monotonic()
            plan = [("-", "-", "healthz", "/healthz", {}, 2, 0.0)] + plan + [("-", "-", "healthz (again)", "/healthz", {}, 2, 0.0)]
            for role, user, label, path, h, size, single in plan:
                t0 = time.monotonic()
                r = wrk(server.base + path, h, self.duration, self.connections, self.threads, self.lua)
                t1 = time.monotonic()
                if not server.alive():
                    raise BenchError(f"server died during wrk on {path}:\n{tail(server.log_text())}")
                r.update({"role": role, "user": user, "label": label, "path": path, "bytes_per_response": size,
                          "single_request_s": round(single, 4), "peak_rss": server.peak_between(t0, t1),
                          "loadavg": list(os.getloadavg())})
                runs.append(r)
                log(f"  {user:8} {label:18} {r['rps']:9.1f} req/s  p50 {r['p50_us'] / 1000:8.1f} ms  "
                    f"p99 {r['p99_us'] / 1000:8.1f} ms  errors {r['errors']}  RSS {(r['peak_rss'] or 0) / MB:.0f} MB")
            # the session must still be valid after the load, or the pages measured were redirects
            for role in self.users:
                st, _, _ = http_get(server.base + "/", headers=auth[role]["cookie"])
                if st != 200:
                    raise BenchError(f"{self.users[role]}'s session no longer valid after the load (HTTP {st})")
            t_end = time.monotonic()
        finally:
            server.stop()
        log_text = server.log_text()
        internal = len(re.findall(r"internal_error|Fatal error", log_text))
        health = [r for r in runs if r["path"] == "/healthz"]
        healthz_rps = statistics.mean(r["rps"] for r in health)
        for r in runs:
            if r["path"] == "/healthz":
                continue
            if r["requests"] == 0:      # every request outlasted the run: wrk counts none, its p99 reads 0
                self.record("B2", db, f"{r['user']} {r['label']} p99", None, "ms", limit=50, limit_name="fixed",
                            target="< 50 ms", ok=False, note=f"none finished in {self.duration} s", wrk=r)
                continue
            p99 = r["p99_us"] / 1000
            self.record("B2", db, f"{r['user']} {r['label']} p99", round(p99, 1), "ms", limit=50, limit_name="fixed",
                        ratio=round(p99 / 50, 2), target="< 50 ms", ok=p99 < 50 and r["errors"] == 0, wrk=r)
        for r in runs:
            if r["label"] == "dashboard":
                ratio = r["rps"] / healthz_rps if healthz_rps else None
                self.record("B2", db, f"{r['user']} dashboard throughput", round(r["rps"], 1), "req/s",
                            limit=round(healthz_rps, 1), limit_name="/healthz req/s",
                            ratio=round(ratio, 3) if ratio is not None else None, target=">= 0.25x",
                            ok=ratio is not None and ratio >= 0.25)
        peak = max(server.hwm, server.peak_between(t_load, t_end) or 0)
        self.record("B4", db, "server peak RSS during B2", round(peak / MB, 1), "MB", limit=300, limit_name="fixed",
                    ratio=round(peak / MB / 300, 2), target="< 300 MB", ok=peak < 300 * MB,
                    rss_before_load_mb=round((base_rss or 0) / MB, 1), vmhwm_mb=round(server.hwm / MB, 1),
                    healthz_runs=health, internal_errors_in_log=internal)
        if internal:
            raise BenchError(f"the server log shows {internal} internal_error/Fatal error lines during B2")

    # ------------------------------------------------------------------------------------ B3

    def write_members_csv(self, path, codes, rows, seed, bad_row=None):
        """The product's member import layout (ImportExport.memberLayout). bad_row: 0-based data row whose
        所在支部编码 does not exist."""
        rnd = random.Random(seed)
        surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
        given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉力斌波宁红玉兰海燕鹏飞云峰志刚晓东春梅立新振宇晨阳思远嘉怡子涵"
        posts = ["", "", "", "", "", "", "组织委员", "宣传委员", "纪检委员"]
        today = datetime.date.today()
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write("姓名,性别,出生日期,政治面貌,入党日期,所在支部编码,党小组编码,党内职务,手机号,是否退休,是否困难党员\n")
            out = []
            for i in range(rows):
                name = rnd.choice(surnames) + rnd.choice(given) + (rnd.choice(given) if rnd.random() < 0.6 else "")
                gender = "男" if rnd.random() < 0.55 else "女"
                by = rnd.randint(1950, 2002)
                birth = datetime.date(by, rnd.randint(1, 12), rnd.randint(1, 28))
                if rnd.random() < 0.93:
                    status = "正式党员"
                    jy = rnd.randint(by + 19, min(today.year - 2, by + 50)) if by + 19 <= today.year - 2 else today.year - 2
                    join = datetime.date(jy, rnd.randint(1, 12), rnd.randint(1, 28)).isoformat()
                else:
                    status = "预备党员"
                    join = (today - datetime.timedelta(days=rnd.randint(30, 360))).isoformat()
                org = codes[rnd.randrange(len(codes))] if i != bad_row else "NO-SUCH-BRANCH-9999"
                phone = "1" + rnd.choice("3456789") + "".join(rnd.choice("0123456789") for _ in range(9))
                retired = "是" if by < 1962 else "否"
                hardship = "是" if rnd.random() < 0.02 else "否"
                out.append(f"{name},{gender},{birth.isoformat()},{status},{join},{org},,{rnd.choice(posts)},{phone},{retired},{hardship}\n")
                if len(out) >= 10000:
                    f.write("".join(out))
                    out.clear()
            f.write("".join(out))

    def b3(self, work):
        log(f"B3: import {self.import_rows} members from CSV into a copy of the dataset")

        def q(sql):
            _, out, _, _ = run(["sqlite3", "-batch", work, sql])
            return out.strip()
        codes = q("SELECT code FROM orgs WHERE type = 'branch' AND status = 'active' ORDER BY code;").splitlines()
        if not codes:
            raise BenchError("the dataset has no active branches to import members into")
        good = os.path.join(self.tmp, "members.csv")
        bad = os.path.join(self.tmp, "members-bad.csv")
        t0 = time.monotonic()
        self.write_members_csv(good, codes, self.import_rows, seed=7)
        bad_at = max(0, self.import_rows - 3)
        self.write_members_csv(bad, codes, self.import_rows, seed=8, bad_row=bad_at)
        log(f"  wrote 2 CSVs of {self.import_rows} rows ({os.path.getsize(good) / MB:.1f} MB each) in {time.monotonic() - t0:.1f} s")
        env = self.env(SQLITE_PATH=work)
        before = int(q("SELECT COUNT(*) FROM members;"))
        audit_before = int(q("SELECT COUNT(*) FROM audit_entries;") or 0)
        rc, out, wall, rss = run([self.binary, "import", "members", good], env=env, check=False, timeout=7200)
        if rc != 0:
            raise BenchError(f"import of the good CSV failed (exit {rc}):\n{tail(out)}")
        after = int(q("SELECT COUNT(*) FROM members;"))
        m = re.search(r"导入成功：(\d+) 行，用时 ([0-9.]+) 秒（(\d+) 行/秒）", out)
        reported = {"rows": int(m.group(1)), "seconds": float(m.group(2)), "rows_per_s": int(m.group(3))} if m else None
        if after - before != self.import_rows:
            raise BenchError(f"members went from {before} to {after}, expected +{self.import_rows}")
        rps = self.import_rows / wall
        log(f"  imported {self.import_rows} rows in {wall:.1f} s wall ({rps:.0f} rows/s; the command reports "
            f"{reported['rows_per_s'] if reported else '?'} rows/s after parsing), peak RSS {rss / MB:.0f} MB")
        # all or nothing: one bad row near the end
        mid = int(q("SELECT COUNT(*) FROM members;"))
        audit_mid = int(q("SELECT COUNT(*) FROM audit_entries;") or 0)
        rc2, out2, wall2, _ = run([self.binary, "import", "members", bad], env=env, check=False, timeout=7200)
        end = int(q("SELECT COUNT(*) FROM members;"))
        audit_end = int(q("SELECT COUNT(*) FROM audit_entries;") or 0)
        refused = rc2 != 0 and "未导入任何数据" in out2
        names_row = f"第{bad_at + 2}行" in out2
        nothing_kept = end == mid and audit_end == audit_mid
        log(f"  bad CSV (row {bad_at + 2} names an unknown branch): exit {rc2}, refused={refused}, "
            f"reported that row={names_row}, members {mid} -> {end}, audit {audit_mid} -> {audit_end} ({wall2:.1f} s)")
        self.record("B3", "sqlite", "member import rows/s", round(rps), "rows/s", limit=20000, limit_name="fixed",
                    ratio=round(rps / 20000, 2), target=">= 20000 rows/s", ok=rps >= 20000,
                    rows=self.import_rows, wall_seconds=round(wall, 2), command_reported=reported, peak_rss_mb=round(rss / MB, 1),
                    members_before=before, members_after=after, audit_before=audit_before)
        self.record("B3", "sqlite", "bad row near the end: nothing kept", end - mid, "rows kept", limit=0, limit_name="fixed",
                    target="refused, 0 kept", ok=refused and nothing_kept, exit_code=rc2, bad_row=bad_at + 2,
                    error_names_row=names_row, wall_seconds=round(wall2, 2), output=tail(out2, 4))

    # ------------------------------------------------------------------------------------ the run

    def main(self):
        self.info = machine_info()
        self.info["binary"] = self.binary
        self.info["build"] = os.environ.get("DANGJIAN_BUILD", "DANGJIAN_BIN (given)")
        started = time.time()
        log(f"machine: {self.info.get('cores')} cores, {self.info.get('memory_mb')} MB, load {self.info['loadavg_at_start']}")
        log(f"dataset: {'the demo data' if self.args.demo else self.gen}; wrk {self.duration} s x {self.connections} connections")
        datasets = {}
        try:
            # ---- SQLite
            try:
                if self.args.skip_sqlite:
                    raise SkipDB()
                path, meta = self.sqlite_dataset()
                datasets["sqlite"] = {"path": path, **meta}
                if self.only & {"B1", "B2", "B3"}:
                    work = os.path.join(self.tmp, "work.sqlite")
                    log(f"copying the dataset to {work}")
                    shutil.copyfile(path, work)
                    if "B1" in self.only:
                        try:
                            self.b1("sqlite", self.env(SQLITE_PATH=work), self.sqlite_scan(work))
                        except BenchError as e:
                            self.fail("B1", "sqlite", e)
                    if "B2" in self.only:
                        try:
                            self.b2("sqlite", self.env(SQLITE_PATH=work))
                        except BenchError as e:
                            self.fail("B2", "sqlite", e)
                    if "B3" in self.only:
                        try:
                            self.b3(work)
                        except BenchError as e:
                            self.fail("B3", "sqlite", e)
            except SkipDB:
                pass
            except BenchError as e:
                self.fail("dataset", "sqlite", e)
            # ---- PostgreSQL
            if not self.args.skip_pg and self.only & {"B1", "B2"}:
                pg = None
                try:
                    pg, meta = self.pg_dataset()
                    datasets["postgres"] = {"dir": pg.dir, "version": pg.major, **meta}
                    work = "dangjian_bench_run"
                    pg.dropdb(work)
                    pg.createdb(work, template="dangjian_bench")
                    env = self.env(DATABASE_URL=pg.url(work), SQLITE_PATH=os.path.join(self.tmp, "unused.sqlite"))
                    if "B1" in self.only:
                        try:
                            self.b1("postgres", env, self.pg_scan(pg, work))
                        except BenchError as e:
                            self.fail("B1", "postgres", e)
                    if "B2" in self.only:
                        try:
                            self.b2("postgres", env)
                        except BenchError as e:
                            self.fail("B2", "postgres", e)
                    pg.dropdb(work)
                except BenchError as e:
                    self.fail("dataset", "postgres", e)
                finally:
                    if pg:
                        pg.stop()
        finally:
            self.write(datasets, time.time() - started)
            if not self.args.keep:
                shutil.rmtree(self.tmp, ignore_errors=True)
            else:
                log(f"kept {self.tmp}")
        self.table()
        return 2 if self.errors else 0

    def write(self, datasets, seconds):
        out = self.args.out or os.path.join(ROOT, "bench", "results.json")
        os.makedirs(os.path.dirname(out), exist_ok=True)
        doc = {
            "created": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "mode": "demo" if self.args.demo else ("quick" if self.args.quick else "full"),
            "seconds": round(seconds, 1),
            "machine": self.info,
            "settings": {"generator": self.gen, "import_rows": self.import_rows, "wrk_duration_s": self.duration,
                         "wrk_connections": self.connections, "wrk_threads": self.threads, "year": self.year,
                         "users": self.users, "evaluate_runs": self.eval_runs},
            "datasets": datasets,
            "results": self.results,
            "errors": self.errors,
        }
        with open(out, "w") as f:
            json.dump(doc, f, indent=1, ensure_ascii=False, default=str)
        log(f"wrote {out}")

    def table(self):
        rows = [("bench", "db", "figure", "value", "limit", "ratio", "target", "verdict")]
        for r in self.results:
            if r.get("verdict") == "ERROR":
                rows.append((r["bench"], r["db"], "broke: " + r["error"][:110], "", "", "", "", "ERROR"))
                continue
            value = f"{r['value']} {r['unit']}" if r.get("value") is not None else r.get("note", "n/a")
            limit = "" if r.get("limit") is None else f"{r['limit']}" + (f" ({r['limit_name']})" if r.get("limit_name") not in (None, "fixed") else "")
            rows.append((r["bench"], r["db"], r["name"], value, limit, "" if r.get("ratio") is None else str(r["ratio"]),
                         r.get("target") or "", r.get("verdict") or ""))
        widths = [max(dw(row[i]) for row in rows) for i in range(len(rows[0]))]
        print()
        for n, row in enumerate(rows):
            print("  ".join(pad(c, widths[i]) for i, c in enumerate(row)).rstrip())
            if n == 0:
                print("  ".join("-" * w for w in widths))
        v = [r.get("verdict") for r in self.results]
        print(f"\n{v.count('PASS')} PASS, {v.count('FAIL')} FAIL, {v.count('ERROR')} ERROR"
              f"  (machine: {self.info.get('cores')} cores, {self.info.get('memory_mb')} MB; commit {str(self.info.get('commit'))[:10]}"
              f"{' dirty' if self.info.get('dirty') else ''})")


def dw(s):
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in str(s))


def pad(s, w):
    return str(s) + " " * (w - dw(s))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 prog="scripts/bench")
    ap.add_argument("--quick", action="store_true", help="small dataset (300 branches, 10,000 members), 5 s wrk runs, 20,000-row import")
    ap.add_argument("--skip-pg", action="store_true", help="SQLite only")
    ap.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only (B3 runs on SQLite, so it is left out too)")
    ap.add_argument("--only", help="comma-separated subset of B1,B2,B3 (B4 comes with B2)")
    ap.add_argument("--demo", action="store_true", help="use the product's demo data (`dangjian demo`) instead of the generator: "
                    "tries the driver in a minute; unit officer defaults to dangzu")
    ap.add_argument("--keep", action="store_true", help="keep the run's temporary folder (CSV files, server logs, working copy)")
    ap.add_argument("--out", help="results file (default bench/results.json)")
    args = ap.parse_args()
    b = Bench(args)

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)
    try:
        return b.main()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
