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

from tests.helpers import DHCPD, ROOT

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_ddns import KEYS_MARK
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_render import render_kea

PROBE = os.path.join(ROOT, "tests", "lab", "dhcp_probe.py")
SERVER_IP = "10.77.0.1"


NAMED_CONF = """
options {
    directory "%(dir)s";
    pid-file "%(dir)s/named.pid";
    session-keyfile "%(dir)s/session.key";
    managed-keys-directory "%(dir)s";
    listen-on { %(ip)s; };
    listen-on-v6 { none; };
    recursion no;
    dnssec-validation no;
};
key "%(key_name)s" { algorithm hmac-sha256; secret "%(key)s"; };
zone "%(forward)s" { type master; file "%(dir)s/fwd.db"; allow-update { key %(key_name)s; }; };
zone "%(reverse)s" { type master; file "%(dir)s/rev.db"; allow-update { key %(key_name)s; }; };
"""
ZONE = """$TTL 300
@ IN SOA ns.%(forward)s. admin.%(forward)s. 1 3600 600 86400 300
@ IN NS ns.%(forward)s.
%(records)s
"""


def named(folder, ip, key_name, key, forward, reverse):
    """A named for DNS updates: its configuration and the two zones (updatable
    with the TSIG key only) written into ``folder``; returns its command line
    (in the foreground, logging to stderr; the test starts it in its
    namespace, with its other processes)."""
    os.makedirs(folder, exist_ok=True)
    values = {"dir": folder, "ip": ip, "key_name": key_name, "key": key, "forward": forward, "reverse": reverse}
    for name, text in (("named.conf", NAMED_CONF % values),
                       ("fwd.db", ZONE % dict(values, records="ns IN A %s" % ip)),
                       ("rev.db", ZONE % dict(values, records=""))):
        with open(os.path.join(folder, name), "w") as fh:
            fh.write(text)
    return ["named", "-g", "-n", "1", "-c", os.path.join(folder, "named.conf")]


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
            _stop(proc)
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
        return _probe(self.client, "vc", command, args, wait=3, timeout=60)

    def in_server(self, *argv):
        return subprocess.run(["ip", "netns", "exec", self.server] + list(argv), capture_output=True, text=True, timeout=30, check=False)


KEA_DHCP4 = shutil.which("kea-dhcp4") or "/usr/sbin/kea-dhcp4"
KEA_AGENT = shutil.which("kea-ctrl-agent") or "/usr/sbin/kea-ctrl-agent"
KEA_D2 = shutil.which("kea-dhcp-ddns") or "/usr/sbin/kea-dhcp-ddns"
PEER_IPS = ("10.77.0.1", "10.77.0.2")
# The Kea versions the live tests run: this machine's (Debian 12: 2.2), and
# Debian 13's 2.6 (the generation EL 10 ships) from a root folder that
# tests/lab/build-kea-root.sh makes, its daemons chrooted there.
KEA26_ROOT = os.environ.get("NETBOOT_KEA26_ROOT", "/var/tmp/netboot-kea-2.6/root")
KEA_VERSIONS = {"2.2": None, "2.6": KEA26_ROOT}
# Each test that starts Kea runs once per version.
KEA_VERSION_PARAMS = sorted(KEA_VERSIONS)


def kea_available(version="2.2"):
    """Why a live Kea test cannot run here, or None."""
    why = available()
    if why:
        return why
    root = KEA_VERSIONS[version]
    if root is None and not (os.path.exists(KEA_DHCP4) and os.path.exists(KEA_AGENT)):
        return "needs kea-dhcp4-server and kea-ctrl-agent"
    if root is not None and not os.path.exists(os.path.join(root, ".netboot-ready")):
        return "needs Kea %s in %s: bash tests/lab/build-kea-root.sh" % (version, root)
    return None


def kea_version(version):
    """For a test parametrized over KEA_VERSION_PARAMS: skip where that Kea is
    missing, fail instead in CI (make integration makes the 2.6 root first)."""
    import pytest  # pylint: disable=import-outside-toplevel

    why = kea_available(version)
    if why and os.environ.get("CI"):
        pytest.fail(why)
    if why:
        pytest.skip(why)
    return version


def _chrooted(root, env):
    """The prefix that runs a Kea program of ``root``: in a private mount
    namespace (unshare -m: the mounts end with the program), /tmp (where the
    tests keep every file), /dev and /proc of this machine are mounted into
    the root, and the program runs chrooted there; paths under /tmp are the
    same inside and out."""
    script = ('mount --bind /tmp "$0/tmp" && mount --bind /dev "$0/dev" && mount -t proc proc "$0/proc" '
              '&& exec chroot "$0" "$@"')
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, root] + env


