"""pytest fixtures that run `pop3-conform serve` (docs/serve.md) for application tests.

`pop3_serve` is a factory: each call starts a mock POP3 server on free loopback ports and
returns a `Pop3Server` (host, ports, certificate, recording()). Every server a test started is
stopped when the test ends. The fixture is function-scoped on purpose: each test gets fresh
mailboxes (deletions do not leak into the next test) and a recording of its own sessions only,
and a server starts in milliseconds.

    def test_fetch(pop3_serve):
        server = pop3_serve(users={"alice": "secret"}, messages={"m1": "Subject: hi\\n\\nHi.\\n"})
        fetch(server.host, server.pop3, "alice", "secret")
        assert server.recording().commands()[-1] == "QUIT"

The binary is $POP3_CONFORM, else `pop3-conform` on PATH.
"""

import json
import os
import selectors
import shutil
import signal
import subprocess
import time
from collections import namedtuple

import pytest

READY_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0

RecordedLine = namedtuple("RecordedLine", "session direction line time")
RecordedLine.__doc__ = """One line of the recording: `direction` is "client" or "server",
`time` is in ms since the epoch. Passwords and SASL data appear as ****."""


class ServeFailed(RuntimeError):
    """`pop3-conform serve` did not start or did not stop cleanly; the message has its stderr."""


class Recording(list):
    """What the server saw, in order: a list of RecordedLine."""

    def sessions(self):
        """The session ids, in the order the sessions started."""
        return list(dict.fromkeys(line.session for line in self))

    def client_lines(self, session=None):
        """The lines the client sent (in one session, or in all)."""
        return [
            line.line
            for line in self
            if line.direction == "client" and session in (None, line.session)
        ]

    def commands(self, session=None):
        """The first word of each client line, upper case: USER, PASS, STLS, RETR, QUIT..."""
        return [line.split(" ", 1)[0].upper() for line in self.client_lines(session)]


class Pop3Server:
    """A running `pop3-conform serve`, as its ready line describes it."""

    def __init__(self, process, ready, record_file, stderr_file):
        self._process = process
        self._record_file = record_file
        self._stderr_file = stderr_file
        self._recording = None
        self.host = ready["address"]
        self.pop3 = ready.get("pop3")  # plaintext/STLS port; None for implicit-only scenarios
        self.pop3s = ready.get("pop3s")  # implicit-TLS port; None without TLS
        self.certificate = ready.get("certificate")  # PEM file to trust; None without TLS

    def recording(self):
        """Stops the server (SIGTERM) and returns everything it saw as a Recording."""
        if self._recording is None:
            self.stop()
            with open(self._record_file, encoding="utf-8") as lines:
                self._recording = Recording(
                    RecordedLine(**json.loads(line)) for line in lines if line.strip()
                )
        return self._recording

    def stop(self):
        """Stops the server and checks that it exited cleanly (it writes --record then)."""
        if self._process.returncode is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            status = self._process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            raise ServeFailed(self._describe(f"did not stop within {STOP_TIMEOUT:g} s of SIGTERM"))
        finally:
            self._process.stdout.close()
        if status != 0:
            raise ServeFailed(self._describe(f"exited with status {status} when stopped"))

    def _describe(self, problem):
        return describe(self._process, problem, self._stderr_file)


def shown_command(args):
    """The command line for messages, with each --user password as ****."""
    shown = []
    for previous, arg in zip([None, *args], map(str, args)):
        if previous == "--user" or arg.startswith("--user="):
            arg = arg.split(":", 1)[0] + ":****"
        shown.append(arg)
    return " ".join(shown)


def describe(process, problem, stderr_file):
    with open(stderr_file, encoding="utf-8", errors="replace") as stderr:
        text = stderr.read().strip() or "(empty)"
    command = shown_command(process.args)
    return f"pop3-conform serve {problem}\ncommand: {command}\nstderr:\n{text}"


def serve_binary():
    binary = os.environ.get("POP3_CONFORM")
    if binary:
        if not os.access(binary, os.X_OK):
            pytest.fail(f"POP3_CONFORM={binary} is not an executable file", pytrace=False)
        return binary
    binary = shutil.which("pop3-conform")
    if not binary:
        pytest.fail("pop3-conform not found: set POP3_CONFORM or put it on PATH", pytrace=False)
    return binary


def read_ready_line(process, stderr_file):
    """The JSON ready line serve prints on stdout, within READY_TIMEOUT."""
    __tracebackhide__ = True
    deadline = time.monotonic() + READY_TIMEOUT
    output = b""
    problem = None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in output:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                problem = f"printed no ready line within {READY_TIMEOUT:g} s"
                break
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                problem = f"exited with status {process.wait()} before it was ready"
                break
            output += chunk
    if problem is None:
        line = output.split(b"\n", 1)[0]
        try:
            return json.loads(line)
        except ValueError:
            problem = f"printed {line!r} instead of its JSON ready line"
    process.kill()
    process.wait()
    process.stdout.close()
    raise ServeFailed(describe(process, problem, stderr_file))


@pytest.fixture
def pop3_serve(tmp_path_factory):
    """Starts `pop3-conform serve`; call it with a scenario file, or with users and messages.

    pop3_serve(scenario="faults.yaml")
    pop3_serve(users={"alice": "secret"}, messages={"uid-1": "Subject: ...\\n\\nBody\\n"})

    `messages` maps each unique-id to the message text; every user gets every message. `args`
    are further `serve` options (e.g. ["--port", "11110"]).
    """
    servers = []

    def start(scenario=None, *, users=None, messages=None, args=()):
        __tracebackhide__ = True
        work = tmp_path_factory.mktemp("pop3-serve")
        command = [serve_binary(), "serve", "--record", str(work / "record.jsonl")]
        if scenario is not None:
            command.append(str(scenario))
        for user, password in (users or {}).items():
            command += ["--user", f"{user}:{password}"]
        if messages:
            folder = work / "messages"
            folder.mkdir()
            for uid, text in messages.items():
                (folder / f"{uid}.eml").write_bytes(text.encode())
            command += ["--messages", str(folder)]
        command += list(args)

        stderr_file = work / "stderr.txt"
        with open(stderr_file, "wb") as stderr:
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr
            )
        ready = read_ready_line(process, stderr_file)
        server = Pop3Server(process, ready, work / "record.jsonl", stderr_file)
        servers.append(server)
        return server

    yield start
    problems = []
    for server in servers:
        try:
            server.stop()
        except ServeFailed as failure:
            problems.append(str(failure))
    if problems:
        raise ServeFailed("\n\n".join(problems))
