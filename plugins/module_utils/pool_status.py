# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DHCP peer's pools counted from its lease file, ISC dhcpd's or Kea's,
and its failover or HA state (standard library only).

Used by the dhcp_pool_status module, and, copied by the dhcpd role to
/usr/local/sbin/netboot-dhcp-status, as the status exporter a systemd timer
runs to write the same figures for the node_exporter textfile collector
(standard library only, so it runs alone):

  netboot-dhcp-status --pools POOLS.json --leases L --role R --pair P --peer H
                      [--failover NAME | --backend kea --control-socket S]
                      --out DIR/netboot_dhcp.prom

The pools come from the network description (the dhcp_pools filter): for
each, an ``id``, its ``ranges`` (first and last address) and whether it is
a ``failover`` pool. The description refuses a reservation inside a pool's
range, so every address of a pool is dhcpd's to lease.

The lease file (dhcpd.leases(5)) is read a line at a time, so its size does
not matter: dhcpd appends a ``lease ADDRESS { ... }`` block for every change
and the last block of an address is the one in force. Binding states:

- ``active``: a client holds the address;
- ``free``: in a failover pool, free for the primary to hand out; in any
  other pool, free;
- ``backup``: in a failover pool, free for the secondary to hand out
  (dhcpd's server/failover.c: the primary allocates from its free leases,
  the secondary from its backup leases, and pool balancing moves them
  between the two only while the pair is in normal state);
- ``expired``, ``released``, ``reset``: given back, waiting for the
  partner's acknowledgement before they are free again;
- ``abandoned``: declined by a client or answering a ping: dhcpd hands it
  out only when nothing else is left.

An address of a pool with no block in the file yet is ``unrecorded``.

