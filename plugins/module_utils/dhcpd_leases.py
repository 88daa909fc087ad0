# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading ISC dhcpd lease files, in one place (standard library only).

Used three ways: by the dhcpd_failover_state module (a peer's state and its
bindings), by the lease_conflicts filter (the two peers' databases compared),
and, copied by the dhcpd role to /usr/local/sbin/netboot-dhcpd-leases, as the
start check a unit drop-in runs before dhcpd starts on a failover peer:

  netboot-dhcpd-leases start-check --config C --leases L --stamp S --after N [--dry-run]
  netboot-dhcpd-leases stopping --stamp S

("stopping" runs first when the unit is stopped and notes the time when a
dhcpd still runs in the unit; when dhcpd died before, the lease file's last
write is when it was last seen.)

Why the start check: a peer that comes back after its partner served alone
replays an expiry for every lease of its copy whose end passed while it was
down (dhcpd's server/mdb.c queues them at start-up; server/failover.c sends
them once the pair is back in normal), and the partner takes them over its
own newer renewals: held addresses become free on both and are handed to a
second client. A peer with no failover state in its lease file starts in
recover instead (server/confpars.c, parse_failover_peer: "Set the initial
state") and takes the partner's whole database before it serves again (after
the MCLT in recover-wait). So when this peer was down at least N seconds,
its copy holds leases that ended meanwhile, it was in normal or
communications-interrupted, and its partner answers on the failover port,
the old lease file is moved aside (kept: the newest three copies) and dhcpd
starts from an empty one. Otherwise nothing is touched: above all when the
partner does not answer, since this copy may then be the only one.
"""

from __future__ import annotations

import argparse
import calendar
import os
import re
import socket
import sys
import time

_BLOCK = re.compile(r'failover peer "(?P<name>[^"]+)" state \{(?P<body>[^}]*)\}', re.S)
_STATE = re.compile(r"(my|partner) state (\S+) at (?:\d (\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)|epoch (\d+))")
_LEASE = re.compile(r"^lease (\d+\.\d+\.\d+\.\d+) \{(.*?)^\}", re.S | re.M)
_BINDING = re.compile(r"^\s*binding state (\S+);", re.M)
_ENDS = re.compile(r"^\s*ends (?:\d (\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)|epoch (\d+)|(never));", re.M)
_PEER = re.compile(r'^\s*failover peer "(?P<name>[^"]+)" \{(?P<body>[^}]*)\}', re.S | re.M)

# The states in which this peer's copy is replaced when it comes back late:
# those of a peer that served with its partner (normal) or beside it
# (communications-interrupted). Never partner-down (this copy was the
# authority) nor the recover states (dhcpd recovers by itself from them).
REPLACEABLE_STATES = ("normal", "communications-interrupted")
KEEP_COPIES = 3


def _epoch(stamp, epoch):
    return int(epoch) if epoch else calendar.timegm(time.strptime(stamp, "%Y/%m/%d %H:%M:%S"))


def parse_state(text, name):
    """The last failover state block of relationship ``name`` in a lease file."""
    result = {"found": False, "my_state": None, "partner_state": None, "my_since": None, "partner_since": None}
    for block in _BLOCK.finditer(text):
        if block.group("name") != name:
            continue
        result["found"] = True
        for who, state, stamp, epoch in _STATE.findall(block.group("body")):
            result["%s_state" % who] = state
            result["%s_since" % who] = _epoch(stamp, epoch)
    return result


def parse_leases(text):
    """Address -> {"state": binding state, "ends": epoch or None} of its last
    entry (dhcpd appends every change; the last entry is the one in force)."""
    out = {}
    for lease in _LEASE.finditer(text):
        body = lease.group(2)
        state = _BINDING.search(body)
        if not state:
            continue
        ends = _ENDS.search(body)
        out[lease.group(1)] = {
            "state": state.group(1),
            "ends": _epoch(ends.group(1), ends.group(2)) if ends and not ends.group(3) else None,
        }
    return out


def parse_bindings(text):
    """Address -> binding state of its last entry in a lease file."""
    return {ip: lease["state"] for ip, lease in parse_leases(text).items()}


def _ip_key(ip):
    return tuple(int(x) for x in ip.split("."))


def conflicts(mine, theirs):
    """Addresses one peer holds as active that the other may hand out again
    (free or backup there), sorted, for the two peers' bindings."""
    loose = ("free", "backup")
    return sorted(
        (ip for ip in set(mine) | set(theirs)
         if (mine.get(ip) == "active" and theirs.get(ip) in loose) or (theirs.get(ip) == "active" and mine.get(ip) in loose)),
        key=_ip_key,
    )


def stale_leases(leases, now):
    """Addresses this copy holds as active whose lease ended before ``now``:
    those dhcpd would queue an expiry for at its start."""
    return sorted((ip for ip, lease in leases.items()
                   if lease["state"] == "active" and lease["ends"] is not None and lease["ends"] < now), key=_ip_key)


def failover_peer(conf_text):
    """The failover relationship of a dhcpd.conf: name, partner address and port (647 unset), or None."""
    match = _PEER.search(conf_text)
    if not match:
        return None
    body = match.group("body")
    address = re.search(r"^\s*peer address (\S+);", body, re.M)
    port = re.search(r"^\s*peer port (\d+);", body, re.M)
    if not address:
        return None
    return {"name": match.group("name"), "address": address.group(1), "port": int(port.group(1)) if port else 647}


def decide(conf_text, lease_text, now, last_seen, after, partner_answers):
    """Whether to start this peer from an empty lease file: (replace, reason).
    ``last_seen`` is when dhcpd last ran (epoch), ``partner_answers`` a
    callable (address, port) -> bool, only called when it matters."""
    peer = failover_peer(conf_text)
    if peer is None:
        return False, "no failover peer in the configuration"
    down = now - last_seen
    if down < after:
        return False, "down %d s, less than %d s" % (down, after)
    state = parse_state(lease_text, peer["name"])
    if state["my_state"] not in REPLACEABLE_STATES:
        return False, "my state %s: the lease file is kept" % (state["my_state"] or "not recorded")
    stale = stale_leases(parse_leases(lease_text), now)
    if not stale:
        return False, "no lease of this copy ended while dhcpd was down"
    if not partner_answers(peer["address"], peer["port"]):
        return False, ("down %d s with %d lease(s) ended meanwhile, but the partner %s:%d does not answer: "
                       "this copy may be the only one, kept" % (down, len(stale), peer["address"], peer["port"]))
    return True, ("down %d s, %d lease(s) of this copy ended meanwhile (%s) while the partner %s:%d served: "
                  "starting from an empty lease file to recover the partner's database (failover %s)" % (
                      down, len(stale), ", ".join(stale[:5]) + (" ..." if len(stale) > 5 else ""),
                      peer["address"], peer["port"], peer["name"]))


def _answers(address, port, timeout=3.0):
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return True
    except OSError:
        return False


def _mtime(path):
    try:
        return int(os.stat(path).st_mtime)
    except OSError:
        return 0


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except FileNotFoundError:
        return ""


def _cgroup(pid):
    try:
        with open("/proc/%s/cgroup" % pid, encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return None


def dhcpd_in_my_unit():
    """Whether a dhcpd process runs in this process's cgroup (the unit's)."""
    mine = _cgroup("self")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/comm" % pid, encoding="utf-8") as fh:
                if fh.read().strip() != "dhcpd":
                    continue
        except OSError:
            continue
        if _cgroup(pid) == mine:
            return True
    return False


def replace_lease_file(leases, now, keep=KEEP_COPIES):
    """Move the lease file aside (LEASES.before-recover.EPOCH) and put an
    empty one with the same owner and mode in its place; keep the newest
    ``keep`` copies. Returns the copy's path."""
    st = os.stat(leases)
    aside = "%s.before-recover.%d" % (leases, now)
    os.rename(leases, aside)
    fd = os.open(leases, os.O_WRONLY | os.O_CREAT | os.O_EXCL, st.st_mode & 0o7777)
    os.close(fd)
    os.chown(leases, st.st_uid, st.st_gid)
    os.chmod(leases, st.st_mode & 0o7777)
    folder, base = os.path.split(leases)
    copies = sorted((f for f in os.listdir(folder or ".") if f.startswith(base + ".before-recover.")),
                    key=lambda f: int(f.rsplit(".", 1)[1]) if f.rsplit(".", 1)[1].isdigit() else 0)
    for old in copies[:-keep]:
        os.unlink(os.path.join(folder, old))
    return aside


def main(argv=None):
    parser = argparse.ArgumentParser(prog="netboot-dhcpd-leases")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("start-check", help="before dhcpd starts: recover from the partner after a long outage")
    check.add_argument("--config", required=True)
    check.add_argument("--leases", required=True)
    check.add_argument("--stamp", required=True)
    check.add_argument("--after", type=int, required=True)
    check.add_argument("--dry-run", action="store_true")
    stopping = sub.add_parser("stopping", help="when the unit is stopped: note the time if dhcpd still runs")
    stopping.add_argument("--stamp", required=True)
    args = parser.parse_args(argv)
    now = int(time.time())
    if args.command == "stopping":
        if dhcpd_in_my_unit():
            with open(args.stamp, "w", encoding="utf-8") as fh:
                fh.write("%d\n" % now)
        return 0
    if not os.path.exists(args.leases):
        _say("no lease file %s: nothing to do" % args.leases)
        return 0
    last_seen = max(_mtime(args.leases), _mtime(args.stamp))
    replace, reason = decide(_read(args.config), _read(args.leases), now, last_seen, args.after, _answers)
    if replace and not args.dry_run:
        aside = replace_lease_file(args.leases, now)
        reason += "; the old file is kept as %s" % aside
    _say(("(dry run) " if args.dry_run else "") + reason)
    return 0


def _say(line):
    """One line for the unit's journal (systemd takes the command's output)."""
    sys.stdout.write("netboot-dhcpd-leases: %s\n" % line)
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
