#!/usr/bin/env python3
"""The mock and a private Dovecot under the same load, in one run, on this machine.

    bench/side_by_side.py [--build build/default] [--out DIR] [--duration S] [--plot FILE]

Starts `pop3-conform serve` with generated mailboxes and a private Dovecot (ci/dovecot.sh)
with the same mailboxes, then measures:
  (a) sessions/s (login, STAT, RETR of 4 KB, QUIT) and pooled RETR MB/s, both engines;
  (b) one 100 MB message: pop3::Client, curl, Python's poplib and a raw socket read;
  (c) pooled sessions against reconnecting for small operations;
  a sweep of connections (the plot), of the mock's poolSize and maxConnections, a 1 GB retrieve
  to a file (peak RSS), and 5,000 idle sessions held while new ones are served.
Writes DIR/results.json, DIR/results.md (the tables of docs/benchmarks.md) and the plot (PNG,
with gnuplot). Needs ci/install-deps.sh's packages and a build (cmake --build --preset default).
"""

import argparse
import json
import os
import pwd
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ACCOUNTS = 64
MESSAGES = 20
MESSAGE_SIZE = 4096
BIG_SIZE = 100 * 1000 * 1000
HUGE_SIZE = 1000 * 1000 * 1000
IDLE_SESSIONS = 5000
SMALL_MIX = "stat=50,noop=25,uidl=25"


def log(text):
    print(text, file=sys.stderr, flush=True)


def write_message(path, size, seed):
    """A message of exactly `size` octets (CRLF lines, some dot-leading), written in blocks."""
    header = b"From: load@example.org\r\nSubject: large message %d\r\n\r\n" % seed
    line = b"The quick brown fox jumps over the lazy dog, message %08d, line.\r\n" % seed
    dotted = b"." + line[1:]
    block = (line * 15 + dotted) * 1024
    with open(path, "wb") as out:
        out.write(header)
        left = size - len(header)
        while left > 0:
            chunk = block[:left] if left < len(block) else block
            out.write(chunk)
            left -= len(chunk)
        out.seek(size - 2)
        out.write(b"\r\n")


def small_message(account, number):
    text = "From: load@example.org\r\nSubject: message %d of load%d\r\n\r\n" % (number, account)
    line = 0
    while len(text) < MESSAGE_SIZE:
        line += 1
        text += "Line %d of message %d for load%d: some words to fill it up.\r\n" % (
            line, number, account)
    return text[:MESSAGE_SIZE - 2] + "\r\n"


class Mock:
    """`pop3-conform serve` with load1..loadN, big and huge."""

    def __init__(self, binary, work, max_connections=100, pool_size=100, name="mock"):
        self.scenario = os.path.join(work, name + ".yaml")
        lines = ["name: " + name, "server:", "  limits:",
                 "    maxConnections: %d" % max_connections, "    poolSize: %d" % pool_size,
                 "mailboxes:"]
        for n in range(1, ACCOUNTS + 1):
            lines += ["  - user: load%d" % n, "    password: pw-%d" % n, "    messages:"]
            lines += ["      - file: %s" % os.path.join(work, "small", "load%d-%d.eml" % (n, m))
                      for m in range(1, MESSAGES + 1)]
        for user, size in (("big", BIG_SIZE), ("huge", HUGE_SIZE)):
            lines += ["  - user: " + user, "    password: pw-" + user, "    messages:",
                      "      - file: " + os.path.join(work, user + ".eml")]
        with open(self.scenario, "w") as out:
            out.write("\n".join(lines) + "\n")
        self.process = subprocess.Popen([binary, "serve", self.scenario],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True)
        ready = self.process.stdout.readline()
        if not ready:
            raise SystemExit("serve did not start: " + self.process.stderr.read())
        self.port = json.loads(ready)["pop3"]

    def pid(self):
        return self.process.pid

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


