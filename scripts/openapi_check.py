#!/usr/bin/env python3
"""Fuzz the JSON API against its own OpenAPI document (Resources/openapi.json) with Schemathesis.

    python3 scripts/openapi_check.py http://127.0.0.1:8091 [-n 30] [--seed 1] [-- more schemathesis run options]

Logs in (default: the demo admin, admin / Dangjian2026), then runs `schemathesis run` on
<base>/api/v1/openapi.json with every check on and a bounded number of examples per operation.
Exits non-zero when Schemathesis reports a failure (or the login fails). Needs `pip install schemathesis`
(tested with 4.x). Run it against a throw-away database: it creates, edits, moves, closes and deletes data.

Settings passed to Schemathesis (in a temporary config file) and why:
- The bearer token goes on every request; POST /auth/logout gets a second token of its own, so
  testing logout does not end the session the rest of the run uses.
- positive_data_acceptance also accepts 422: business rules (a referenced org must exist, a 党员 must have
  a join date, dates not in the future, ...) cannot be written in JSON Schema. 400 stays a failure,
  except for the three imports, whose bodies (a real CSV/XLSX file) a generic fuzzer cannot produce.
- This file is also loaded as a Schemathesis hooks file: requests that would change or revoke the
  caller's own account (PATCH /users/{me}, DELETE /users/{me}/grants/...) are pointed at an unknown id
  instead (answer 404). Schemathesis reuses ids it sees in responses (GET /auth/me), and the server lets
  an admin revoke their own admin grant, which would demote the caller halfway through the run.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request


CALLER_ENV = "DANGJIAN_FUZZ_CALLER_ID"


def login(base: str, username: str, password: str) -> dict:
    req = urllib.request.Request(
        base + "/api/v1/auth/login",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return json.load(res)
    except urllib.error.HTTPError as e:
        sys.exit(f"login as {username} failed: HTTP {e.code} {e.read().decode(errors='replace')}")
    except (urllib.error.URLError, OSError) as e:
        sys.exit(f"cannot reach {base}: {e}")


def toml_str(s: str) -> str:
    return json.dumps(s)  # a JSON string is a valid TOML basic string


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base_url", nargs="?", default="http://127.0.0.1:8080", help="server origin, e.g. http://127.0.0.1:8091")
    ap.add_argument("-n", "--max-examples", type=int, default=30, help="test cases per operation (default 30)")
    ap.add_argument("--seed", type=int, help="random seed for a reproducible run")
    ap.add_argument("--user", default=os.environ.get("DANGJIAN_FUZZ_USER", "admin"))
    ap.add_argument("--password", default=os.environ.get("DANGJIAN_FUZZ_PASSWORD", "Dangjian2026"))
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    args = ap.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    base = args.base_url.rstrip("/")

    session = login(base, args.user, args.password)
    token = session["token"]
    logout_token = login(base, args.user, args.password)["token"]
    os.environ[CALLER_ENV] = session["user"]["id"]

    ok_positive = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
    config = f"""
hooks = {toml_str(os.path.realpath(__file__))}

[headers]
Authorization = {toml_str("Bearer " + token)}

[checks.positive_data_acceptance]
expected-statuses = {json.dumps(ok_positive)}

[[operations]]
include-operation-id = "logout"
headers = {{ Authorization = {toml_str("Bearer " + logout_token)} }}

[[operations]]
include-operation-id = ["importOrgs", "importMembers", "importMarketScores"]
checks.positive_data_acceptance.expected-statuses = {json.dumps(ok_positive + ["400"])}
"""
    with tempfile.NamedTemporaryFile("w", suffix=".toml", prefix="openapi_check_", delete=False) as f:
        f.write(config)
        config_path = f.name
    cmd = ["schemathesis", "--config-file", config_path, "run", base + "/api/v1/openapi.json",
           "--checks", "all", "--max-examples", str(args.max_examples)]
    if args.seed is not None:
        cmd += ["--seed", str(args.seed)]
    cmd += extra
    print("+ " + " ".join(cmd), flush=True)
    try:
        return subprocess.call(cmd)
    except FileNotFoundError:
        print("schemathesis not found: pip install schemathesis", file=sys.stderr)
        return 2
    finally:
        os.unlink(config_path)


if __name__ == "__main__":
    sys.exit(main())
elif os.environ.get(CALLER_ENV):
    # Loaded by Schemathesis as its hooks file.
    import uuid

    import schemathesis

    @schemathesis.hook
    def before_call(ctx, case, **kwargs):
        caller = os.environ[CALLER_ENV]
        params = case.path_parameters or {}
        if case.operation.path.startswith("/api/v1/users/{id}") and case.method.upper() in ("PATCH", "DELETE") \
                and str(params.get("id", "")).lower() == caller:
            params["id"] = str(uuid.uuid4())
