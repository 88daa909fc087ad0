"""A real dhcpd (and, where needed, a real named) in network namespaces the test makes.

Two namespaces joined by a veth pair: the server side holds 10.77.0.1/24,
the client side the lab's DHCP probe (tests/lab/dhcp_probe.py). Nothing
outside the two namespaces is addressed. Every process started here is
stopped by its own process id, and the namespaces are removed afterwards.
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

from tests.unit.helpers import DHCPD, ROOT

PROBE = os.path.join(ROOT, "tests", "lab", "dhcp_probe.py")
SERVER_IP = "10.77.0.1"


def available():
    """Why a live test cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root to make network namespaces"
    if not shutil.which("ip") or not os.path.exists(DHCPD):
        return "needs iproute2 and isc-dhcp-server"
    return None


def _run(*argv):
    subprocess.run(argv, check=True, capture_output=True, text=True)


class Lab:
    def __init__(self):
        tag = uuid.uuid4().hex[:6]
        self.server, self.client = "nbs" + tag, "nbc" + tag
        self.tmp = tempfile.mkdtemp(prefix="netboot-live-")
        self.procs = []

    def __enter__(self):
        _run("ip", "netns", "add", self.server)
        _run("ip", "netns", "add", self.client)
        _run("ip", "link", "add", "vs", "netns", self.server, "type", "veth", "peer", "name", "vc", "netns", self.client)
        for ns, dev in ((self.server, "vs"), (self.client, "vc")):
            _run("ip", "-n", ns, "link", "set", "lo", "up")
            _run("ip", "-n", ns, "link", "set", dev, "up")
        _run("ip", "-n", self.server, "addr", "add", SERVER_IP + "/24", "dev", "vs")
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for ns in (self.server, self.client):
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True, check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def start(self, argv, log, ready, timeout=20):
        """Start ``argv`` in the server namespace; wait until ``ready`` shows in its log."""
        with open(self.path(log), "w") as out:
            proc = subprocess.Popen(["ip", "netns", "exec", self.server] + argv, stdout=out, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.path(log)) as fh:
                text = fh.read()
            if ready in text:
                return text
            if proc.poll() is not None:
                raise AssertionError("%s exited:\n%s" % (argv[0], text))
            time.sleep(0.1)
        raise AssertionError("%s did not start in %d s:\n%s" % (argv[0], timeout, text))

    def dhcpd(self, config, files=None):
        """Run dhcpd on the server side with ``config`` (and its include files)."""
        for name, text in (files or {}).items():
            with open(self.path(name), "w") as fh:
                fh.write(text)
        conf = self.path("dhcpd.conf")
        with open(conf, "w") as fh:
            fh.write(config)
        open(self.path("dhcpd.leases"), "w").close()
        return self.start(
            [DHCPD, "-f", "-d", "-4", "-cf", conf, "-lf", self.path("dhcpd.leases"), "-pf", self.path("dhcpd.pid"), "vs"],
            "dhcpd.log",
            "Server starting service.",
        )

    def probe(self, command="discover", *args):
        res = subprocess.run(
            ["ip", "netns", "exec", self.client, "python3", PROBE, command, "--iface", "vc", "--wait", "3"] + list(args),
            capture_output=True,
            text=True,
            timeout=60, check=False)
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout)

    def in_server(self, *argv):
        return subprocess.run(["ip", "netns", "exec", self.server] + list(argv), capture_output=True, text=True, timeout=30, check=False)