class Dovecot:
    """ci/dovecot.sh with the same mailboxes as the mock, as Maildir."""

    def __init__(self, work):
        self.dir = os.path.join(work, "dovecot")
        subprocess.run([os.path.join(ROOT, "ci", "dovecot.sh"), "start", self.dir], check=True,
                       stdout=subprocess.DEVNULL)
        env = dict(line.strip().split("=", 1) for line in open(os.path.join(self.dir, "peer.env")))
        self.port = int(env["PEER_PLAIN_PORT"])
        owner = pwd.getpwnam("mail") if os.getuid() == 0 else pwd.getpwuid(os.getuid())
        with open(os.path.join(self.dir, "users"), "a") as users:
            for user, password in [("load%d" % n, "pw-%d" % n) for n in range(1, ACCOUNTS + 1)] + [
                    ("big", "pw-big"), ("huge", "pw-huge")]:
                users.write("%s:{PLAIN}%s:%d:%d::%s/mail/%s::\n" % (
                    user, password, owner.pw_uid, owner.pw_gid, self.dir, user))
        for n in range(1, ACCOUNTS + 1):
            files = [os.path.join(work, "small", "load%d-%d.eml" % (n, m))
                     for m in range(1, MESSAGES + 1)]
            self._maildir("load%d" % n, files, owner)
        self._maildir("big", [os.path.join(work, "big.eml")], owner)
        self._maildir("huge", [os.path.join(work, "huge.eml")], owner)

    def _maildir(self, user, files, owner):
        root = os.path.join(self.dir, "mail", user)
        for sub in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(root, sub), exist_ok=True)
        for i, source in enumerate(files, 1):
            target = os.path.join(root, "cur", "%d.M%dP1.localhost,S=%d:2," % (
                1000000 + i, i, os.path.getsize(source)))
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
        for path, dirs, names in os.walk(root):
            os.chown(path, owner.pw_uid, owner.pw_gid)
            for name in names:
                os.chown(os.path.join(path, name), owner.pw_uid, owner.pw_gid)

    def stop(self):
        subprocess.run([os.path.join(ROOT, "ci", "dovecot.sh"), "stop", self.dir], check=False)


class Runner:
    def __init__(self, build, work, duration):
        self.tool = os.path.join(build, "cli", "pop3-conform")
        self.retrieve = os.path.join(build, "bench", "pop3_retrieve")
        self.work = work
        self.duration = duration

    def bench(self, port, *options, duration=None):
        report = os.path.join(self.work, "bench.json")
        command = [self.tool, "bench", "--target",
                   "pop3://load{n}:pw-{n}@127.0.0.1:%d" % port, "-q", "--json", report,
                   "-d", str(duration or self.duration)] + [str(o) for o in options]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        with open(report) as data:
            return json.load(data)

    def timed(self, command, octets):
        start = time.monotonic()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        return octets / (time.monotonic() - start) / 1e6

    def retrieve_rates(self, port, user):
        """MB/s of one RETR of `user`'s message 1 per client, median of three."""
        url = "pop3://%s:pw-%s@127.0.0.1:%d" % (user, user, port)
        rates = {}
        for method in ("client", "raw"):
            runs = []
            for _ in range(3):
                out = subprocess.run(
                    [self.retrieve, "--method", method, "--host", "127.0.0.1", "--port",
                     str(port), "--user", user, "--password", "pw-" + user, "--message", "1"],
                    check=True, capture_output=True, text=True).stdout
                runs.append(json.loads(out)["mb_per_s"])
            rates["pop3::Client" if method == "client" else "raw socket"] = statistics.median(runs)
        curl = [self.timed(["curl", "-s", "-o", "/dev/null", url + "/1"], BIG_SIZE)
                for _ in range(3)]
        rates["curl"] = statistics.median(curl)
        poplib = ("import poplib, sys\n"
                  "p = poplib.POP3('127.0.0.1', %d)\np.user('%s')\np.pass_('pw-%s')\n"
                  "p.retr(1)\np.quit()\n" % (port, user, user))
        rates["poplib"] = statistics.median(
            [self.timed([sys.executable, "-c", poplib], BIG_SIZE) for _ in range(3)])
        return rates


def rate(report, key):
    return report["rates"][key]


def p99(report, step):
    return report["latency"].get(step, {}).get("p99_ms", 0.0)


def session_row(report):
    return {"sessions_per_s": rate(report, "sessions_per_s"),
            "mb_per_s": rate(report, "mb_per_s"),
            "operations_per_s": rate(report, "operations_per_s"),
            "login_p99_ms": p99(report, "login"), "retr_p99_ms": p99(report, "retr"),
            "errors": report["totals"]["errors"],
            "generator_cpu_s": report["generator_cpu_s"], "elapsed_s": report["elapsed_s"]}


