# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""DDNS on Kea: the description's ``dhcpd_ddns`` as kea-dhcp4's DDNS
settings and the configuration of kea-dhcp-ddns (D2), the daemon that sends
the DNS updates.

Private to this collection; may change without notice.

What it follows (Kea Administrator Reference Manual, "DDNS for DHCPv4" and
"The DHCP-DDNS Server"): kea-dhcp4 decides which names to update and sends
each change as a name change request to D2 (``dhcp-ddns``, UDP to
127.0.0.1:53001 by default); D2 matches the name against its forward and
reverse DDNS domains and sends the update to their DNS servers, signed with
the domain's TSIG key. Each peer of a pair runs its own D2 for the leases it
hands out.

The mapping:

* ``style: standard`` -> updates on (``dhcp-ddns.enable-updates``). Kea
  guards a name with a DHCID record (RFC 4701, RFC 4703), as dhcpd's
  standard style does. dhcpd's ``interim`` style guards names with TXT
  records Kea does not write or read: refused, with the fix;
* ``updates`` -> ``ddns-send-updates``; ``domain_name`` ->
  ``ddns-qualifying-suffix`` (the domain added to a client's partial name,
  as dhcpd's ``ddns-domainname``);
* ``rev_domain_name``: Kea always names the PTR record under
  in-addr.arpa, so only that value is taken;
* ``zones`` -> D2's forward (or, under in-addr.arpa, reverse) DDNS domains:
  the primary, then the secondary, as the domain's DNS servers, and the key;
* ``keys`` -> D2's ``tsig-keys``. The secrets never enter the D2
  configuration itself: it carries the stand-in :data:`KEYS_MARK`, which the
  kea role replaces with an include of an owner-only file
  (:data:`KEYS_FILE`) holding :func:`d2_keys_text`. Kea reads
  ``<?include "file"?>`` in every daemon's JSON.
"""

from __future__ import annotations

import json
from typing import Any, Callable, List, Mapping, Optional, Tuple

KEYS_MARK = "netboot:include-ddns-keys"
KEYS_FILE = "netboot-ddns-keys.json"
# What takes only addresses, for resolve's message.
SERVERS = "the DNS servers of kea-dhcp-ddns"
REVERSE_SUFFIX = "in-addr.arpa."

Problem = Tuple[str, str]
# The checks' and the renderer's reading of an address of the model: (IPv4
# address, None), or (None, why Kea cannot take it) for a DNS name that is
# not an inventory host (_kea_check.resolve with the inventory's addresses).
Resolve = Callable[[Any], Tuple[Optional[str], Optional[str]]]


def active(model: Any) -> bool:
    """The description asks for DNS updates (dhcpd_ddns with a style other than none)."""
    return bool(model.ddns and model.ddns.style != "none")


def refusals(model: Any, resolve: Resolve) -> Tuple[List[Problem], List[str]]:
    """(problems, warnings) of dhcpd_ddns for Kea."""
    problems: List[Problem] = []
    warnings: List[str] = []
    d = model.ddns
    if not active(model):
        return problems, warnings
    if d.style == "interim":
        problems.append(("dhcpd_ddns.style", "Kea guards the names it updates with DHCID records (RFC 4701), as dhcpd's style "
                         "standard does; interim's TXT records are neither written nor read by Kea: set style: standard "
                         "(names that dhcpd created with interim keep their TXT record until it is removed)"))
    if d.rev_domain_name and d.rev_domain_name.rstrip(".").lower() + "." != REVERSE_SUFFIX:
        problems.append(("dhcpd_ddns.rev_domain_name", "%r: Kea names every PTR record under in-addr.arpa; leave "
                         "rev_domain_name out or set it to in-addr.arpa" % d.rev_domain_name))
    for i, z in enumerate(d.zones):
        for key in ("primary", "secondary"):
            atom = getattr(z, key)
            if atom is None:
                continue
            _address, why = resolve(atom)
            if why:
                problems.append(("dhcpd_ddns.zones[%d].%s" % (i, key), why))
    if not d.zones:
        problems.append(("dhcpd_ddns.zones", "kea-dhcp-ddns sends an update only for a name inside one of its zones: "
                         "list the forward and reverse zones with their primary server and key"))
    statics = [h for h in model.hosts if h.address]
    if statics and not d.update_static_leases:
        warnings.append("dhcpd_ddns.update_static_leases: Kea updates DNS for reserved addresses too (dhcpd does not unless "
                        "update-static-leases is on); %d host(s) with a fixed address" % len(statics))
    return problems, warnings


def dhcp4_settings(model: Any, settings: Mapping[str, Any]) -> dict:
    """The global kea-dhcp4 entries for dhcpd_ddns ({} without DDNS)."""
    if not active(model):
        return {}
    d = model.ddns
    out = {
        "dhcp-ddns": {"enable-updates": True, "server-ip": "127.0.0.1", "server-port": int(settings["d2_port"]),
                      "ncr-protocol": "UDP", "ncr-format": "JSON"},
        "ddns-send-updates": d.updates is not False,
    }
    if d.domain_name:
        out["ddns-qualifying-suffix"] = d.domain_name.rstrip(".") + "."
    return out


def d2_config(model: Any, settings: Mapping[str, Any], resolve: Resolve) -> dict:
    """kea-dhcp-ddns's configuration ({} without DDNS), its keys as :data:`KEYS_MARK`."""
    if not active(model):
        return {}
    forward, reverse = [], []
    for z in model.ddns.zones:
        servers = []
        for atom in (z.primary, z.secondary):
            if atom is not None:
                servers.append({"ip-address": resolve(atom)[0], "port": 53})
        domain = {"name": z.name, "dns-servers": servers}
        if z.key:
            domain["key-name"] = z.key
        (reverse if z.name.lower().endswith(REVERSE_SUFFIX) else forward).append(domain)
    conf = {
        "ip-address": "127.0.0.1",
        "port": int(settings["d2_port"]),
        "dns-server-timeout": 500,
        "ncr-protocol": "UDP",
        "ncr-format": "JSON",
        "control-socket": {"socket-type": "unix", "socket-name": settings["d2_control_socket"]},
        "tsig-keys": KEYS_MARK if model.ddns.keys else [],
        "forward-ddns": {"ddns-domains": forward},
        "reverse-ddns": {"ddns-domains": reverse},
        "loggers": [{"name": "kea-dhcp-ddns", "output_options": [{"output": "stdout", "pattern": "%-5p %m\n"}], "severity": "INFO"}],
    }
    return {"DhcpDdns": conf}


def d2_keys_text(keys: Optional[list]) -> str:
    """The JSON array of D2's TSIG keys (secret: for an owner-only file); '' without keys."""
    if not keys:
        return ""
    return json.dumps([{"name": k.name, "algorithm": k.algorithm.upper(), "secret": k.secret} for k in keys], indent=2) + "\n"