Kea (the memfile backend's CSV, src/lib/dhcpsrv/csv_lease_file4.cc in Kea's
sources): a row per change, the last row of an address in force, the rows
its lease file cleanup moved aside (``FILE.2``, then ``FILE.1``) read
first. A row in state 0 (default) is ``active`` while its ``expire`` is
ahead and ``expired`` after (Kea reclaims and reuses it); state 1
(declined) counts as ``abandoned``; state 2 (expired-reclaimed) and a row
with valid_lifetime 0 (deleted) are ``free``. In a Kea HA pair both servers
allocate from the whole pool and send each other every lease, so both
files hold the pair's leases and every free address is either server's.
Kea's HA state comes from the server's control socket (the ``status-get``
command; Kea Administrator Reference Manual, "Commands Supported by the
DHCPv4 Server" and the HA hook's "Control Commands for High
Availability").
"""

from __future__ import annotations

import argparse
import bisect
import calendar
import csv
import ipaddress
import json
import os
import re
import socket
import tempfile
import time

# dhcpd.leases(5): "my state normal at 4 2026/12/03 10:00:00;" or "... at epoch N;".
_STATE = re.compile(r"(my|partner) state (\S+) at (?:\d (\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)|epoch (\d+))")
STATES = ("active", "free", "backup", "expired", "abandoned", "unrecorded")
# Binding state -> the count it goes to; any other state is given back.
_COUNTED = {"active": "active", "free": "free", "backup": "backup", "abandoned": "abandoned"}
# Kea HA states in which the pair serves as it should (hot-standby: the
# standby server's own state is hot-standby too; backup servers: backup).
KEA_HEALTHY = ("load-balancing", "hot-standby", "backup", "passive-backup")


def _int(address):
    return int(ipaddress.IPv4Address(address))


def read_leases(lines, relationship=None):
    """(address as int -> binding state of its last block, failover state
    of ``relationship``) from an iterable of the lease file's lines."""
    states = {}
    failover = {"found": False, "my_state": None, "partner_state": None, "my_since": None, "partner_since": None}
    address = state = block = None
    for line in lines:
        text = line.strip()
        if block is not None:
            if text == "}":
                _failover_block(failover, block)
                block = None
            else:
                block.append(text)
        elif address is not None:
            if text.startswith("binding state "):
                state = text[len("binding state "):].rstrip(";").strip()
            elif text == "}":
                if state is not None:
                    states[address] = state
                address = None
        elif text.startswith("lease ") and text.endswith("{"):
            try:
                address = _int(text.split()[1])
            except ValueError:
                address = None
            state = None
        elif relationship and text == 'failover peer "%s" state {' % relationship:
            block = []
    return states, failover


def _epoch(stamp, epoch):
    return int(epoch) if epoch else calendar.timegm(time.strptime(stamp, "%Y/%m/%d %H:%M:%S"))


def _failover_block(failover, lines):
    failover["found"] = True
    for who, state, stamp, epoch in _STATE.findall("\n".join(lines)):
        failover["%s_state" % who] = state
        failover["%s_since" % who] = _epoch(stamp, epoch)


def kea_lease_files(path):
    """The files Kea's memfile reads at start, oldest first (those of its
    lease file cleanup, then the file itself), that exist."""
    return [p for p in (path + ".2", path + ".1", path) if os.path.exists(p)]


def kea_rows(lines):
    """(column index by name, row) for each lease row of a Kea memfile CSV
    file (``lines``: a file object or the lines of its text), read a row at
    a time; short and empty rows are skipped."""
    rows = csv.reader(lines)
    header = next(rows, None)
    if not header:
        return
    col = {name: i for i, name in enumerate(header)}
    for row in rows:
        if len(row) >= len(header) and row[0]:
            yield col, row


def read_kea_leases(paths, now):
    """Address as int -> state of its last row, from Kea's CSV lease files
    (oldest first); streamed a row at a time."""
    states = {}
    for path in paths:
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            for col, row in kea_rows(fh):
                try:
                    address = _int(row[0])
                    valid, expire = int(row[col["valid_lifetime"]]), int(row[col["expire"]])
                    state = int(row[col["state"]] or 0) if "state" in col else 0
                except (ValueError, KeyError):
                    continue
                if valid == 0 or state == 2:
                    states[address] = "free"
                elif state == 1:
                    states[address] = "abandoned"
                else:
                    states[address] = "active" if expire > now else "expired"
    return states


def kea_ha_status(control_socket, timeout=5.0):
    """The HA state of the Kea server behind ``control_socket`` (status-get),
    in the shape read_leases gives dhcpd's failover state: found, my_state,
    partner_state, plus mode, partner_in_touch and healthy."""
    out = {"found": False, "my_state": None, "partner_state": None, "my_since": None, "partner_since": None,
           "mode": None, "partner_in_touch": None, "healthy": False}
    answer = kea_command(control_socket, "status-get", timeout)
    for service in (answer.get("arguments") or {}).get("high-availability") or []:
        servers = service.get("ha-servers") or {}
        local, remote = servers.get("local") or {}, servers.get("remote") or {}
        out.update(found=True, mode=service.get("ha-mode"), my_state=local.get("state"),
                   partner_state=remote.get("last-state"), partner_in_touch=remote.get("in-touch"))
        # The partner's last state lags by up to a heartbeat (it says ready
        # for a moment after both reached the mode's state): its own server
        # tells its state; this one tells whether it is in touch.
        out["healthy"] = out["my_state"] in KEA_HEALTHY and remote.get("in-touch") is not False
        break
    return out


def kea_command(control_socket, command, timeout=5.0):
    """One command to kea-dhcp4 through its UNIX control socket; its answer."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(control_socket)
        sock.sendall(json.dumps({"command": command}).encode())
        data = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
            try:
                return json.loads(data.decode())
            except ValueError:
                continue
    finally:
        sock.close()
    return json.loads(data.decode())


class _Ranges:
    """Which pool an address lies in (the ranges do not overlap)."""

    def __init__(self, pools):
        spans = sorted((_int(first), _int(last), i) for i, pool in enumerate(pools) for first, last in pool["ranges"])
        self.starts = [s[0] for s in spans]
        self.spans = spans

    def find(self, address):
        i = bisect.bisect_right(self.starts, address) - 1
        if i >= 0 and address <= self.spans[i][1]:
            return self.spans[i][2]
        return None


def count(pools, states, role=None, backend="isc", halves=False):
    """Each pool with its counts, for the binding states of one peer's lease
    file. ``role`` (primary, secondary or None) tells whose share free and
    backup leases are: ``own_free`` is what this peer may hand out now,
    ``partner_free`` what its partner may. With Kea, an expired lease is
    free again; with ``halves`` (a Kea pair in load-balancing), each server
    hands out new addresses from its own half of each range only (the
    pool's ``halves``)."""
    ranges = _Ranges(pools)
    split = halves and role in ("primary", "secondary")
    sides = _Ranges([{"ranges": p.get("halves", {}).get(role, [])} for p in pools]) if split else None
    tallies = [dict.fromkeys(STATES, 0) for pool in pools]
    used_own = [0] * len(pools)
    for address, state in states.items():
        i = ranges.find(address)
        if i is not None:
            counted = _COUNTED.get(state, "expired")
            tallies[i][counted] += 1
            if split and counted in ("active", "abandoned") and sides.find(address) == i:
                used_own[i] += 1
    out = []
    for pool, tally, own in zip(pools, tallies, used_own):
        size = _size(pool["ranges"])
        tally["unrecorded"] = size - sum(tally.values())
        used = tally["active"] + tally["abandoned"]
        row = dict(pool, size=size, used=used,
                   utilisation=round(float(used) / size, 4) if size else 1.0, **tally)
        if split and pool.get("halves"):
            own_size = _size(pool["halves"][role])
            row.update(own_free=own_size - own, partner_free=size - own_size - (used - own))
        else:
            row.update(_shares(pool, tally, role, backend))
        out.append(row)
    return out


def _size(ranges):
    return sum(_int(b) - _int(a) + 1 for a, b in ranges)


def _shares(pool, tally, role, backend):
    """This peer's and its partner's free addresses in a pool."""
    if backend == "kea":
        return {"own_free": tally["free"] + tally["unrecorded"] + tally["expired"], "partner_free": 0}
    if pool.get("failover") and role in ("primary", "secondary"):
        mine, theirs = ("free", "backup") if role == "primary" else ("backup", "free")
        return {"own_free": tally[mine], "partner_free": tally[theirs]}
    return {"own_free": tally["free"] + tally["backup"] + tally["unrecorded"], "partner_free": 0}


def pool_status(pools, lease_path, relationship=None, role=None, backend="isc", control_socket=None, now=None):
    """Read ``lease_path`` (missing: no lease yet) and count ``pools``:
    {pools: [...], failover: {...}, lease_file_size: bytes}. With ``backend``
    kea, the lease file is Kea's CSV and the HA state is asked of
    ``control_socket`` (none: not read)."""
    if backend == "kea":
        paths = kea_lease_files(lease_path)
        states = read_kea_leases(paths, time.time() if now is None else now)
        failover = dict(read_leases([])[1], healthy=False)
        if control_socket:
            try:
                failover = kea_ha_status(control_socket)
            except (OSError, ValueError) as exc:
                failover["error"] = "%s: %s" % (control_socket, exc)
        # Load-balancing: new addresses from each server's own half; alone
        # (partner-down) a server serves its partner's clients from the other.
        halves = failover.get("mode") == "load-balancing" and failover.get("my_state") != "partner-down"
        return {"pools": count(pools, states, role, "kea", halves), "failover": failover, "backend": "kea",
                "lease_file_size": sum(os.path.getsize(p) for p in paths)}
    try:
        with open(lease_path, encoding="utf-8", errors="replace") as fh:
            states, failover = read_leases(fh, relationship)
            size = fh.tell()
    except FileNotFoundError:
        states, failover, size = {}, read_leases([], relationship)[1], 0
    return {"pools": count(pools, states, role), "failover": failover, "backend": "isc", "lease_file_size": size}


def _label(value):
    return ("" if value is None else str(value)).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def textfile(status, pair, peer, now):
    """The figures in the Prometheus text exposition format, for the
    node_exporter textfile collector. Metric names: docs/observe.md."""
    lines = []

    def metric(name, kind, text, rows):
        lines.append("# HELP %s %s" % (name, text))
        lines.append("# TYPE %s %s" % (name, kind))
        for labels, value in rows:
            lines.append("%s{%s} %s" % (name, ",".join('%s="%s"' % (k, _label(v)) for k, v in labels), value))

    base = [("pair", pair), ("peer", peer)]
    pools = status["pools"]
    pool_labels = [base + [("pool", p["id"]), ("subnet", p.get("subnet", ""))] for p in pools]
    metric("netboot_dhcp_pool_size", "gauge", "Addresses in the pool's ranges.",
           [(lab, p["size"]) for lab, p in zip(pool_labels, pools)])
    metric("netboot_dhcp_pool_addresses", "gauge", "Addresses of the pool by binding state in this peer's lease file.",
           [(lab + [("state", s)], p[s]) for lab, p in zip(pool_labels, pools) for s in STATES])
    metric("netboot_dhcp_pool_utilisation_ratio", "gauge", "(active + abandoned) / size.",
           [(lab, p["utilisation"]) for lab, p in zip(pool_labels, pools)])
    metric("netboot_dhcp_pool_own_free", "gauge", "Addresses this peer may hand out now.",
           [(lab, p["own_free"]) for lab, p in zip(pool_labels, pools)])
    metric("netboot_dhcp_pool_partner_free", "gauge", "Addresses of a failover pool that only the partner may hand out.",
           [(lab, p["partner_free"]) for lab, p in zip(pool_labels, pools)])
    fo = status["failover"]
    if fo["found"]:
        metric("netboot_dhcp_failover_normal", "gauge",
               "1 when this peer's and its partner's failover state are normal (Kea: the HA mode's state, partner in touch).",
               [(base, int(healthy(fo)))])
        metric("netboot_dhcp_failover_state_info", "gauge", "The failover states, as labels.",
               [(base + [("my_state", fo["my_state"]), ("partner_state", fo["partner_state"])], 1)])
    metric("netboot_dhcp_lease_file_bytes", "gauge", "Size of the lease file.", [(base, status["lease_file_size"])])
    metric("netboot_dhcp_status_timestamp_seconds", "gauge", "When these figures were read (epoch).", [(base, int(now))])
    return "\n".join(lines) + "\n"


def healthy(failover):
    """Whether a failover state (read_leases) or Kea HA state (kea_ha_status) is as it should be."""
    if "healthy" in failover:
        return bool(failover["healthy"])
    return failover["my_state"] == "normal" and failover["partner_state"] == "normal"


def write_atomically(path, text):
    """Write ``text`` to ``path`` through a file renamed into place (the
    textfile collector must never read a half-written file), mode 0644."""
    folder = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".netboot_dhcp.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv=None):
    parser = argparse.ArgumentParser(prog="netboot-dhcp-status", description="Write a DHCP peer's pool figures for node_exporter.")
    parser.add_argument("--pools", required=True, help="JSON file: the pools this peer leases from (the dhcp_pools filter)")
    parser.add_argument("--leases", required=True)
    parser.add_argument("--role", choices=("primary", "secondary", "standalone"), default="standalone")
    parser.add_argument("--failover", default=None, help="the failover relationship's name (ISC dhcpd)")
    parser.add_argument("--backend", choices=("isc", "kea"), default="isc")
    parser.add_argument("--control-socket", default=None, help="kea-dhcp4's control socket, for its HA state (Kea)")
    parser.add_argument("--pair", required=True)
    parser.add_argument("--peer", required=True)
    parser.add_argument("--out", required=True, help="the .prom file in the textfile collector's folder")
    args = parser.parse_args(argv)
    with open(args.pools, encoding="utf-8") as fh:
        pools = json.load(fh)
    status = pool_status(pools, args.leases, args.failover, args.role, args.backend, args.control_socket)
    write_atomically(args.out, textfile(status, args.pair, args.peer, time.time()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
