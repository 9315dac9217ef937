"""The session-wide network guard (conftest.no_network) blocks TCP, DNS and UDP, and keeps loopback.

The blocked targets are TEST-NET-1 (192.0.2.0/24, RFC 5737) and the reserved .invalid domain: even
without the guard nothing answers there.
"""

import json
import socket
import subprocess
import sys

import pytest

from assistant.environment import OFFLINE_ENVIRONMENT, offline_environment
from conftest import NetworkBlocked

NOWHERE = ("192.0.2.1", 9)


def test_tcp_connect_to_the_network_is_blocked():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(NetworkBlocked):
        sock.connect(NOWHERE)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(NetworkBlocked):
        sock.connect_ex(NOWHERE)


def test_dns_resolution_of_a_non_local_name_is_blocked():
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.invalid", 443)
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("huggingface.co.invalid", 443), timeout=1)


def test_udp_send_to_the_network_is_blocked():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        with pytest.raises(NetworkBlocked):
            sock.sendto(b"x", NOWHERE)
        with pytest.raises(NetworkBlocked):
            sock.sendto(b"x", 0, NOWHERE)
        with pytest.raises(NetworkBlocked):
            sock.sendmsg([b"x"], [], 0, NOWHERE)


def test_loopback_still_works_over_tcp_and_udp():
    assert socket.getaddrinfo("localhost", 80)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=5):
            pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        receiver.bind(("127.0.0.1", 0))
        sender.sendto(b"ping", receiver.getsockname())
        assert receiver.recv(4) == b"ping"


def test_subprocesses_get_the_offline_environment_explicitly():
    script = "import os, json; print(json.dumps({k: os.environ.get(k) for k in %r}))" % list(OFFLINE_ENVIRONMENT)
    result = subprocess.run([sys.executable, "-c", script], env=offline_environment({"PATH": "/usr/bin"}),
                            capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(result.stdout) == OFFLINE_ENVIRONMENT
