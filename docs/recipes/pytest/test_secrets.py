"""When `pop3-conform serve` does not start, the test fails with its command line, but never
with the passwords given to pop3_serve."""

import pytest

from conftest import ServeFailed

SECRET = "S3cr3t-p4ss"


def test_a_failed_start_shows_the_command_line_without_the_password(pop3_serve):
    with pytest.raises(ServeFailed) as failure:
        pop3_serve(users={"alice": SECRET}, args=["--port", "not-a-port"])

    message = str(failure.value)
    assert "--user alice:****" in message
    assert SECRET not in message
