"""bpfcost exporter against real parts: Debian's Prometheus server scraping
it every second, promtool, the OpenMetrics parser of python3-prometheus-
client, openssl for a certificate, libcrypt bcrypt hashes, the reference
service (sysmon) and the workload generator."""
import base64
import crypt
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import BIN, ROOT, SYSCTL, run, sysctl_value

DASHBOARD = ROOT / "contrib" / "grafana-dashboard.json"
UNIT = ROOT / "contrib" / "bpfcost-exporter.service"
PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")


class Exporter:
    """bpfcost -j exporter in the background; url from its first line."""

    def __init__(self, *args, listen="127.0.0.1:0"):
        argv = [BIN, "-j", "exporter", "--listen", listen] + [str(a) for a in args]
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        line = self.p.stdout.readline()
        if not line:
            err = self.p.stderr.read()
            self.p.wait()
            raise AssertionError(f"exporter did not start: {err}")
        self.info = json.loads(line)
        self.url = self.info["url"]
        self.port = int(self.info["listen"].rsplit(":", 1)[1])

    def get(self, path="/metrics", accept=None, **kw):
        return http_get(self.url.replace("/metrics", path), accept=accept, **kw)

    def metrics(self, openmetrics=False):
        accept = "application/openmetrics-text;version=1.0.0" if openmetrics else None
        status, headers, body = self.get(accept=accept)
        assert status == 200, body
        return body

    def stop(self):
        """SIGTERM; returns (exit code, stderr). Safe to call again."""
        if not hasattr(self, "result"):
            if self.p.poll() is None:
                self.p.send_signal(signal.SIGTERM)
            rc = self.p.wait(timeout=30)
            self.result = (rc, self.p.stderr.read())
            self.p.stdout.close()
            self.p.stderr.close()
        return self.result


def http_get(url, accept=None, auth=None, context=None, timeout=10):
    req = urllib.request.Request(url)
    if accept:
        req.add_header("Accept", accept)
    if auth:
        tok = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        req.add_header("Authorization", f"Basic {tok}")
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


@pytest.fixture
def exporter():
    started = []

    def start(*args, **kw):
        e = Exporter(*args, **kw)
        started.append(e)
        return e
    yield start
    for e in started:
        rc, err = e.stop()
        assert rc == 0, err