def measure(args):
    work = args.out
    os.makedirs(os.path.join(work, "small"), exist_ok=True)
    log("writing mailboxes to %s" % work)
    for n in range(1, ACCOUNTS + 1):
        for m in range(1, MESSAGES + 1):
            with open(os.path.join(work, "small", "load%d-%d.eml" % (n, m)), "w",
                      newline="") as out:
                out.write(small_message(n, m))
    write_message(os.path.join(work, "big.eml"), BIG_SIZE, 1)
    write_message(os.path.join(work, "huge.eml"), HUGE_SIZE, 2)

    runner = Runner(args.build, work, args.duration)
    results = {"machine": machine(), "duration_s": args.duration}
    mock = Mock(runner.tool, work)
    dovecot = Dovecot(work)
    servers = {"mock": mock.port, "Dovecot": dovecot.port}
    try:
        log("(a) sessions/s and pooled RETR MB/s")
        results["sessions"] = {}
        for name, port in servers.items():
            for engine in ("threads", "events"):
                report = runner.bench(port, "-c", 8, "--mix", "retr=100", "--engine", engine)
                pooled = runner.bench(port, "-c", 8, "--mix", "retr=100", "--engine", engine,
                                      "--pool")
                row = session_row(report)
                row["pooled_retr_mb_per_s"] = rate(pooled, "mb_per_s")
                results["sessions"]["%s/%s" % (name, engine)] = row
                log("  %-16s %8.1f sessions/s  %7.1f MB/s pooled" % (
                    name + "/" + engine, row["sessions_per_s"], row["pooled_retr_mb_per_s"]))

        log("(b) one 100 MB message")
        results["retrieve_100mb"] = {name: runner.retrieve_rates(port, "big")
                                     for name, port in servers.items()}
        for name, rates in results["retrieve_100mb"].items():
            log("  %s: %s" % (name, ", ".join("%s %.0f MB/s" % kv for kv in rates.items())))

        log("(c) pooled against reconnecting, mix " + SMALL_MIX)
        results["pooling"] = {}
        for name, port in servers.items():
            reconnect = runner.bench(port, "-c", 8, "--mix", SMALL_MIX, "--engine", "threads")
            pooled = runner.bench(port, "-c", 8, "--mix", SMALL_MIX, "--engine", "threads",
                                  "--pool")
            results["pooling"][name] = {
                "reconnect_ops_per_s": rate(reconnect, "operations_per_s"),
                "pool_ops_per_s": rate(pooled, "operations_per_s")}
            log("  %s: reconnect %.0f ops/s, pool %.0f ops/s" % (
                name, rate(reconnect, "operations_per_s"), rate(pooled, "operations_per_s")))

        log("connections sweep")
        results["connections"] = {}
        for name, port in servers.items():
            results["connections"][name] = {}
            for connections in (1, 2, 4, 8, 16, 32, 64):
                report = runner.bench(port, "-c", connections, "--mix", "retr=100", "--engine",
                                      "events", duration=max(2, args.duration / 2))
                results["connections"][name][connections] = session_row(report)
                log("  %s c=%d: %.0f sessions/s, login p99 %.2f ms" % (
                    name, connections, rate(report, "sessions_per_s"), p99(report, "login")))

        log("1 GB retrieve to a file")
        target = os.path.join(work, "huge.out")
        out = subprocess.run([runner.retrieve, "--method", "client", "--host", "127.0.0.1",
                              "--port", str(mock.port), "--user", "huge", "--password",
                              "pw-huge", "--message", "1", "--output", target],
                             check=True, capture_output=True, text=True).stdout
        results["retrieve_1gb"] = json.loads(out)
        os.remove(target)
        log("  %s" % out.strip())
    finally:
        mock.stop()
        dovecot.stop()

    log("mock poolSize and maxConnections sweep (32 connections)")
    results["pool_size"] = {}
    results["max_connections"] = {}
    for key, limits in (("pool_size", [(64, p) for p in (2, 4, 8, 16, 64)]),
                        ("max_connections", [(m, m) for m in (8, 16, 32, 64)])):
        for max_connections, pool_size in limits:
            sweep = Mock(runner.tool, work, max_connections, pool_size, "sweep")
            try:
                report = runner.bench(sweep.port, "-c", 32, "--mix", "retr=100", "--engine",
                                      "events", duration=max(2, args.duration / 2))
            finally:
                sweep.stop()
            row = session_row(report)
            row["refused"] = report["errors"].get("refused", 0) + report["errors"].get(
                "closed", 0)
            results[key][pool_size if key == "pool_size" else max_connections] = row
            log("  %s=%d: %.0f sessions/s, %d refused" % (
                key, pool_size if key == "pool_size" else max_connections,
                row["sessions_per_s"], row["refused"]))

    log("%d idle sessions while new ones are served" % IDLE_SESSIONS)
    idle_mock = Mock(runner.tool, work, IDLE_SESSIONS + 100, IDLE_SESSIONS + 100, "idle")
    try:
        baseline = runner.bench(idle_mock.port, "-c", 8, "--mix", "retr=100", "--engine",
                                "events")
        held = runner.bench(idle_mock.port, "-c", 8, "--mix", "retr=100", "--engine", "events",
                            "--idle", IDLE_SESSIONS)
        rss_kb = int(open("/proc/%d/status" % idle_mock.pid()).read().split("VmHWM:")[1].split()[0])
    finally:
        idle_mock.stop()
    results["idle"] = {"without": session_row(baseline), "with": session_row(held),
                       "opened": held["idle"]["opened"], "open_at_end": held["idle"]["open_at_end"],
                       "worst_p99_ms": max(v["p99_ms"] for v in held["latency"].values()),
                       "server_peak_rss_kb": rss_kb}
    log("  opened %d, still open %d, worst p99 %.2f ms" % (
        results["idle"]["opened"], results["idle"]["open_at_end"],
        results["idle"]["worst_p99_ms"]))
    return results


