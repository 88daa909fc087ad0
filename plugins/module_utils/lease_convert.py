# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ISC dhcpd's lease file and Kea's memfile lease file, each read into the
leases clients hold and written as the other (standard library only).

Used by the dhcp_lease_convert module on a DHCP host, in the moment between
one server stopping and the other starting, so that a client keeps its
address across the switch.

ISC dhcpd (dhcpd.leases(5)): a ``lease ADDRESS { ... }`` block per change,
the last one of an address in force, with ``starts``, ``ends`` and ``cltt``
(``W YYYY/MM/DD HH:MM:SS`` in UTC, or ``epoch N``), ``binding state``,
``hardware ethernet``, ``uid`` (a quoted string with octal escapes, or
colon-separated hex) and ``client-hostname``.

Kea (the memfile backend, src/lib/dhcpsrv/csv_lease_file4.cc): a CSV file
with a header row; columns address, hwaddr, client_id, valid_lifetime,
expire (the end of the lease: cltt + valid_lifetime), subnet_id, fqdn_fwd,
fqdn_rev, hostname (commas written ``&#x2c``), state (0 default, 1 declined,
2 expired-reclaimed) and user_context. Kea appends a row per change; a row
with valid_lifetime 0 deletes the lease. Its lease file cleanup (LFC) leaves
the older rows in ``FILE.2`` and ``FILE.1``, read first.

What a lease becomes: an ISC lease in binding state ``active`` whose end is
still ahead is a Kea lease in state 0 (default) in the subnet of the Kea
configuration that holds its address; a Kea lease in state 0 whose end is
still ahead is an ISC ``active`` lease. Every other state (ISC free, backup,
expired, released, abandoned, reset; Kea declined and expired-reclaimed)
is a lease no client holds, and is counted, not carried.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import ipaddress
import re
import time

from ansible_collections.netboot.dhcp_failover.plugins.module_utils.pool_status import kea_rows

KEA_COLUMNS = ("address", "hwaddr", "client_id", "valid_lifetime", "expire", "subnet_id",
               "fqdn_fwd", "fqdn_rev", "hostname", "state", "user_context")
INFINITE = 0xFFFFFFFF  # Kea's infinite valid lifetime; dhcpd writes "ends never"

_LEASE = re.compile(r"^lease\s+(\d+\.\d+\.\d+\.\d+)\s*\{(.*?)^\}", re.S | re.M)
_DATE = re.compile(r"^\s*(starts|ends|cltt)\s+(?:\d+\s+(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)|epoch\s+(\d+)|(never))\s*;", re.M)
_BINDING = re.compile(r"^\s*binding state (\S+);", re.M)
_HW = re.compile(r"^\s*hardware ethernet ([0-9a-fA-F:]+);", re.M)
_UID_TEXT = re.compile(r'^\s*uid "((?:[^"\\]|\\.)*)";', re.M)
_UID_HEX = re.compile(r"^\s*uid ([0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2})*);", re.M)
_HOSTNAME = re.compile(r'^\s*client-hostname "((?:[^"\\]|\\.)*)";', re.M)


class Lease(dict):
    """address, hwaddr, client_id (bytes), cltt, ends (None: never), hostname, state."""


def _epoch(stamp, epoch):
    return int(epoch) if epoch else calendar.timegm(time.strptime(stamp, "%Y/%m/%d %H:%M:%S"))


def _unescape(text):
    """The bytes of a dhcpd string: backslash-octal and backslash-character escapes undone."""
    out, i = bytearray(), 0
    raw = text.encode("latin-1", "replace")
    while i < len(raw):
        if raw[i:i + 1] == b"\\" and i + 1 < len(raw):
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1:i + 4])
            if octal:
                out.append(int(octal.group(0), 8) & 0xFF)
                i += 1 + len(octal.group(0))
                continue
            out += raw[i + 1:i + 2]
            i += 2
        else:
            out += raw[i:i + 1]
            i += 1
    return bytes(out)


def read_isc(text):
    """Address -> Lease of the last entry of each address in a dhcpd.leases text."""
    out = {}
    for block in _LEASE.finditer(text):
        body = block.group(2)
        binding = _BINDING.search(body)
        dates = {}
        for name, stamp, epoch, never in _DATE.findall(body):
            dates[name] = None if never else _epoch(stamp, epoch)
        hw, uid_text, uid_hex, host = _HW.search(body), _UID_TEXT.search(body), _UID_HEX.search(body), _HOSTNAME.search(body)
        client_id = _unescape(uid_text.group(1)) if uid_text else bytes(int(b, 16) for b in uid_hex.group(1).split(":")) if uid_hex else b""
        out[block.group(1)] = Lease(
            address=block.group(1), state=binding.group(1) if binding else "free",
            hwaddr=hw.group(1).lower() if hw else "", client_id=client_id,
            cltt=dates.get("cltt") or dates.get("starts"), ends=dates.get("ends", 0),
            hostname=_unescape(host.group(1)).decode("utf-8", "replace") if host else "")
    return out


