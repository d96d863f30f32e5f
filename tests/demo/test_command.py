"""`skolkvalitet demo` (demo/management/commands/demo.py): its options say what they do, and a
port that cannot be served is refused with a clear message before the build, never after an
"open http://…"."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skolkvalitet.demo.management.commands import demo as command


def help_text() -> str:
    return " ".join(command.Command().create_parser("skolkvalitet", "demo").format_help().split())


def test_every_option_of_the_demo_has_a_help_text():
    text = help_text()
    assert "--seed SEED Seed of the random generator" in text
    assert "(default 20261123)" in text
    assert "--addrport ADDRPORT Address and port to serve the app at" in text
    assert "(default 127.0.0.1:8000)" in text


@pytest.mark.parametrize(
    ("addrport", "address"),
    [
        ("8001", ("127.0.0.1", 8001)),
        ("0.0.0.0:8002", ("0.0.0.0", 8002)),
        ("[::1]:8003", ("::1", 8003)),
        ("localhost:8004", ("localhost", 8004)),
    ],
)
def test_the_address_is_read_as_runserver_reads_it(addrport, address):
    assert command.address_of(addrport) == address


@pytest.mark.parametrize("addrport", ["", "http://127.0.0.1:8000", "127.0.0.1:", "1.2.3.4:70000"])
def test_an_address_that_is_no_address_is_refused(addrport):
    with pytest.raises(CommandError, match="varken en port eller adress:port"):
        command.address_of(addrport)


def test_a_busy_port_is_refused_before_the_build_and_before_any_address_is_printed(monkeypatch):
    def never(**_kwargs):
        raise AssertionError("the demo was built although its port is taken")

    monkeypatch.setattr(command, "demo_build", never)
    monkeypatch.setattr(command, "keys_ensure", lambda: never())
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = io.StringIO()
        with pytest.raises(CommandError) as refused:
            call_command("demo", addrport=f"127.0.0.1:{port}", stdout=out)
    message = str(refused.value)
    assert f"Porten {port} på 127.0.0.1 används redan" in message
    assert f"--addrport 127.0.0.1:{port + 1}" in message  # what to do instead
    assert "http://" not in out.getvalue()


def test_a_free_port_passes_the_check():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command.port_check(f"127.0.0.1:{port}")  # no error: free (again)


def test_sigterm_stops_the_server_and_the_worker_as_ctrl_c_does(monkeypatch):
    """A service manager or `kill` ends the demo with SIGTERM: the server stops by an
    exception, as by Ctrl-C, and the worker process is stopped with it, not left running.
    The worker here is a real child process that would sleep for two minutes; the build and
    the server are left out (the server's part: a SIGTERM to this process while it serves)."""
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    served = []

    def call(name, *args, **kwargs):
        if name == "runserver":
            served.append(args)
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(30)  # the handler's exception ends this at once
            raise AssertionError("SIGTERM did not stop the server")

    monkeypatch.setattr(command, "call_command", call)
    monkeypatch.setattr(command, "keys_ensure", lambda: [])
    monkeypatch.setattr(
        command, "demo_build", lambda **_: SimpleNamespace(built=False, logins=[], counts={})
    )
    monkeypatch.setattr(command.Command, "_headline", lambda self: None)
    monkeypatch.setattr(command, "worker_start", lambda: worker)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    before = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(SystemExit):
            call_command("demo", addrport=f"127.0.0.1:{port}", stdout=io.StringIO())
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert served == [(f"127.0.0.1:{port}",)]
    assert worker.returncode == -signal.SIGTERM  # stopped by worker_stop, not killed after
    assert signal.getsignal(signal.SIGTERM) is before  # the demo's handler is gone again
