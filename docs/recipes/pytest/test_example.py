"""Application code (download_new_mail) tested against `pop3-conform serve` through the
pop3_serve fixture of conftest.py: the result, and what the client did on the wire."""

import collections
import poplib
import ssl

import pytest


# The application code under test.
def download_new_mail(host, port, user, password, seen_uids, security="stls", cafile=None):
    """Downloads the messages whose unique-id is not in seen_uids, leaving every message on the
    server. security: "plain", "stls" (upgrade before logging in) or "tls" (implicit TLS);
    cafile: the certificate to trust. Returns {uid: message bytes}."""
    if security == "tls":
        client = poplib.POP3_SSL(
            host, port, context=ssl.create_default_context(cafile=cafile), timeout=10
        )
    else:
        client = poplib.POP3(host, port, timeout=10)
        if security == "stls":
            client.stls(ssl.create_default_context(cafile=cafile))
    try:
        client.user(user)
        client.pass_(password)
        new = {}
        for entry in client.uidl()[1]:
            number, uid = entry.decode().split(" ", 1)
            if uid not in seen_uids:
                new[uid] = b"\r\n".join(client.retr(int(number))[1]) + b"\r\n"
        return new
    finally:
        client.quit()


MESSAGES = {
    "m1": "From: bob@example.org\r\nSubject: one\r\n\r\nFirst.\r\n",
    "m2": "From: bob@example.org\r\nSubject: two\r\n\r\nSecond.\r\n",
    "m3": "From: bob@example.org\r\nSubject: three\r\n\r\nThird.\r\n",
}
CREDENTIALS = {"USER", "PASS", "APOP", "AUTH"}


def test_downloads_only_new_mail_over_plaintext(pop3_serve):
    server = pop3_serve(users={"alice": "secret"}, messages=MESSAGES)

    new = download_new_mail(server.host, server.pop3, "alice", "secret", {"m1"}, "plain")

    assert new == {uid: MESSAGES[uid].encode() for uid in ("m2", "m3")}
    recording = server.recording()
    assert recording.commands() == ["USER", "PASS", "UIDL", "RETR", "RETR", "QUIT"]
    assert "PASS ****" in recording.client_lines()  # the recording masks the password


@pytest.mark.parametrize("security", ["stls", "tls"])
def test_downloads_everything_over_tls_trusting_the_certificate(pop3_serve, security):
    server = pop3_serve(users={"alice": "secret"}, messages=MESSAGES)
    port = server.pop3s if security == "tls" else server.pop3

    new = download_new_mail(
        server.host, port, "alice", "secret", set(), security, cafile=server.certificate
    )

    assert new == {uid: text.encode() for uid, text in MESSAGES.items()}
    recording = server.recording()
    [session] = recording.sessions()
    commands = recording.commands(session)
    if security == "stls":
        # Nothing secret crossed the wire before the STLS upgrade.
        assert "STLS" in commands
        assert not CREDENTIALS & set(commands[: commands.index("STLS")])
    retrieved = collections.Counter(
        line for line in recording.client_lines(session) if line.startswith("RETR ")
    )
    assert retrieved == {"RETR 1": 1, "RETR 2": 1, "RETR 3": 1}
    assert commands[-1] == "QUIT"


def test_a_temporary_login_failure_reaches_the_caller_and_ends_the_session(
    pop3_serve, tmp_path
):
    scenario = tmp_path / "busy.yaml"
    scenario.write_text(
        """
mailboxes:
  - user: alice
    password: secret
    messages:
      - {raw: "Subject: hi\\n\\nHi.\\n", uid: hi}
rules:
  - {command: PASS, reply: "-ERR [SYS/TEMP] storage is busy"}
"""
    )
    server = pop3_serve(scenario)
    assert server.pop3s is None  # the scenario declares no TLS

    with pytest.raises(poplib.error_proto, match=r"\[SYS/TEMP\]"):
        download_new_mail(server.host, server.pop3, "alice", "secret", set(), "plain")

    assert server.recording().commands() == ["USER", "PASS", "QUIT"]


def test_a_server_that_cannot_start_fails_with_its_diagnostics(pop3_serve, tmp_path):
    scenario = tmp_path / "typo.yaml"
    scenario.write_text("mailboxes:\n  - {user: alice, pasword: secret}\n")

    with pytest.raises(RuntimeError, match=r"(?s)status 2 before it was ready.*typo\.yaml:2:"):
        pop3_serve(scenario)
