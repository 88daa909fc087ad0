"""The Kea pair's HA channel admits only the partner: each Kea Control Agent
(through which the partner's HA commands go, and which takes every other Kea
command) serves https only to a client with a certificate the pair's CA
signed (the lab's site B sets kea_ha_tls_*), and asks for the pair's user and
password; the password and the private keys are kept in owner-only files on
the peers and never shown by a run, even at -vvv with --diff. So is the
TSIG key of the pair's DNS updates (test_ddns.py)."""

import os
import re
import subprocess
import tempfile

import kea_ctl
from conftest import SITES

PEERS = SITES["b"]["peers"]
TLS_DIR = os.path.join(kea_ctl.SSH_DIR, "kea-tls")
ON_CLIENT = "/tmp/netboot-tls-test"


def rogue_certificate(folder):
    """A CA of its own and a certificate it signed: what a host that is not
    the partner could make."""
    def ssl(*args):
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True, timeout=60)
    ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
        "-subj", "/CN=rogue CA", "-keyout", "rogue-ca.key", "-out", "rogue-ca.pem")
    ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=fb1",
        "-keyout", "rogue.key", "-out", "rogue.csr")
    ssl("x509", "-req", "-in", "rogue.csr", "-CA", "rogue-ca.pem", "-CAkey", "rogue-ca.key", "-CAcreateserial",
        "-days", "2", "-out", "rogue.pem")
    return os.path.join(folder, "rogue.pem"), os.path.join(folder, "rogue.key")


def copy_to(container, source, name):
    subprocess.run(["podman", "cp", source, "%s:%s/%s" % (container, ON_CLIENT, name)], check=True)
    return "%s/%s" % (ON_CLIENT, name)


def test_a_host_that_is_not_the_partner_cannot_command_kea(fleet):
    name = SITES["b"]["client"]
    client = fleet.hosts[name]
    leases = "/var/lib/kea/kea-leases4.csv"
    stolen = {"ip-address": "10.7.45.77", "hw-address": "52:54:00:ba:d0:01"}
    client.run("rm -rf %s && mkdir -m 0700 %s" % (ON_CLIENT, ON_CLIENT))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rogue = [copy_to(name, path, os.path.basename(path)) for path in rogue_certificate(tmp)]
        ca = copy_to(name, os.path.join(TLS_DIR, "CA.pem"), "CA.pem")
        # The pair's own certificate, as if it had leaked to this host.
        pair_cert = [copy_to(name, os.path.join(TLS_DIR, "fb1" + ext), "fb1" + ext) for ext in (".pem", ".key")]
        for peer, address in PEERS.items():
            # Plain HTTP, https without a client certificate, or with one
            # another CA signed: the TLS handshake fails, whatever the
            # credentials; nothing happens.
            for tls in (None, (ca, None, None), (ca, *rogue)):
                for command, arguments in (("lease4-add", stolen), ("config-get", None)):
                    status, answer = kea_ctl.send(client, address, command, arguments, tls=tls)
                    assert status == 0, (peer, tls, command, status, answer)
            # With the pair's certificate but no credentials, or wrong ones: 401.
            for credentials in (None, ("kea-ha", "guess"), ("admin", kea_ctl.password())):
                status, answer = kea_ctl.send(client, address, "lease4-add", stolen, credentials=credentials,
                                              tls=(ca, *pair_cert))
                assert status == 401, (peer, credentials and credentials[0], status, answer)
            assert "52:54:00:ba:d0:01" not in fleet.hosts[peer].file(leases).content_string
            # The pair's certificate and credentials are the fence, not the
            # network: with both the same host gets an answer (a read-only
            # command) ...
            status, answer = kea_ctl.send(client, address, "ha-heartbeat", tls=(ca, *pair_cert))
            assert status == 200 and answer["result"] == 0, (status, answer)
            # ... and the pair is still load-balancing: the partners' own channel works.
            assert answer["arguments"]["state"] == "load-balancing", answer
    finally:
        client.run("rm -rf %s" % ON_CLIENT)


def test_the_password_is_in_owner_only_files_and_never_in_the_output(fleet):
    password = kea_ctl.password()
    keys = {}
    for peer in PEERS:
        with open(os.path.join(TLS_DIR, peer + ".key"), encoding="ascii") as fh:
            keys[peer] = fh.read().strip()
    secrets = [password] + [line for key in keys.values() for line in key.splitlines() if "-----" not in line]
    with open(os.path.join(kea_ctl.SSH_DIR, "ddns-key"), encoding="ascii") as fh:
        secrets.append(fh.read().strip())
    for peer in PEERS:
        host = fleet.hosts[peer]
        conf = host.file("/etc/kea/kea-dhcp4.conf")
        assert password not in conf.content_string
        assert conf.content_string.count('<?include "/etc/kea/netboot-ha-auth.json"?>') == 2
        assert password not in host.file("/etc/kea/kea-ctrl-agent.conf").content_string
        assert not host.file("/etc/kea/netboot-ha-password").exists  # 1.6.0's name
        for path in ("/etc/kea/netboot-ha-auth.json", "/etc/kea/kea-api-password"):
            f = host.file(path)
            assert (f.user, f.group, oct(f.mode)) == ("root", "_kea", "0o640"), path
            assert password in f.content_string
        # TLS: the peer's own key, and https in the rendered peers.
        key = host.file("/etc/kea/netboot-ha-key.pem")
        assert (key.user, key.group, oct(key.mode)) == ("root", "_kea", "0o640")
        assert key.content_string.strip() == keys[peer]
        assert '"url": "https://' in conf.content_string
    # A check run with diff at -vvv, and a real change of site B at -vvv:
    # neither shows the password anywhere (task arguments, results, diffs).
    check = fleet.play("dhcp_failover.yml", "--limit", "lab_site_b", "--check", "--diff", "-vvv",
                       "-e", "dhcpd_default_lease_time=888")
    assert check.returncode == 0, check.stdout[-3000:]
    assert not [secret for secret in secrets if secret in check.stdout]
    assert "valid-lifetime" in check.stdout  # the diff was shown
    change = fleet.play("dhcp_failover.yml", "--limit", "lab_site_b", "-vvv", "-e", "dhcpd_default_lease_time=888")
    try:
        assert change.returncode == 0, change.stdout[-3000:]
        assert not [secret for secret in secrets if secret in change.stdout]
        assert re.search(r"fb1/fb2 \(kea\): secondary fb2: changed; primary fb1: changed", " ".join(change.stdout.split()))
    finally:
        restore = fleet.play("dhcp_failover.yml", "--limit", "lab_site_b")
    assert restore.returncode == 0, restore.stdout[-3000:]
    assert not [secret for secret in secrets if secret in restore.stdout]
