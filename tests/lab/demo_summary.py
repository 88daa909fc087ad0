#!/usr/bin/env python3
"""Print what the converged lab does, as a user would check it: failover
state, who answers a plain client, what every kind of client is offered by
each peer and whether the boot files match (playbooks/verify.yml, the same
proof a user runs against a live site), and a real VM PXE boot. Used by
`make demo` (tests/lab/demo.sh)."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)
import tests.conftest  # noqa: E402,F401
import dhcp_probe  # noqa: E402
import pxe_vm  # noqa: E402
import yaml  # noqa: E402

from ansible_collections.netboot.dhcp_failover.plugins.module_utils.dhcpd_leases import parse_state  # noqa: E402

PEERS = {"10.4.7.9": "dhcp1 (primary)", "10.4.7.210": "dhcp2 (secondary)"}
LEASES = "/var/lib/dhcp/dhcpd.leases"


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def probe(*args):
    return dhcp_probe.run_in("client1", *args)


def verify():
    """Run playbooks/verify.yml against the lab; return its table, its problems and its exit code."""
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="false")
    run = subprocess.run(["ansible-playbook", "-i", os.path.join(ROOT, "inventories", "lab"), os.path.join(ROOT, "playbooks", "verify.yml")],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    lines, inside = [], False
    for line in run.stdout.splitlines():
        if '"msg": [' in line:
            inside = True
        elif inside and line.strip().startswith("]"):
            inside = False
        elif inside:
            lines.append(line.strip().rstrip(",").strip('"'))
    problems = [line for line in run.stdout.splitlines() if "fatal:" in line or "FAILED!" in line]
    return lines, problems, run.returncode


def main():
    with open(os.path.join(ROOT, "inventories", "lab", "group_vars", "all", "tftp.yml")) as fh:
        marker = yaml.safe_load(fh)["tftp_server_menu_title"]
    dhcp_probe.install("client1")
    print("\n=== netboot.dhcp_failover lab summary ===")
    for host in ("dhcp1", "dhcp2"):
        st = parse_state(sh("podman", "exec", host, "cat", LEASES), "dhcp-failover")
        print("failover  %-6s my state %-10s partner state %s" % (host, st["my_state"], st["partner_state"]))
    for i in (1, 3):
        r = probe("dora", "--mac", "52:54:00:de:00:%02x" % i)
        ack = r["ack"] or {}
        print("client    52:54:00:de:00:%02x  got %-12s from %s" % (i, ack.get("yiaddr"), PEERS.get(ack.get("server_id"), ack.get("server_id"))))
    table, problems, rc = verify()
    print("verify    ansible-playbook -i inventories/lab playbooks/verify.yml: %s" % ("all right" if rc == 0 else "FAILED"))
    for line in table:
        print("          " + line)
    for line in problems:
        print("          " + line)
    print("VM        booting a UEFI PXE client under QEMU (TCG, about 10-20 s)...")
    result = pxe_vm.boot("uefi", marker, timeout=150)
    # Which peer acknowledged the VM's address: each peer logs its DHCPACKs.
    acked = [name for name in PEERS.values()
             if "DHCPACK on %s to %s" % (result["station_ip"], result["mac"])
             in sh("podman", "exec", name.split()[0], "journalctl", "-t", "dhcpd", "--no-pager", "-q")]
    recorded = [name.split()[0] for name in PEERS.values()
                if "hardware ethernet %s" % result["mac"] in sh("podman", "exec", name.split()[0], "cat", LEASES)]
    if result["marker_seen_after_s"] is None:
        print("VM        FAILED: boot marker not seen; console tail:\n" + result["console_tail"])
        return 1
    print("VM        %s: address %s acknowledged by %s (lease recorded by %s), file %s from %s" % (
        result["mac"], result["station_ip"], " and ".join(acked) or "?", " and ".join(recorded) or "?",
        result["nbp"], result["server_ip"]))
    print("VM        boot marker seen after %.1f s: %r" % (result["marker_seen_after_s"], marker))
    return 0


if __name__ == "__main__":
    sys.exit(main())
