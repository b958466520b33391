#!/usr/bin/env python3
"""End-to-end tests of the SIP edge (issue 14): SIPp -> Kamailio 5.6 -> Tollgate's guard over
evapi, against the served demo. Everything on 127.0.0.1, bounded in calls and time; every
process started here is stopped at the end, whatever happens.

    tests/e2e/sip/edge_e2e.py [--tollgate target/debug/tollgate] [--only NAME]

Exit status 0 when every test passed. Run by .ci/run after the build.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SIPP_DIR = os.path.join(ROOT, "deploy", "sipp")
KAM_CFG = os.path.join(ROOT, "deploy", "kamailio", "tollgate.cfg")

# Ports of this run (not the standard ones, so a local Kamailio or Tollgate is left alone).
HTTP = "127.0.0.1:18190"
SIP_PORT = 15060
UAS_PORT = 15090
EVAPI = "127.0.0.1:18448"
# The demo's UK account (Harbor Logistics UK, home GB, international allowed to FR).
HARBOR_NUMBER = "442079460100"
UK_GEOGRAPHIC = "442079460000"  # London, 020 7946 0000 (Ofcom drama range)
UK_PREMIUM = "449098790000"  # 0909: premium rate
PARIS = "33142685300"
# Bounds: every wait in this file ends.
WAIT_S = 30


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)


class Edge:
    """The running platform: Tollgate (demo), Kamailio, a SIPp UAS."""

    def __init__(self, tollgate):
        self.tollgate = os.path.abspath(tollgate)
        self.dir = tempfile.mkdtemp(prefix="tg-edge-")
        self.procs = {}
        self.logs = []
        self.port = 16000  # local SIPp ports, one per run

    # -- processes ---------------------------------------------------------------------------
    def spawn(self, name, argv, env=None):
        log = open(os.path.join(self.dir, f"{name}.log"), "ab")
        p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             cwd=self.dir, env={**os.environ, **(env or {})},
                             start_new_session=True)
        self.procs[name] = p
        return p

    def stop(self, name, sig=signal.SIGTERM):
        p = self.procs.pop(name, None)
        if p is None or p.poll() is not None:
            return
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            return
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)

    def stop_all(self):
        for name in list(self.procs):
            self.stop(name)

    def start_tollgate(self):
        env = {"TOLLGATE_EDGE_EVAPI": EVAPI, "TOLLGATE_LOG": "info"}
        self.spawn("tollgate", [self.tollgate, "serve", "--demo", "--listen", HTTP,
                                "--data-dir", self.dir], env)
        wait_for(lambda: http_ok("/healthz"), "Tollgate answers /healthz")

    def start(self):
        # Test a's 50 two-second calls in five seconds are a dialer by the guard's defaults
        # (F3: 20 calls under 60 s; 30 attempts a minute) and would suspend the account half
        # way (as it should). Those detectors are raised here so the edge path is what is
        # measured; the guard's own tests cover the detectors.
        with open(os.path.join(self.dir, "guard.toml"), "w") as f:
            f.write("dialer_min_calls = 1000\nattempts_per_minute = 1000\n")
        self.start_tollgate()
        tokens = json.load(open(os.path.join(self.dir, "demo-tokens.json")))
        self.operator = tokens["operator"]
        self.edge_token = subprocess.run(
            [self.tollgate, "token", "create", "--role", "sip_edge", "--data-dir", self.dir],
            check=True, capture_output=True, text=True).stdout.strip()
        self.start_kamailio()
        self.spawn("uas", ["sipp", "-sf", os.path.join(SIPP_DIR, "uas.xml"), "-i", "127.0.0.1",
                           "-p", str(UAS_PORT), "-nostdin", "-trace_err"])
        wait_for(lambda: self.metric("tollgate_edge_connected") == 1,
                 "Tollgate connected to Kamailio's evapi socket with the edge credential")
        self.accounts = {b["name"]: b["id"] for b in self.api("GET", "/v1/billing-accounts")["items"]}

    def start_kamailio(self):
        run_dir = os.path.join(self.dir, "kamailio")
        os.makedirs(run_dir, exist_ok=True)
        self.spawn("kamailio", [
            "kamailio", "-DD", "-E", "-f", KAM_CFG, "-Y", run_dir, "-P",
            os.path.join(run_dir, "kamailio.pid"),
            "-A", f'TOLLGATE_TOKEN="{self.edge_token}"',
            "-A", f"LISTEN=udp:127.0.0.1:{SIP_PORT}",
            "-A", f'UAS_ADDR="127.0.0.1:{UAS_PORT}"',
            "-A", f'EVAPI_BIND="{EVAPI}"',
        ])

    # -- HTTP ---------------------------------------------------------------------------------
    def api(self, method, path, body=None, expect=(200, 201)):
        req = urllib.request.Request(f"http://{HTTP}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {self.operator}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, text = r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read().decode()
        check(status in expect, f"{method} {path}: {status} {text}")
        return json.loads(text) if text else None

    def metric(self, name):
        try:
            with urllib.request.urlopen(f"http://{HTTP}/metrics", timeout=5) as r:
                for line in r.read().decode().splitlines():
                    if line.startswith(name + " "):
                        return float(line.split()[1])
        except OSError:
            return None
        return None

    def cdrs(self, account):
        return self.api("GET", f"/v1/cdrs?billing_account={account}&limit=500")["items"]

    # -- SIPp ---------------------------------------------------------------------------------
    def sipp(self, scenario, to, caller=HARBOR_NUMBER, calls=1, rate=None, limit=None,
             pause_ms=None, ip="127.0.0.1", extra=(), background=False, timeout_s=WAIT_S):
        self.port += 1
        argv = ["sipp", f"127.0.0.1:{SIP_PORT}", "-sf", os.path.join(SIPP_DIR, scenario),
                "-i", ip, "-p", str(self.port), "-s", to, "-key", "caller", caller,
                "-m", str(calls), "-recv_timeout", str(timeout_s * 1000),
                "-timeout", f"{timeout_s}s", "-timeout_error", "-nostdin", "-trace_err",
                "-trace_logs", "-trace_stat", "-trace_shortmsg"]
        if rate:
            argv += ["-r", str(rate)]
        if limit:
            argv += ["-l", str(limit)]
        if pause_ms is not None:
            argv += ["-d", str(pause_ms)]
        argv += list(extra)
        work = tempfile.mkdtemp(prefix=f"sipp-{self.port}-", dir=self.dir)
        if background:
            log = open(os.path.join(work, "out.log"), "ab")
            p = subprocess.Popen(argv, cwd=work, stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
            self.procs[f"sipp-{self.port}"] = p
            return p, work
        r = subprocess.run(argv, cwd=work, capture_output=True, text=True, timeout=timeout_s + 30)
        return r.returncode, work

    @staticmethod
    def read_logs(work, suffix):
        out = ""
        for f in os.listdir(work):
            if f.endswith(suffix):
                out += open(os.path.join(work, f), errors="replace").read()
        return out

    def call_ids(self, work):
        """Call-IDs SIPp used (its short-message trace: one line per message sent/received)."""
        text = self.read_logs(work, "_shortmessages.log")
        # date, time, epoch, S|R, Call-ID, CSeq, first line: tab-separated.
        return sorted({line.split("\t")[4] for line in text.splitlines()
                       if line.count("\t") >= 5})


def http_ok(path):
    try:
        with urllib.request.urlopen(f"http://{HTTP}{path}", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def wait_for(cond, what, timeout_s=WAIT_S, every=0.1):
    end = time.time() + timeout_s
    while time.time() < end:
        if cond():
            return
        time.sleep(every)
    raise Failed(f"timed out waiting until: {what}")


def refused_code(work):
    """(status, X-Tollgate-Code) the refused-call scenario logged."""
    text = Edge.read_logs(work, "_logs.log")
    m = re.search(r"refused (\d{3}) X-Tollgate-Code: ?(\S+)", text)
    check(m, f"no refusal logged in {work}: {text[-500:]}")
    return int(m.group(1)), m.group(2)


# -- the tests (issue 14 #6 a-g) -------------------------------------------------------------

def b4_fifty_calls_to_a_uk_number_complete_and_become_fifty_rated_cdrs(e):
    account = e.accounts["Harbor Logistics UK"]
    before = {c["call_id"] for c in e.cdrs(account)}
    # 50 calls, 2 s each, 10 per second, at most 10 at once (the demo's licence allows them).
    rc, work = e.sipp("uac.xml", UK_GEOGRAPHIC, calls=50, rate=10, limit=10, pause_ms=2000)
    check(rc == 0, f"SIPp: 50 calls should complete (exit {rc}); see {work}")
    new = []

    def fifty():
        nonlocal new
        new = [c for c in e.cdrs(account) if c["call_id"] not in before]
        return len(new) >= 50
    wait_for(fifty, "50 new CDRs for the UK account")
    check(len(new) == 50, f"exactly 50 CDRs, got {len(new)}")
    for c in new:
        check(c["to"] == "+" + UK_GEOGRAPHIC and c["disposition"] == "answered",
              f"an answered call to the UK number: {c}")
        # The amount is what the rate table gives for the call's duration at its start.
        q = e.api("GET", f"/v1/rate-tables/{c['rate_table']}/quote?number=%2B{UK_GEOGRAPHIC}"
                         f"&duration_s={c['duration_s']}&at={c['start']}")
        check(c["bundle_s"] == 0, f"no bundle in play: {c}")
        check(c["amount_exact"] == q["amount_exact"],
              f"CDR {c['call_id']}: {c['amount_exact']} but the rate table gives {q['amount_exact']} ({q})")
    print(f"    50 CDRs, e.g. {new[0]['duration_s']} s at {new[0]['rate']}/min = {new[0]['amount_exact']} {new[0]['currency']}")


def f2_a_call_to_a_uk_premium_rate_number_gets_403_with_the_guard_code(e):
    d = e.api("POST", "/v1/guard/calls", {"from": "+" + HARBOR_NUMBER, "to": "+" + UK_PREMIUM,
                                          "call_id": "e2e-premium-probe"})
    check(d["decision"] == "deny", f"the guard denies premium rate: {d}")
    rc, work = e.sipp("uac-refused.xml", UK_PREMIUM)
    check(rc == 0, f"SIPp: a refusal expected (exit {rc}); see {work}")
    status, code = refused_code(work)
    check((status, code) == (403, d["code"]), f"403 {d['code']} expected, got {status} {code}")
    print(f"    403 X-Tollgate-Code: {code} (rule {d['rule']})")


def t3_the_third_simultaneous_call_over_a_licence_of_two_gets_486(e):
    account = e.accounts["Harbor Logistics UK"]
    e.api("PATCH", f"/v1/billing-accounts/{account}/guard-policy", {"licensed_calls": 2})
    try:
        p, work = e.sipp("uac.xml", UK_GEOGRAPHIC, calls=2, rate=10, limit=2, pause_ms=6000,
                         background=True)
        wait_for(lambda: e.metric("tollgate_live_calls") == 2, "two live calls")
        rc, w3 = e.sipp("uac-refused.xml", UK_GEOGRAPHIC)
        check(rc == 0, f"SIPp: the third call is refused (exit {rc}); see {w3}")
        status, code = refused_code(w3)
        check(status == 486, f"486 Busy Here expected, got {status} {code}")
        check(p.wait(timeout=WAIT_S) == 0, f"the two licensed calls complete; see {work}")
        print(f"    3rd call: {status} X-Tollgate-Code: {code}")
    finally:
        e.api("PATCH", f"/v1/billing-accounts/{account}/guard-policy", {"licensed_calls": 20})


def t13_a_suspended_account_still_reaches_999_while_its_other_calls_get_403(e):
    account = e.accounts["Harbor Logistics UK"]
    s = e.api("POST", f"/v1/billing-accounts/{account}/suspensions",
              {"scope": "all", "reason": "e2e: overdue", "rule": "F4"})
    try:
        rc, work = e.sipp("uac.xml", "999", pause_ms=500)
        check(rc == 0, f"999 from a suspended account completes (exit {rc}); see {work}")
        rc, work = e.sipp("uac-refused.xml", UK_GEOGRAPHIC)
        check(rc == 0, f"SIPp: refusal expected (exit {rc}); see {work}")
        status, code = refused_code(work)
        check(status == 403, f"403 expected, got {status} {code}")
        print(f"    999 completed; other call: {status} X-Tollgate-Code: {code}")
    finally:
        e.api("POST", f"/v1/suspensions/{s['id']}/reactivate", {"reason": "e2e: paid"})


def f6_a_burst_of_failed_registrations_gets_the_source_banned_at_the_edge(e):
    # From 127.0.0.2, so the other tests' source (127.0.0.1) stays unbanned.
    rc, work = e.sipp("register-bad.xml", "demo", ip="127.0.0.2", calls=12, rate=20)
    incidents = []

    def banned():
        nonlocal incidents
        incidents = [i for i in e.api("GET", "/v1/incidents?limit=100")["items"]
                     if i.get("source") == "127.0.0.2"]
        return bool(incidents)
    wait_for(banned, "an incident banning 127.0.0.2")
    time.sleep(0.5)  # the ban reaches the edge within its push interval (100 ms)
    rc, work = e.sipp("uac-refused.xml", UK_GEOGRAPHIC, ip="127.0.0.2")
    check(rc == 0, f"SIPp: the banned source is refused (exit {rc}); see {work}")
    status, code = refused_code(work)
    check((status, code) == (403, "source_banned"), f"403 source_banned expected, got {status} {code}")
    # T13: the ban never stands between the banned source and emergency services.
    rc, work = e.sipp("uac.xml", "999", ip="127.0.0.2", pause_ms=200)
    check(rc == 0, f"999 from the banned source completes (exit {rc}); see {work}")
    print(f"    incident {incidents[0].get('detector')}; next request: {status} {code}")


def f4_suspending_international_calls_tears_down_a_live_international_call(e):
    account = e.accounts["Harbor Logistics UK"]
    p, work = e.sipp("uac-long.xml", PARIS, background=True, timeout_s=20)
    wait_for(lambda: e.metric("tollgate_live_calls") == 1, "the call to Paris is live")
    time.sleep(0.5)  # answered
    t0 = time.time()
    s = e.api("POST", f"/v1/billing-accounts/{account}/suspensions",
              {"scope": "international", "reason": "e2e: IRSF suspected", "rule": "F4"})
    try:
        rc = p.wait(timeout=WAIT_S)
        took = time.time() - t0
        check(rc == 0, f"the caller got a BYE (exit {rc}); see {work}")
        check(took < 1.0, f"torn down within a second of the suspension (took {took:.2f} s)")
        wait_for(lambda: e.metric("tollgate_live_calls") == 0, "the cut call ended")
        print(f"    torn down {took * 1000:.0f} ms after the suspension")
    finally:
        e.api("POST", f"/v1/suspensions/{s['id']}/reactivate", {"reason": "e2e: cleared"})


def t13_tollgate_killed_mid_call_new_calls_503_except_emergency_and_the_bye_after_restart_is_one_cdr(e):
    account = e.accounts["Harbor Logistics UK"]
    # Call A ends after Tollgate is back; call B (6 s) ends while it is down: Kamailio keeps
    # B's answer and end and replays them when Tollgate reconnects.
    p, work = e.sipp("uac.xml", UK_GEOGRAPHIC, pause_ms=15000, background=True, timeout_s=40)
    pb, work_b = e.sipp("uac.xml", UK_GEOGRAPHIC, pause_ms=6000, background=True, timeout_s=40)
    wait_for(lambda: e.metric("tollgate_live_calls") == 2, "both calls are live")
    # Answered, and the guard's write-behind has stored their start (it writes behind the
    # decision: a process killed within the same instant may lose a start, by design).
    time.sleep(1.5)
    e.stop("tollgate", signal.SIGKILL)
    rc, w = e.sipp("uac-refused.xml", UK_GEOGRAPHIC)
    check(rc == 0, f"SIPp: refusal expected while Tollgate is down (exit {rc}); see {w}")
    status, code = refused_code(w)
    check(status == 503, f"503 expected, got {status} {code}")
    rc, w = e.sipp("uac.xml", "999", pause_ms=200)
    check(rc == 0, f"999 is relayed by Kamailio alone (exit {rc}); see {w}")
    check(pb.wait(timeout=40) == 0, f"call B ended while Tollgate was down; see {work_b}")
    e.start_tollgate()
    wait_for(lambda: e.metric("tollgate_edge_connected") == 1, "Tollgate reconnected")
    ids_b = e.call_ids(work_b)
    mine_b = []

    def b_rated():
        nonlocal mine_b
        mine_b = [c for c in e.cdrs(account) if c["call_id"] in ids_b]
        return len(mine_b) >= 1
    wait_for(b_rated, "call B's CDR from the replayed events")
    check(len(mine_b) == 1 and 5 <= mine_b[0]["duration_s"] <= 8,
          f"one CDR of about 6 s for call B: {mine_b}")
    check(p.wait(timeout=40) == 0, f"the call survived the restart and ended; see {work}")
    ids = e.call_ids(work)
    check(ids, f"the call's id in the SIPp trace ({work})")
    mine = []

    def one():
        nonlocal mine
        mine = [c for c in e.cdrs(account) if c["call_id"] in ids]
        return len(mine) >= 1
    wait_for(one, "the call's CDR")
    time.sleep(1)
    mine = [c for c in e.cdrs(account) if c["call_id"] in ids]
    check(len(mine) == 1, f"exactly one CDR for the call, got {len(mine)}")
    print(f"    503 {code} while down, 999 relayed; after restart one CDR each: "
          f"{mine_b[0]['duration_s']} s (ended while down, replayed), {mine[0]['duration_s']} s")


def s2_a_sip_options_probe_of_kamailio_opens_an_incident_when_it_stops_and_closes_it_when_it_returns(e):
    """Issue 17: the probe sends OPTIONS over UDP to the Kamailio edge (which answers them
    itself); Kamailio stopped, two failures in a row open an incident; back, one answer
    resolves it."""
    svc = e.api("POST", "/v1/assurance/services", {"name": "E2E edge"})
    comp = e.api("POST", "/v1/assurance/components",
                 {"service_id": svc["id"], "name": "Kamailio 127.0.0.1", "classound": True})
    probe = e.api("POST", "/v1/assurance/probes", {
        "component_id": comp["id"], "name": "Edge OPTIONS", "kind": "sip_udp",
        "target": f"127.0.0.1:{SIP_PORT}", "interval_s": 5, "timeout_ms": 1000,
        "fail_threshold": 2, "recover_threshold": 1})

    def state():
        return next(p for p in e.api("GET", "/v1/assurance/probes")["items"]
                    if p["id"] == probe["id"])
    wait_for(lambda: state()["last_ok"] is True, "Kamailio answers the probe's OPTIONS", 40, 0.5)
    check(state()["last_detail"].startswith("SIP 200"), f"200 OK expected: {state()}")
    e.stop("kamailio")
    wait_for(lambda: state()["open_incident_id"], "an incident opened by the probe", 40, 0.5)
    incident = e.api("GET", f"/v1/assurance/incidents/{state()['open_incident_id']}")
    check(incident["state"] == "open" and incident["cause"] == "provider", f"{incident}")
    status = json.loads(urllib.request.urlopen(f"http://{HTTP}/status.json", timeout=10).read())
    edge = next(s for s in status["services"] if s["name"] == "E2E edge")
    check(edge["state"] == "major_outage", f"the status feed shows the outage: {edge}")
    e.start_kamailio()
    wait_for(lambda: state()["open_incident_id"] is None, "the incident resolved on recovery", 40, 0.5)
    incident = e.api("GET", f"/v1/assurance/incidents/{incident['id']}")
    check(incident["state"] == "resolved" and incident["resolved_at"], f"{incident}")
    wait_for(lambda: e.metric("tollgate_edge_connected") == 1, "Tollgate reconnected to Kamailio")
    print(f"    opened at {incident['started_at']}, resolved at {incident['resolved_at']}")


TESTS = [
    b4_fifty_calls_to_a_uk_number_complete_and_become_fifty_rated_cdrs,
    f2_a_call_to_a_uk_premium_rate_number_gets_403_with_the_guard_code,
    t3_the_third_simultaneous_call_over_a_licence_of_two_gets_486,
    t13_a_suspended_account_still_reaches_999_while_its_other_calls_get_403,
    f4_suspending_international_calls_tears_down_a_live_international_call,
    t13_tollgate_killed_mid_call_new_calls_503_except_emergency_and_the_bye_after_restart_is_one_cdr,
    s2_a_sip_options_probe_of_kamailio_opens_an_incident_when_it_stops_and_closes_it_when_it_returns,
    # Last: it bans a source.
    f6_a_burst_of_failed_registrations_gets_the_source_banned_at_the_edge,
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tollgate", default=os.path.join(ROOT, "target", "debug", "tollgate"))
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", action="store_true", help="keep the run directory")
    args = ap.parse_args()
    for tool in ("kamailio", "sipp"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (apt-get install kamailio kamailio-extra-modules "
                     "kamailio-utils-modules sip-tester)")
    e = Edge(args.tollgate)
    failed = []
    try:
        e.start()
        for t in TESTS:
            if args.only and args.only not in t.__name__:
                continue
            t0 = time.time()
            try:
                t(e)
                print(f"ok   {t.__name__} ({time.time() - t0:.1f} s)")
            except Exception as x:  # noqa: BLE001 - report every failure, go on
                failed.append(t.__name__)
                print(f"FAIL {t.__name__}: {x}")
    except Exception as x:  # noqa: BLE001
        failed.append("setup")
        print(f"FAIL setup: {x}")
    finally:
        e.stop_all()
        if failed or args.keep:
            print(f"run directory kept: {e.dir}")
            for name in ("tollgate", "kamailio", "uas"):
                path = os.path.join(e.dir, f"{name}.log")
                if failed and os.path.exists(path):
                    print(f"--- last lines of {name}.log")
                    print("".join(open(path, errors="replace").readlines()[-25:]))
        else:
            shutil.rmtree(e.dir, ignore_errors=True)
    print(f"{len(failed)} failed" if failed else "all SIP edge tests passed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