class Sysmon:
    """The reference service at the count weight, in the background."""

    def __init__(self):
        self.p = subprocess.Popen([BIN, "sysmon", "-w", "count", "-i", "1h"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.id = wait_prog("sysmon_cnt_enter")

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        assert self.p.wait(timeout=30) == 0, self.p.stderr.read()
        self.p.stderr.close()


def wait_prog(name, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True,
                             text=True, check=True).stdout
        ids = [p["id"] for p in json.loads(out or "[]") if p.get("name") == name]
        if ids:
            return ids[0]
        time.sleep(0.2)
    raise AssertionError(f"program {name} never appeared")


@pytest.fixture
def sysmon():
    s = Sysmon()
    yield s
    s.stop()


def load(seconds, cpu=0):
    return subprocess.Popen([BIN, "load", "--syscalls", "getpid", "--duration", str(seconds),
                             "--cpu", str(cpu)], stdout=subprocess.DEVNULL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Prometheus:
    """Debian's prometheus on loopback, scraping one target every second,
    with its storage in a temporary directory."""

    def __init__(self, tmp, target, scheme="http", extra=""):
        self.port = free_port()
        cfg = tmp / "prometheus.yml"
        cfg.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n  - job_name: bpfcost\n    scrape_interval: 1s\n"
            f"    scrape_timeout: 1s\n    scheme: {scheme}\n{extra}"
            f"    static_configs:\n      - targets: ['{target}']\n")
        self.log = open(tmp / "prometheus.log", "w")
        self.p = subprocess.Popen(
            [PROMETHEUS, f"--config.file={cfg}", f"--storage.tsdb.path={tmp / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                if http_get(self.base + "/-/ready", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise AssertionError("prometheus did not become ready")

    def query(self, expr, at=None):
        q = {"query": expr}
        if at is not None:
            q["time"] = f"{at:.3f}"
        status, _, body = http_get(self.base + "/api/v1/query?" + urllib.parse.urlencode(q))
        doc = json.loads(body)
        assert status == 200 and doc["status"] == "success", body
        return doc["data"]["result"]

    def wait_for(self, expr, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            r = self.query(expr)
            if r:
                return r
            time.sleep(0.5)
        raise AssertionError(f"no result for {expr}")

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()


needs_prometheus = pytest.mark.skipif(not PROMETHEUS, reason="Debian's prometheus package "
                                      "is not installed (scripts/deps.sh --test installs it)")


@pytest.fixture
def prometheus(tmp_path):
    started = []

    def start(target, **kw):
        p = Prometheus(tmp_path, target, **kw)
        started.append(p)
        return p
    yield start
    for p in started:
        p.stop()


def parse_text(body):
    """{(name, frozenset(labels)): value} from the Prometheus text format."""
    out = {}
    for line in body.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line)
        assert m, line
        labels = frozenset(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"',
                                      m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def series(parsed, name, **want):
    return {dict(k[1]).get("id"): v for k, v in parsed.items()
            if k[0] == name and all(dict(k[1]).get(a) == str(b) for a, b in want.items())}


# ---- the Prometheus server ----

@pytest.mark.accuracy
@needs_prometheus
def test_prometheus_rate_agrees_with_stats(exporter, sysmon, prometheus):
    """rate(bpf_program_runs_total) of sysmon's program, as Prometheus
    computes it from 1 s scrapes, against bpfcost stats over the same
    window; both under one steady getpid workload."""
    ex = exporter("--mode", "stats")
    prom = prometheus(f"127.0.0.1:{ex.port}")
    sel = f'bpf_program_runs_total{{id="{sysmon.id}"}}'
    wl = load(16)
    try:
        prom.wait_for(sel)
        time.sleep(2)
        t0 = time.time()
        st = run("-j", "stats", "id", sysmon.id, "--duration", "8", check=True)
        t1 = time.time()
        time.sleep(2.5)	# scrapes up to t1 are in
    finally:
        wl.wait(timeout=60)
    summary = [json.loads(l) for l in st.stdout.splitlines()][-1]
    assert summary["type"] == "summary"
    stats_rate = summary["programs"][0]["rate"]["runs_per_s"]
    window = int(t1 - t0)
    res = prom.query(f"rate({sel}[{window}s])", at=t1)
    assert len(res) == 1, res
    prom_rate = float(res[0]["value"][1])
    print(f"runs/s over {window} s: prometheus rate() {prom_rate:.0f}, bpfcost stats "
          f"{stats_rate:.0f}, ratio {prom_rate / stats_rate:.4f}")
    assert stats_rate > 10000, stats_rate
    assert abs(prom_rate / stats_rate - 1) <= 0.10, (prom_rate, stats_rate)
    # The info metric joins on the identity labels.
    info = prom.query(f'bpf_program_info{{id="{sysmon.id}"}}')
    assert info[0]["metric"]["name"] == "sysmon_cnt_enter"
    assert info[0]["metric"]["attach"] == "raw_tp:sys_enter"
    assert info[0]["metric"]["type"] == "raw_tracepoint"
    # Prometheus scraped OpenMetrics (it asks for it) without complaint.
    up = prom.query('up{job="bpfcost"}')
    assert up and up[0]["value"][1] == "1", up


@needs_prometheus
def test_series_vanish_after_unload(exporter, prometheus):
    s = Sysmon()
    try:
        ex = exporter("--mode", "both")
        prom = prometheus(f"127.0.0.1:{ex.port}")
        for name in ("bpf_program_runs_total", "bpf_program_info",
                     "bpf_program_sampled_cpu_seconds_total"):
            prom.wait_for(f'{name}{{id="{s.id}"}}')
    finally:
        s.stop()
    deadline = time.time() + 15
    left = None
    while time.time() < deadline:
        left = prom.query(f'{{__name__=~"bpf_program_.*", id="{s.id}"}}')
        if not left:
            break
        time.sleep(0.5)
    assert not left, left
    assert prom.query('up{job="bpfcost"}')[0]["value"][1] == "1"


# ---- the format ----

@pytest.mark.skipif(not PROMTOOL, reason="promtool (Debian's prometheus package) missing")
@pytest.mark.parametrize("mode", ["stats", "sampling", "both"])
def test_promtool_check_metrics(exporter, sysmon, mode):
    ex = exporter("--mode", mode)
    wl = load(2)
    wl.wait(timeout=30)
    body = ex.metrics()
    p = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    parsed = parse_text(body)
    assert series(parsed, "bpf_program_info", id=sysmon.id)
    has_stats = bool(series(parsed, "bpf_program_runs_total", id=sysmon.id))
    has_samples = bool(series(parsed, "bpf_program_sampled_cpu_seconds_total", id=sysmon.id))
    assert has_stats == (mode != "sampling")
    assert has_samples == (mode != "stats")


def test_openmetrics_parses(exporter, sysmon):
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
    ex = exporter("--mode", "both")
    status, headers, body = ex.get(accept="application/openmetrics-text;version=1.0.0,"
                                   "text/plain;version=0.0.4;q=0.5")
    assert status == 200
    assert headers["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert body.endswith("# EOF\n")
    fams = {f.name: f for f in text_string_to_metric_families(body)}
    assert fams["bpf_program"].type == "info"
    assert fams["bpf_program_runs"].type == "counter"
    assert fams["bpf_program_run_time_seconds"].unit == "seconds"
    assert fams["bpf_program_sampled_cpu_seconds"].unit == "seconds"
    ids = {s.labels["id"] for s in fams["bpf_program_runs"].samples}
    assert str(sysmon.id) in ids
    # Every per-program series carries the identity pair.
    for name in ("bpf_program", "bpf_program_runs", "bpf_program_run_time_seconds",
                 "bpf_program_recursion_misses", "bpf_program_sampled_cpu_seconds"):
        for s in fams[name].samples:
            assert s.labels["load_time"].isdigit(), s
    # Without an Accept header: the classic text format.
    status, headers, body = ex.get()
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "# EOF" not in body


def test_counters_follow_the_kernel(exporter, sysmon):
    """runs_total and run_time_seconds_total are the kernel's own counters
    (bpftool shows the same ones), and they only go up."""
    ex = exporter("--mode", "stats")
    wl = load(3)
    try:
        a = parse_text(ex.metrics())
        time.sleep(1)
        b = parse_text(ex.metrics())
    finally:
        wl.wait(timeout=30)
    for name in ("bpf_program_runs_total", "bpf_program_run_time_seconds_total"):
        va = series(a, name, id=sysmon.id)[str(sysmon.id)]
        vb = series(b, name, id=sysmon.id)[str(sysmon.id)]
        assert vb > va > 0, (name, va, vb)
    out = subprocess.run(["bpftool", "-j", "prog", "show", "id", str(sysmon.id)],
                         capture_output=True, text=True, check=True).stdout
    kernel = json.loads(out)["run_cnt"]
    assert kernel >= series(b, "bpf_program_runs_total", id=sysmon.id)[str(sysmon.id)]


def test_series_cap_counts_left_out(exporter):
    s = subprocess.Popen([BIN, "sysmon", "-w", "proc", "-i", "1h"], stdout=subprocess.DEVNULL)
    try:
        wait_prog("sysmon_proc_exit")
        ex = exporter("--mode", "stats", "--max-programs", "1", "name", "sysmon_proc_enter",
                      "name", "sysmon_proc_exit")
        wl = load(2)
        wl.wait(timeout=30)
        body = ex.metrics()
        parsed = parse_text(body)
        assert len(series(parsed, "bpf_program_info")) == 1
        assert parsed[("bpfcost_programs", frozenset())] == 2
        assert parsed[("bpfcost_programs_left_out_total", frozenset())] >= 1
    finally:
        s.send_signal(signal.SIGTERM)
        s.wait(timeout=30)


# ---- modes ----

def holds_stats_fd(pid):
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd) == "anon_inode:bpf-stats":
                return True
        except OSError:
            pass
    return False


def test_sampling_never_switches_stats_on(exporter, sysmon):
    before = sysctl_value()
    ex = exporter("--mode", "sampling")
    assert ex.info["stats_via"] == "none" and ex.info["freq"] == 49
    wl = load(4)
    try:
        time.sleep(1)
        assert not holds_stats_fd(ex.p.pid)
        assert sysctl_value() == before
    finally:
        wl.wait(timeout=30)
    parsed = parse_text(ex.metrics())
    assert not series(parsed, "bpf_program_runs_total")
    sampled = series(parsed, "bpf_program_sampled_cpu_seconds_total", id=sysmon.id)
    assert sampled[str(sysmon.id)] > 0, sampled
    assert parsed[("bpfcost_samples_total", frozenset())] > 0


def test_stats_mode_holds_stats_for_its_life(exporter):
    ex = exporter("--mode", "stats")
    assert ex.info["stats_via"] == "BPF_ENABLE_STATS"
    assert holds_stats_fd(ex.p.pid)
    rc, err = ex.stop()
    assert rc == 0, err


# ---- listening ----

def listening_sockets(pid):
    """(family, local address, port) of pid's listening TCP sockets, from
    /proc/net/tcp{,6} matched by socket inode."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            m = re.match(r"socket:\[(\d+)\]", os.readlink(fd))
        except OSError:
            continue
        if m:
            inodes.add(m.group(1))
    found = []
    for fam, f in (("ipv4", "/proc/net/tcp"), ("ipv6", "/proc/net/tcp6")):
        for line in Path(f).read_text().splitlines()[1:]:
            cols = line.split()
            if cols[3] == "0A" and cols[9] in inodes:
                addr, port = cols[1].split(":")
                found.append((fam, addr, int(port, 16)))
    return found


def non_loopback_ipv4():
    out = subprocess.run(["ip", "-j", "-4", "addr"], capture_output=True, text=True,
                         check=True).stdout
    for link in json.loads(out):
        for a in link.get("addr_info", []):
            if not a["local"].startswith("127."):
                return a["local"]
    return None


def test_default_listens_on_loopback_only():
    p = subprocess.Popen([BIN, "-j", "exporter"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        info = json.loads(p.stdout.readline())
        assert info["listen"] == "127.0.0.1:9476"
        socks = listening_sockets(p.pid)
        assert socks == [("ipv4", "0100007F", 9476)], socks
        other = non_loopback_ipv4()
        if other:
            with socket.socket() as s:
                s.settimeout(2)
                assert s.connect_ex((other, 9476)) != 0
    finally:
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=30) == 0
        p.stdout.close()
        p.stderr.close()


def test_ipv6_listen(exporter):
    if not Path("/proc/net/if_inet6").exists() or \
            "00000000000000000000000000000001" not in Path("/proc/net/if_inet6").read_text():
        pytest.skip("no IPv6 loopback address on this host")
    ex = exporter(listen="[::1]:0")
    assert ex.info["listen"].startswith("[::1]:")
    assert ex.get("/healthz")[0] == 200
    assert [s[0] for s in listening_sockets(ex.p.pid)] == ["ipv6"]


@pytest.mark.parametrize("bad", ["localhost:9476", "127.0.0.1", ":9476", "127.0.0.1:",
                                 "127.0.0.1:65536", "127.0.0.1:0x10", "127.0.0.1:-1",
                                 "[::1]9476", "::1:9476", "[::1]:", "1.2.3:80",
                                 "127.0.0.1:9476 "])
def test_listen_parsing_is_strict(bad):
    p = run("exporter", "--listen", bad)
    assert p.returncode == 2, p.stderr
    assert p.stderr.count("\n") == 1 and "--listen" in p.stderr, p.stderr


@pytest.mark.parametrize("args,msg", [
    (["--mode", "fast"], "--mode"),
    (["--freq", "49"], "--freq needs"),
    (["--mode", "sampling", "--freq", "0"], "--freq"),
    (["--max-programs", "0"], "--max-programs"),
    (["--max-connections", "2000"], "--max-connections"),
    (["name", "no_such_program_xyz"], "no_such_program_xyz"),
])
def test_bad_options(args, msg):
    p = run("exporter", *args)
    assert p.returncode != 0 and msg in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_address_in_use_is_one_line(exporter):
    ex = exporter()
    p = run("exporter", "--listen", f"127.0.0.1:{ex.port}")
    assert p.returncode == 1 and "Address already in use" in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


# ---- routes and robustness ----

def test_routes(exporter):
    ex = exporter()
    status, headers, body = ex.get("/")
    assert status == 200 and 'href="metrics"' in body
    assert ex.get("/healthz")[:3:2] == (200, "ok\n")
    assert ex.get("/nope")[0] == 404
    req = urllib.request.Request(ex.url, data=b"x", method="POST")
    try:
        urllib.request.urlopen(req, timeout=5)
        assert False, "POST accepted"
    except urllib.error.HTTPError as e:
        assert e.code == 405


def test_clients_that_vanish_are_not_fatal(exporter):
    """Clients that reset the connection mid-request, and more clients than
    --max-connections: each is that connection's problem only."""
    ex = exporter("--max-connections", "4")
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", ex.port))
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()	# RST
    idle = [socket.create_connection(("127.0.0.1", ex.port)) for _ in range(8)]
    try:
        time.sleep(0.5)
    finally:
        for s in idle:
            s.close()
    time.sleep(0.5)
    status, _, body = ex.get()
    assert status == 200 and "bpfcost_errors_total" in body
    assert ex.p.poll() is None


# Runs inside a private network namespace whose TCP send buffers are
# capped at 64 KiB (net.ipv4.tcp_wmem is per namespace), so a response of
# a few hundred KiB to a client with a 2 KiB receive buffer really is in
# flight, in the exporter, when SIGTERM comes. Prints what it saw as JSON.
SLOW_CLIENT = r"""
import json, signal, socket, subprocess, sys, time
ex = subprocess.Popen([sys.argv[1], "-j", "exporter", "--listen", "127.0.0.1:0",
                       "--max-programs", "5000"], stdout=subprocess.PIPE, text=True)
port = int(json.loads(ex.stdout.readline())["listen"].rsplit(":", 1)[1])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
s.connect(("127.0.0.1", port))
s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
time.sleep(1)
ex.send_signal(signal.SIGTERM)
time.sleep(1)
alive = ex.poll() is None
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(json.dumps({"alive_after_sigterm": alive, "rc": ex.wait(timeout=30),
                  "response": data.decode(errors="replace")}))
"""


def test_sigterm_finishes_the_response_in_flight():
    """A client that has sent its request but reads slowly: SIGTERM lets
    the response finish, then the exporter exits 0."""
    loader = ROOT / "build" / "bench" / "fleet_loader"
    if not loader.exists():
        subprocess.run(["make", "-C", str(ROOT), "build/bench/fleet_loader"], check=True,
                       capture_output=True)
    fleet = subprocess.Popen([str(loader), "1000"], stdout=subprocess.PIPE, text=True)
    try:
        assert fleet.stdout.readline().startswith("ready")
        p = subprocess.run(
            ["unshare", "-n", "sh", "-c",
             'ip link set lo up && sysctl -qw net.ipv4.tcp_wmem="4096 16384 65536" && '
             'exec /usr/bin/python3 -c "$0" "$1"', SLOW_CLIENT, BIN],
            capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr
        r = json.loads(p.stdout)
    finally:
        fleet.send_signal(signal.SIGTERM)
        fleet.wait(timeout=30)
        fleet.stdout.close()
    assert r["rc"] == 0
    assert r["alive_after_sigterm"], "the response was not in flight: the test proves nothing"
    head, body = r["response"].split("\r\n\r\n", 1)
    assert " 200 " in head.split("\r\n")[0]
    # Whole: every fleet program, and the last family of a stats response.
    assert body.count("bc_fleet_") == 1000
    assert re.search(r'bpfcost_errors_total\{kind="connection"\} \d+\n$', body), body[-200:]


# ---- TLS and basic auth ----

def bcrypt_hash(password):
    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 6))


def self_signed(tmp):
    cert, key = tmp / "server.crt", tmp / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def tls_auth(tmp_path):
    self_signed(tmp_path)
    h = bcrypt_hash("right horse")
    assert h.startswith("$2b$")
    # $2y$ as htpasswd and exporter-toolkit's docs write it
    cfg = tmp_path / "web.yml"
    cfg.write_text("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                   "basic_auth_users:\n  alice: " + h.replace("$2b$", "$2y$", 1) + "\n"
                   "  bob: " + bcrypt_hash("other") + "\n")
    ctx = ssl.create_default_context(cafile=str(tmp_path / "server.crt"))
    return cfg, ctx


def test_tls_and_basic_auth(exporter, tls_auth):
    cfg, ctx = tls_auth
    ex = exporter("--web-config", cfg)
    assert ex.url.startswith("https://") and ex.info["tls"] and ex.info["basic_auth"]
    status, headers, _ = http_get(ex.url, context=ctx)
    assert status == 401 and headers["WWW-Authenticate"].startswith("Basic")
    assert http_get(ex.url, context=ctx, auth=("alice", "wrong horse"))[0] == 401
    assert http_get(ex.url, context=ctx, auth=("mallory", "right horse"))[0] == 401
    assert http_get(ex.url, context=ctx, auth=("bob", "right horse"))[0] == 401
    for _ in range(2):	# the second one from the cache of verified passwords
        status, _, body = http_get(ex.url, context=ctx, auth=("alice", "right horse"))
        assert status == 200 and "bpfcost_programs" in body
    assert http_get(ex.url.replace("/metrics", "/healthz"), context=ctx)[0] == 401
    # Plain HTTP on the TLS port gets no metrics.
    with pytest.raises(Exception):
        status = http_get(ex.url.replace("https://", "http://"), timeout=5)[0]
        assert status != 200
        raise OSError("refused")


@needs_prometheus
def test_prometheus_scrapes_over_tls_with_auth(exporter, prometheus, tls_auth):
    cfg, _ = tls_auth
    ex = exporter("--web-config", cfg)
    extra = (f"    tls_config:\n      ca_file: {cfg.parent / 'server.crt'}\n"
             "    basic_auth:\n      username: alice\n      password: right horse\n")
    prom = prometheus(f"127.0.0.1:{ex.port}", scheme="https", extra=extra)
    r = prom.wait_for('bpfcost_programs{job="bpfcost"}')
    assert r


@pytest.mark.parametrize("text,msg", [
    ("nope: 1\n", "unknown key 'nope'"),
    ("tls_server_config:\n  cert_file: a.crt\n", "both cert_file and key_file"),
    ("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: c\n",
     "client_ca_file is not supported"),
    ("basic_auth_users:\n  alice: plaintext\n", "expected a bcrypt hash"),
    ("basic_auth_users: [alice]\n", "expected a mapping"),
    ("tls_server_config: {cert_file: a, key_file: b, min_version: TLS14}\n", "min_version"),
    ("tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n", "missing.crt"),
    ("a: [\n", "line"),
])
def test_bad_web_config(tmp_path, text, msg):
    cfg = tmp_path / "web.yml"
    cfg.write_text(text)
    p = run("exporter", "--web-config", cfg)
    assert p.returncode != 0 and msg in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr


def test_empty_web_config_is_plain_http(exporter, tmp_path):
    cfg = tmp_path / "web.yml"
    cfg.write_text("# nothing\n")
    ex = exporter("--web-config", cfg)
    assert ex.url.startswith("http://") and ex.get("/healthz")[0] == 200


# ---- contrib ----

def served_metric_names(ex):
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
    names = set()
    for f in text_string_to_metric_families(ex.metrics(openmetrics=True)):
        names.update(s.name for s in f.samples)
    return names


def test_dashboard_queries_name_served_metrics(exporter, sysmon, tmp_path):
    dash = json.loads(DASHBOARD.read_text())
    exprs = []

    def walk(o):
        if isinstance(o, dict):
            if isinstance(o.get("expr"), str):
                exprs.append(o["expr"])
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)
    walk(dash)
    assert len(exprs) >= 4, exprs
    ex = exporter("--mode", "both")
    wl = load(2)
    wl.wait(timeout=30)
    served = served_metric_names(ex)
    for e in exprs:
        names = set(re.findall(r"\b(bpf(?:cost)?_[a-z0-9_]+)\b", e))
        assert names, e
        assert names <= served, (e, names - served)
    titles = " ".join(p.get("title", "") for p in dash["panels"]).lower()
    for want in ("cpu", "ns/run", "runs/s", "misses"):
        assert want in titles, titles
    assert_promql_parses(exprs, tmp_path)


def assert_promql_parses(exprs, tmp_path):
    """Every query parses as PromQL: promtool parses a rules file offline
    (`promtool query` would send the text to a server unparsed)."""
    if not PROMTOOL:
        return
    rules = tmp_path / "dashboard-rules.yml"
    lines = ["groups:", "- name: dashboard", "  rules:"]
    for i, e in enumerate(exprs):
        q = e.replace("$__rate_interval", "1m").replace("$__interval", "1m")
        lines += [f"  - record: dashboard:q{i}", f"    expr: {json.dumps(q.replace('$instance', '.*'))}"]
    rules.write_text("\n".join(lines) + "\n")
    p = subprocess.run([PROMTOOL, "check", "rules", str(rules)], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


def test_promql_check_can_fail(tmp_path):
    if not PROMTOOL:
        pytest.skip("promtool is not installed (Debian's prometheus)")
    with pytest.raises(AssertionError):
        assert_promql_parses(["rate(bpf_program_runs_total[$__rate_interval]"], tmp_path)


def test_systemd_unit_command_runs(tmp_path):
    """The unit's ExecStart options are ones the exporter takes (run with
    the listen address moved to a free port), and the unit file passes
    systemd-analyze where it is installed."""
    text = UNIT.read_text()
    m = re.search(r"^ExecStart=(\S+)(.*)$", text, re.M)
    assert m, text
    args = m.group(2).split()
    assert args[0] == "exporter", args
    args = args[1:]
    i = args.index("--listen")
    assert args[i + 1].startswith("127.0.0.1:")
    args[i + 1] = "127.0.0.1:0"
    ex = Exporter(*args[:i], *args[i + 2:], listen="127.0.0.1:0")
    try:
        assert ex.get("/healthz")[0] == 200
    finally:
        rc, err = ex.stop()
    assert rc == 0, err
    for want in ("ProtectSystem=strict", "NoNewPrivileges=yes", "CapabilityBoundingSet="):
        assert want in text
    sa = shutil.which("systemd-analyze")
    if sa:
        unit = tmp_path / "bpfcost-exporter.service"
        unit.write_text(text.replace(m.group(1), BIN, 1))
        p = subprocess.run([sa, "verify", str(unit)], capture_output=True, text=True)
        bad = [l for l in p.stderr.splitlines() if str(unit) in l and "Unknown" in l]
        assert not bad, p.stderr


def test_info_names_the_owner(exporter, sysmon):
    """bpf_program_info's owner_comm: the process holding the program (the
    reference service runs as `bpfcost`)."""
    ex = exporter("--mode", "stats")
    info = series(parse_text(ex.metrics()), "bpf_program_info", id=sysmon.id)
    (labels,) = [dict(k[1]) for k in parse_text(ex.metrics())
                 if k[0] == "bpf_program_info" and dict(k[1]).get("id") == str(sysmon.id)]
    assert info and labels["owner_comm"] == "bpfcost", labels