def machine():
    cpu = "unknown"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = int(open("/proc/meminfo").readline().split()[1]) // (1024 * 1024)
    dovecot = subprocess.run(["dovecot", "--version"], capture_output=True, text=True).stdout
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory,
            "kernel": os.uname().release, "dovecot": dovecot.strip()}


def markdown(results):
    out = []
    m = results["machine"]
    out.append("Machine: %s, %d cores, %d GiB, Linux %s; Dovecot %s; %g s per load run.\n" % (
        m["cpu"], m["cores"], m["memory_gib"], m["kernel"], m["dovecot"], results["duration_s"]))
    out.append("### (a) Sessions: login, STAT, RETR of 4 KB, QUIT (8 connections)\n")
    out.append("| server/engine | sessions/s | login p99 ms | RETR p99 ms | pooled RETR MB/s | "
               "generator CPU s | errors |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for key, row in results["sessions"].items():
        out.append("| %s | %.0f | %.2f | %.2f | %.1f | %.2f | %d |" % (
            key, row["sessions_per_s"], row["login_p99_ms"], row["retr_p99_ms"],
            row["pooled_retr_mb_per_s"], row["generator_cpu_s"], row["errors"]))
    s = results["sessions"]
    best = {name: max(s[name + "/threads"]["sessions_per_s"], s[name + "/events"]["sessions_per_s"])
            for name in ("mock", "Dovecot")}
    out.append("\nMock / Dovecot sessions/s (best engine each): **%.1f×** (target ≥ 20×).\n" % (
        best["mock"] / best["Dovecot"]))

    out.append("### (b) One 100 MB message, MB/s (median of three)\n")
    clients = list(next(iter(results["retrieve_100mb"].values())).keys())
    out.append("| server | " + " | ".join(clients) + " | Client / curl | Client / raw |")
    out.append("| --- |" + " ---: |" * (len(clients) + 2))
    for name, rates in results["retrieve_100mb"].items():
        out.append("| %s | %s | %.2f | %.0f %% |" % (
            name, " | ".join("%.0f" % rates[c] for c in clients),
            rates["pop3::Client"] / rates["curl"], 100 * rates["pop3::Client"] / rates["raw socket"]))
    huge = results["retrieve_1gb"]
    out.append("\n1 GB message to a file with pop3::Client: %.0f MB/s, peak RSS %.1f MB "
               "(target < 32 MB).\n" % (huge["mb_per_s"], huge["peak_rss_kb"] / 1024))

    out.append("### (c) Pooled against reconnecting (mix %s, 8 connections)\n" % SMALL_MIX)
    out.append("| server | reconnect ops/s | pooled ops/s | pooled / reconnect |")
    out.append("| --- | ---: | ---: | ---: |")
    for name, row in results["pooling"].items():
        out.append("| %s | %.0f | %.0f | %.1f× |" % (
            name, row["reconnect_ops_per_s"], row["pool_ops_per_s"],
            row["pool_ops_per_s"] / row["reconnect_ops_per_s"]))

    out.append("\n### Connections (events engine, login + STAT + RETR 4 KB + QUIT)\n")
    out.append("| connections | mock sessions/s | mock login p99 ms | Dovecot sessions/s | "
               "Dovecot login p99 ms |")
    out.append("| ---: | ---: | ---: | ---: | ---: |")
    for c in results["connections"]["mock"]:
        mock, dove = results["connections"]["mock"][c], results["connections"]["Dovecot"][c]
        out.append("| %s | %.0f | %.2f | %.0f | %.2f |" % (
            c, mock["sessions_per_s"], mock["login_p99_ms"], dove["sessions_per_s"],
            dove["login_p99_ms"]))

    out.append("\n### The mock's poolSize and maxConnections (32 connections)\n")
    out.append("| poolSize | sessions/s | login p99 ms |")
    out.append("| ---: | ---: | ---: |")
    for size, row in results["pool_size"].items():
        out.append("| %s | %.0f | %.2f |" % (size, row["sessions_per_s"], row["login_p99_ms"]))
    out.append("\n| maxConnections | sessions/s | refused connections |")
    out.append("| ---: | ---: | ---: |")
    for size, row in results["max_connections"].items():
        out.append("| %s | %.0f | %d |" % (size, row["sessions_per_s"], row["refused"]))

    idle = results["idle"]
    out.append("\n### %d idle sessions\n" % IDLE_SESSIONS)
    out.append("%d idle sessions opened, %d still answering at the end; meanwhile 8 connections "
               "ran %.0f sessions/s (%.0f without them) with worst per-step p99 %.2f ms "
               "(target < 100 ms), login p99 %.2f ms. Mock peak RSS %.0f MB." % (
                   idle["opened"], idle["open_at_end"], idle["with"]["sessions_per_s"],
                   idle["without"]["sessions_per_s"], idle["worst_p99_ms"],
                   idle["with"]["login_p99_ms"], idle["server_peak_rss_kb"] / 1024))
    return "\n".join(out) + "\n"


def plot(results, png, work):
    if not shutil.which("gnuplot"):
        log("gnuplot is not installed (ci/install-deps.sh installs gnuplot-nox); no plot")
        return
    data = os.path.join(work, "connections.dat")
    with open(data, "w") as out:
        out.write("# connections mock_sessions mock_login_p99 dovecot_sessions dovecot_login_p99\n")
        for c in results["connections"]["mock"]:
            mock, dove = results["connections"]["mock"][c], results["connections"]["Dovecot"][c]
            out.write("%s %f %f %f %f\n" % (c, mock["sessions_per_s"], mock["login_p99_ms"],
                                            dove["sessions_per_s"], dove["login_p99_ms"]))
    script = """
set terminal pngcairo size 1000,420 font "sans,10"
set output '{png}'
set multiplot layout 1,2 title "login, STAT, RETR 4 KB, QUIT - pop3-conform bench, events engine"
set logscale x 2
set xlabel "connections"
set grid
set key bottom right
set ylabel "sessions/s"
set logscale y
plot '{data}' using 1:2 with linespoints title "mock", '' using 1:4 with linespoints title "Dovecot"
set ylabel "login p99 (ms)"
set key top left
plot '{data}' using 1:3 with linespoints title "mock", '' using 1:5 with linespoints title "Dovecot"
unset multiplot
""".format(png=png, data=data)
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "default"))
    parser.add_argument("--out", default=tempfile.mkdtemp(prefix="pop3-bench-"))
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per load run")
    parser.add_argument("--plot", default=None, help="PNG file (default: OUT/connections.png)")
    args = parser.parse_args()
    args.out = os.path.abspath(args.out)
    results = measure(args)
    with open(os.path.join(args.out, "results.json"), "w") as out:
        json.dump(results, out, indent=2)
    text = markdown(results)
    with open(os.path.join(args.out, "results.md"), "w") as out:
        out.write(text)
    plot(results, os.path.abspath(args.plot or os.path.join(args.out, "connections.png")), args.out)
    for name in ("big.eml", "huge.eml"):
        os.remove(os.path.join(args.out, name))
    print(text)
    log("results in " + args.out)


if __name__ == "__main__":
    main()
