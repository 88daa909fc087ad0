# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DHCP peer's pools counted from its ISC dhcpd lease file (standard
library only).

Used by the dhcp_pool_status module, and, copied by the dhcpd role to
/usr/local/sbin/netboot-dhcp-status, as the status exporter a systemd timer
runs to write the same figures for the node_exporter textfile collector
(standard library only, so it runs alone):

  netboot-dhcp-status --pools POOLS.json --leases L --role R --pair P --peer H
                      [--failover NAME] --out DIR/netboot_dhcp.prom

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
"""

from __future__ import annotations

import argparse
import bisect
import calendar
import ipaddress
import json
import os
import re
import tempfile
import time

# dhcpd.leases(5): "my state normal at 4 2026/12/03 10:00:00;" or "... at epoch N;".
_STATE = re.compile(r"(my|partner) state (\S+) at (?:\d (\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)|epoch (\d+))")
STATES = ("active", "free", "backup", "expired", "abandoned", "unrecorded")
# Binding state -> the count it goes to; any other state is given back.
_COUNTED = {"active": "active", "free": "free", "backup": "backup", "abandoned": "abandoned"}


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


def count(pools, states, role=None):
    """Each pool with its counts, for the binding states of one peer's lease
    file. ``role`` (primary, secondary or None) tells whose share free and
    backup leases are: ``own_free`` is what this peer may hand out now,
    ``partner_free`` what its partner may."""
    ranges = _Ranges(pools)
    tallies = [dict.fromkeys(STATES, 0) for pool in pools]
    for address, state in states.items():
        i = ranges.find(address)
        if i is not None:
            tallies[i][_COUNTED.get(state, "expired")] += 1
    out = []
    for pool, tally in zip(pools, tallies):
        size = sum(_int(b) - _int(a) + 1 for a, b in pool["ranges"])
        tally["unrecorded"] = size - sum(tally.values())
        used = tally["active"] + tally["abandoned"]
        row = dict(pool, size=size, used=used,
                   utilisation=round(float(used) / size, 4) if size else 1.0, **tally)
        row.update(_shares(pool, tally, role))
        out.append(row)
    return out


def _shares(pool, tally, role):
    """This peer's and its partner's free addresses in a pool."""
    if pool.get("failover") and role in ("primary", "secondary"):
        mine, theirs = ("free", "backup") if role == "primary" else ("backup", "free")
        return {"own_free": tally[mine], "partner_free": tally[theirs]}
    return {"own_free": tally["free"] + tally["backup"] + tally["unrecorded"], "partner_free": 0}


def pool_status(pools, lease_path, relationship=None, role=None):
    """Read ``lease_path`` (missing: no lease yet) and count ``pools``:
    {pools: [...], failover: {...}, lease_file_size: bytes}."""
    try:
        with open(lease_path, encoding="utf-8", errors="replace") as fh:
            states, failover = read_leases(fh, relationship)
            size = fh.tell()
    except FileNotFoundError:
        states, failover, size = {}, read_leases([], relationship)[1], 0
    return {"pools": count(pools, states, role), "failover": failover, "lease_file_size": size}


def _label(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


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
        metric("netboot_dhcp_failover_normal", "gauge", "1 when both this peer's and its partner's failover state are normal.",
               [(base, int(fo["my_state"] == "normal" and fo["partner_state"] == "normal"))])
        metric("netboot_dhcp_failover_state_info", "gauge", "The failover states, as labels.",
               [(base + [("my_state", fo["my_state"]), ("partner_state", fo["partner_state"])], 1)])
    metric("netboot_dhcp_lease_file_bytes", "gauge", "Size of the lease file.", [(base, status["lease_file_size"])])
    metric("netboot_dhcp_status_timestamp_seconds", "gauge", "When these figures were read (epoch).", [(base, int(now))])
    return "\n".join(lines) + "\n"


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
    parser.add_argument("--failover", default=None, help="the failover relationship's name")
    parser.add_argument("--pair", required=True)
    parser.add_argument("--peer", required=True)
    parser.add_argument("--out", required=True, help="the .prom file in the textfile collector's folder")
    args = parser.parse_args(argv)
    with open(args.pools, encoding="utf-8") as fh:
        pools = json.load(fh)
    status = pool_status(pools, args.leases, args.failover, args.role)
    write_atomically(args.out, textfile(status, args.pair, args.peer, time.time()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