class KeaPair:
    """Two servers (Kea with its Control Agent, or ISC dhcpd) and a client, in namespaces the test makes.

    The client namespace holds a bridge ``br0`` with a veth to each server
    namespace (server side ``vs``, 10.77.0.1 and 10.77.0.2); the probe runs on
    the bridge. Nothing outside the three namespaces is addressed.
    """

    def __init__(self, version="2.2"):
        tag = uuid.uuid4().hex[:6]
        self.servers = ("nks1" + tag, "nks2" + tag)
        self.client = "nkc" + tag
        self.version = version
        self.root = KEA_VERSIONS[version]
        self.tmp = tempfile.mkdtemp(prefix="netboot-kea-", dir="/tmp" if self.root else None)
        self.procs = {}

    def __enter__(self):
        try:
            self._make()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _make(self):
        for ns in self.servers + (self.client,):
            _run("ip", "netns", "add", ns)
            _run("ip", "-n", ns, "link", "set", "lo", "up")
        _run("ip", "-n", self.client, "link", "add", "br0", "type", "bridge")
        _run("ip", "-n", self.client, "link", "set", "br0", "up")
        for i, ns in enumerate(self.servers):
            _run("ip", "link", "add", "vs", "netns", ns, "type", "veth", "peer", "name", "p%d" % i, "netns", self.client)
            _run("ip", "-n", self.client, "link", "set", "p%d" % i, "master", "br0")
            _run("ip", "-n", self.client, "link", "set", "p%d" % i, "up")
            _run("ip", "-n", ns, "addr", "add", PEER_IPS[i] + "/24", "dev", "vs")
            _run("ip", "-n", ns, "link", "set", "vs", "up")
            os.makedirs(self.dir(i), exist_ok=True)
            # Kea 2.6.3 opens its control socket only in a folder of mode
            # 0750 (what the packaged units make /run/kea).
            os.chmod(self.dir(i), 0o750)

    def __exit__(self, *exc):
        for proc in self.procs.values():
            _stop(proc)
        for ns in self.servers + (self.client,):
            subprocess.run(["ip", "netns", "delete", ns], capture_output=True, check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def dir(self, i):
        return os.path.join(self.tmp, "s%d" % (i + 1))

    def settings(self, i, **extra):
        """The collection's Kea settings for server ``i`` in this lab (its own socket and lease file, the Kea version)."""
        out = {"interfaces": ["vs"], "control_socket": os.path.join(self.dir(i), "kea4.sock"),
               "lease_file": os.path.join(self.dir(i), "leases4.csv"), "version": self.kea_version}
        out.update(extra)
        return out

    @property
    def kea_version(self):
        """The full version of this lab's Kea (kea-dhcp4 -v), read once."""
        if not hasattr(self, "_kea_version"):
            res = subprocess.run(self._env(0) + [KEA_DHCP4, "-v"], capture_output=True, text=True, timeout=60, check=True)
            self._kea_version = res.stdout.strip()  # pylint: disable=attribute-defined-outside-init
        return self._kea_version

    def _env(self, i):
        env = ["env", "KEA_PIDFILE_DIR=" + self.dir(i), "KEA_LOCKFILE_DIR=" + self.dir(i)]
        if self.root:
            # Kea 2.6.3 takes control sockets only in /run/kea and lease files
            # only in /var/lib/kea unless these name another folder (kea-dhcp4
            # -t accepts other paths; the server refuses them when it starts).
            env += ["KEA_CONTROL_SOCKET_DIR=" + self.dir(i), "KEA_DHCP_DATA_DIR=" + self.dir(i)]
            return _chrooted(self.root, env)
        return env

    def check(self, i, conf):
        """kea-dhcp4 -t on ``conf`` in server ``i``'s namespace: (exit code, output)."""
        path = os.path.join(self.dir(i), "check.json")
        with open(path, "w") as fh:
            json.dump(conf, fh)
        res = subprocess.run(["ip", "netns", "exec", self.servers[i]] + self._env(i) + [KEA_DHCP4, "-t", path],
                             capture_output=True, text=True, timeout=60, check=False)
        return res.returncode, res.stdout + res.stderr

    def standalone(self, description):
        """Server 0 alone, serving ``description`` as the kea backend renders it
        (checked with kea-dhcp4 -t first); returns the configuration."""
        conf = render_kea(description, "standalone", {}, self.settings(0))
        code, out = self.check(0, conf)
        assert code == 0, out
        self.start(0, conf)
        return conf

    def start(self, i, dhcp4, agent=None, timeout=20):
        """Start server ``i`` (kea-dhcp4, then the agent when given); wait until each says it started."""
        for name, conf, binary, ready in (("dhcp4", dhcp4, KEA_DHCP4, "DHCP4_STARTED"), ("agent", agent, KEA_AGENT, "CTRL_AGENT_HTTP_SERVICE_STARTED")):
            if conf is None:
                continue
            path = os.path.join(self.dir(i), name + ".json")
            with open(path, "w") as fh:
                json.dump(conf, fh)
            self._spawn(i, name, self._env(i) + [binary, "-c", path], ready, timeout)

    def d2(self, i, conf, keys_text, check_only=False, timeout=20):
        """kea-dhcp-ddns for server ``i``: its TSIG keys in an owner-only file
        that the configuration includes where the renderer left its stand-in
        (as the kea role writes them). Checked with -t; started unless
        ``check_only``. Returns (exit code of the check, its output)."""
        keys = os.path.join(self.dir(i), "ddns-keys.json")
        with open(os.open(keys, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as fh:
            fh.write(keys_text or "[]")
        text = json.dumps(conf, indent=2).replace('"%s"' % KEYS_MARK, '<?include "%s"?>' % keys)
        path = os.path.join(self.dir(i), "d2.json")
        with open(path, "w") as fh:
            fh.write(text)
        res = subprocess.run(["ip", "netns", "exec", self.servers[i]] + self._env(i) + [KEA_D2, "-t", path],
                             capture_output=True, text=True, timeout=60, check=False)
        if res.returncode == 0 and not check_only:
            self._spawn(i, "d2", self._env(i) + [KEA_D2, "-c", path], "DHCP_DDNS_STARTED", timeout)
        return res.returncode, res.stdout + res.stderr

    def spawn(self, i, name, argv, ready, timeout=20):
        """Any other program in server ``i``'s namespace (named, for DDNS), stopped with the lab."""
        self._spawn(i, name, argv, ready, timeout)

    def dhcpd(self, i, config, timeout=20):
        """Start ISC dhcpd as server ``i`` with ``config`` (its lease file
        ``dhcpd.leases`` in the server's folder, kept across restarts)."""
        conf, leases = os.path.join(self.dir(i), "dhcpd.conf"), os.path.join(self.dir(i), "dhcpd.leases")
        with open(conf, "w") as fh:
            fh.write(config)
        if not os.path.exists(leases):
            open(leases, "w").close()
        self._spawn(i, "dhcpd", [DHCPD, "-f", "-d", "-4", "-cf", conf, "-lf", leases, "-pf", os.path.join(self.dir(i), "dhcpd.pid"),
                                 "vs"], "Server starting service.", timeout)
        return leases

    def _spawn(self, i, name, argv, ready, timeout):
        """Run ``argv`` in server ``i``'s namespace; wait until ``ready`` shows in its log."""
        log = os.path.join(self.dir(i), name + ".log")
        with open(log, "w") as out:
            proc = subprocess.Popen(["ip", "netns", "exec", self.servers[i]] + argv, stdout=out, stderr=subprocess.STDOUT)
        self.procs[(i, name)] = proc
        deadline = time.monotonic() + timeout
        while True:
            with open(log) as fh:
                text = fh.read()
            if ready in text:
                return
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("%s of server %d did not start:\n%s" % (name, i + 1, text))
            time.sleep(0.1)

    def stop(self, i, name="dhcp4"):
        """SIGTERM server ``i``'s process by its id; return when it has exited."""
        _stop(self.procs.pop((i, name)))

    def log(self, i, name="dhcp4"):
        with open(os.path.join(self.dir(i), name + ".log")) as fh:
            return fh.read()

    def command(self, i, command, arguments=None):
        """A command to server ``i``'s kea-dhcp4 through its Control Agent (HTTP, inside its namespace)."""
        body = {"command": command, "service": ["dhcp4"]}
        if arguments is not None:
            body["arguments"] = arguments
        code = ("import json,sys,urllib.request;"
                "r=urllib.request.urlopen(urllib.request.Request(sys.argv[1],data=sys.argv[2].encode(),"
                "headers={'Content-Type':'application/json'}),timeout=10);print(r.read().decode())")
        res = subprocess.run(["ip", "netns", "exec", self.servers[i], "python3", "-c", code,
                              "http://%s:8000/" % PEER_IPS[i], json.dumps(body)],
                             capture_output=True, text=True, timeout=30, check=False)
        assert res.returncode == 0, res.stderr
        return json.loads(res.stdout)[0]

    def ha_state(self, i):
        answer = self.command(i, "status-get")
        for service in answer.get("arguments", {}).get("high-availability", []):
            return service.get("ha-servers", {}).get("local", {}).get("state")
        return None

    def probe(self, command="discover", *args, wait=3):
        return _probe(self.client, "br0", command, args, wait=wait, timeout=120)


def _probe(namespace, iface, command, args, wait, timeout):
    """Run the lab's DHCP probe in ``namespace`` on ``iface``; return its JSON answer."""
    res = subprocess.run(
        ["ip", "netns", "exec", namespace, "python3", PROBE, command, "--iface", iface, "--wait", str(wait)] + list(args),
        capture_output=True, text=True, timeout=timeout, check=False)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def _stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