def read_kea(texts):
    """Address -> Lease of the last row of each address in Kea's lease files (oldest first)."""
    out = {}
    for text in texts:
        for col, row in kea_rows(io.StringIO(text)):
            valid, expire = int(row[col["valid_lifetime"]]), int(row[col["expire"]])
            state = int(row[col["state"]]) if "state" in col and row[col["state"]] else 0
            out[row[0]] = Lease(
                address=row[0], state={0: "active", 1: "declined", 2: "expired-reclaimed"}.get(state, str(state)) if valid else "deleted",
                hwaddr=row[col["hwaddr"]].lower(), client_id=bytes(int(b, 16) for b in row[col["client_id"]].split(":")) if row[col["client_id"]] else b"",
                cltt=expire - valid, ends=None if valid == INFINITE else expire,
                hostname=row[col["hostname"]].replace("&#x2c", ","))
    return out


def held(leases, now):
    """(the leases clients hold now, sorted by address; {state: how many others})."""
    keep, others = [], {}
    for lease in leases.values():
        if lease["state"] == "active" and (lease["ends"] is None or lease["ends"] > now) and (lease["hwaddr"] or lease["client_id"]):
            keep.append(lease)
        else:
            why = lease["state"] if lease["state"] != "active" else "ended" if lease["hwaddr"] or lease["client_id"] else "no client identity"
            others[why] = others.get(why, 0) + 1
    return sorted(keep, key=lambda lease: ipaddress.IPv4Address(lease["address"])), others


def read_kea_config(text):
    """A kea-dhcp4.conf text as data: Kea's own extensions to JSON (comments,
    and the <?include "FILE"?> directives the collection uses for the HA
    channel's password) left out, since only the subnets are read."""
    text = re.sub(r'<\?include\s+"[^"]*"\s*\?>\s*,?', "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'^\s*(#|//).*$', "", text, flags=re.M)
    return json.loads(text)


def kea_subnets(config):
    """[(network, subnet id)] of a Kea DHCPv4 configuration (a parsed kea-dhcp4.conf)."""
    dhcp4 = config.get("Dhcp4", {})
    subnets = list(dhcp4.get("subnet4", []))
    for shared in dhcp4.get("shared-networks", []):
        subnets += shared.get("subnet4", [])
    return [(ipaddress.IPv4Network(s["subnet"], strict=False), int(s["id"])) for s in subnets if "id" in s]


def write_kea(leases, subnets):
    """Kea's CSV lease file of ``leases``; (text, addresses in no subnet of the configuration)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(KEA_COLUMNS)
    outside = []
    for lease in leases:
        address = ipaddress.IPv4Address(lease["address"])
        ids = [sid for network, sid in subnets if address in network]
        if not ids:
            outside.append(lease["address"])
            continue
        valid = INFINITE if lease["ends"] is None else max(1, lease["ends"] - lease["cltt"])
        writer.writerow([lease["address"], lease["hwaddr"], ":".join("%02x" % b for b in lease["client_id"]), valid,
                         lease["cltt"] + valid, ids[0], 0, 0, lease["hostname"].replace(",", "&#x2c"), 0, ""])
    return buf.getvalue(), outside


def _isc_date(epoch):
    return time.strftime("%w %Y/%m/%d %H:%M:%S", time.gmtime(epoch))


def _isc_string(data):
    return "".join(chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else "\\%03o" % b for b in data)


def write_isc(leases, now, failover_name=None):
    """A dhcpd.leases text of ``leases``; with a failover relationship, a state
    record that has both peers in normal (so neither starts in recover and waits
    the MCLT: each already holds every lease) and the failover next state."""
    lines = ["# Written by netboot.dhcp_failover from Kea's lease file, %s UTC." % time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now)),
             "authoring-byte-order little-endian;", ""]
    if failover_name:
        lines += ['failover peer "%s" state {' % failover_name.replace('"', ""),
                  "  my state normal at %s;" % _isc_date(now), "  partner state normal at %s;" % _isc_date(now), "}", ""]
    for lease in leases:
        lines.append("lease %s {" % lease["address"])
        lines.append("  starts %s;" % _isc_date(lease["cltt"]))
        lines.append("  ends %s;" % ("never" if lease["ends"] is None else _isc_date(lease["ends"])))
        lines.append("  cltt %s;" % _isc_date(lease["cltt"]))
        lines.append("  binding state active;")
        lines.append("  next binding state %s;" % ("expired" if failover_name else "free"))
        lines.append("  rewind binding state free;")
        if lease["hwaddr"]:
            lines.append("  hardware ethernet %s;" % lease["hwaddr"])
        if lease["client_id"]:
            lines.append('  uid "%s";' % _isc_string(lease["client_id"]))
        if lease["hostname"]:
            lines.append('  client-hostname "%s";' % _isc_string(lease["hostname"].encode("utf-8")))
        lines.append("}")
    return "\n".join(lines) + "\n"
