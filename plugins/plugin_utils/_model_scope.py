# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pieces every scope shares: lease times, raw statements, includes, addresses, boot settings.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import ipaddress
import re

from typing import Any, Dict, List, Mapping, Optional, Tuple
from ._boot_rules import BOOT_FILE_KEYS
from ._model_checker import Checker, did_you_mean
from ._model_options import read_options
from ._model_results import CLIENTS, LEASE_KEYS, SELF, Boot, Context, Scope
from ._model_schema import SCOPE_PXE
from ._model_types import read_address
from ._model_vocab import MANAGED_STATEMENTS

# A next-server that was given but refused (already reported): not "missing".
INVALID = ("invalid", None)


def read_lease_times(c: Checker, raw: Mapping[str, Any], path_format: str) -> List[Tuple[str, int]]:
    out = []
    for key in LEASE_KEYS:
        if raw.get(key) is not None:
            n = c.integer(raw.get(key), path_format % key, 0, 2**32 - 1)
            if n is not None:
                out.append((key.replace("_", "-"), n))
    return out


def read_statements(ctx: Context, raw: Any, path: str, where: str = "scope") -> List[str]:
    """Raw statements: one line each; statements the model manages are refused."""
    c = ctx.c
    out = []
    for i, item in enumerate(c.sequence(raw, path)):
        ipath = "%s[%d]" % (path, i)
        text = c.line(item, ipath)
        if text is None:
            continue
        words = text.split()
        first = words[0].lower()
        key = MANAGED_STATEMENTS.get(first)
        if first in ("not", "authoritative") and "authoritative" not in " ".join(words[:2]).lower():
            key = None
        if first == "peer" and len(words) > 1 and words[1].lower() != "address":
            key = None
        if key is not None:
            c.add(ipath, "%r is written by the collection from its own keys: set %s instead" % (text, key))
            continue
        if where == "pool" and first in ("allow", "deny", "ignore"):
            # dhcpd reads allow/deny in a pool as permits only ('expecting permit type').
            c.add(
                ipath,
                "in a pool, allow and deny are permits: put them in the pool's allow/deny lists, where the collection checks which clients each pool"
                " serves (other allow/deny statements go in the subnet)",
            )
            continue
        out.append(text)
    return out


def read_includes(c: Checker, raw: Any) -> List[str]:
    out = []
    for i, item in enumerate(c.sequence(raw, "dhcpd_includes")):
        ipath = "dhcpd_includes[%d]" % i
        if not isinstance(item, str) or not item.startswith("/") or re.search(r'["\\;{}\s]', item):
            c.add(ipath, "must be an absolute path on the DHCP hosts without quotes, spaces or ';', got %r" % (item,))
            continue
        out.append(item)
    return out


def read_address_setting(ctx: Context, value: Any, path: str, allow_self: bool = True) -> Tuple[str, Any]:
    """next_server-like settings: IPv4, inventory host, FQDN, or self."""
    c = ctx.c
    if value == "self" and allow_self:
        if ctx.failover is None:
            c.add(path, "self means each failover peer's own address, and needs dhcpd_failover: set an address or a host instead")
            return INVALID
        return SELF
    if isinstance(value, str) and value in ctx.hosts:
        try:
            return ("ip", str(ipaddress.IPv4Address(str(ctx.hosts[value]))))
        except ValueError:
            c.add(path, "inventory host %r has address %r, which is not IPv4: set tftp_server_address in its host_vars" % (value, ctx.hosts[value]))
            return INVALID
    try:
        return read_address(value)
    except ValueError:
        pass
    c.add(
        path,
        "%r is neither an IPv4 address nor an inventory host with an address%s: use the TFTP server's inventory hostname "
        "(with tftp_server_address or ansible_host set), its IPv4 address or a fully qualified DNS name%s"
        % (value, did_you_mean(value, ctx.hosts) if isinstance(value, str) else "", ", or self" if allow_self else ""),
    )
    return INVALID


def read_boot(ctx: Context, raw: Any, path: str, inherited: Optional[Boot], keys: Tuple[str, ...],
              defaults: Optional[Dict[str, str]] = None) -> Optional[Boot]:
    """A pxe: mapping (or dhcpd_pxe) -> Boot, merged over the inherited settings.

    ``defaults`` are the files of a mapping that names none and inherits
    nothing: the collection's defaults for dhcpd_pxe only. A scope's pxe:
    with neither files nor a parent to take them from gets none (and
    check_boot_complete refuses it), never files the site may not have."""
    c = ctx.c
    raw = c.mapping(raw, path, keys)
    if raw is None:
        return inherited
    base = inherited or Boot(None, {}, "pxe", None)
    next_server = base.next_server
    if raw.get("next_server") not in (None, ""):
        next_server = read_address_setting(ctx, raw.get("next_server"), path + ".next_server")
    clients = c.choice(raw.get("clients"), path + ".clients", CLIENTS, base.clients)
    files = dict(base.files)
    if "boot_files" in raw:
        fraw = c.mapping(raw.get("boot_files"), path + ".boot_files", BOOT_FILE_KEYS)
        for key, value in (fraw or {}).items():
            if key not in BOOT_FILE_KEYS or value in (None, ""):
                files.pop(key, None)
                continue
            fpath = "%s.boot_files.%s" % (path, key)
            value = c.text(value, fpath)
            if value is None:
                continue
            if key.startswith("http_") and not re.match(r"^https?://", value):
                c.add(fpath, "UEFI HTTP boot needs a full http:// or https:// URL, got %r" % value)
                continue
            if not key.startswith("http_") and key != "other" and re.match(r"^[a-z]+://", value):
                c.add(fpath, "a PXE boot file is a path on the TFTP server, not a URL (%r); URLs go in http_x64/http_arm64" % value)
                continue
            files[key] = value
    elif inherited is None:
        files = dict(defaults or {})
    ipxe = base.ipxe_script
    if raw.get("ipxe_script") is not None:
        ipxe = c.text(raw.get("ipxe_script"), path + ".ipxe_script")
    return Boot(next_server, files, clients, ipxe)


def check_boot_complete(c: Checker, boot: Boot, path: str) -> None:
    files = list(boot.files.values()) + ([boot.ipxe_script] if boot.ipxe_script else [])
    if not files:
        if boot.clients == "all" and boot.next_server is not None:
            return  # next-server for every client; files come from elsewhere (hosts, includes)
        c.add(path + ".boot_files", "no boot file is set: give at least one (bios, uefi_x64, ... or other)%s" % (
            "" if path == "dhcpd_pxe" else ", here or in dhcpd_pxe (which this scope inherits from)"))
    elif boot.next_server is None and not all(re.match(r"^https?://", f) for f in files):
        c.add(
            path + ".next_server",
            "boot files are served without a next-server, so clients would ask 0.0.0.0 for them: "
            "set it to the TFTP server's inventory hostname, its IPv4 address, or self",
        )


def read_scope(ctx: Context, raw: Mapping[str, Any], path: str, inherited_boot: Optional[Boot], where: str = "scope") -> Tuple[Scope, Optional[Boot]]:
    """options, statements, lease times and pxe of one scope; returns (Scope, boot in force)."""
    c = ctx.c
    scope = Scope(
        options=read_options(c, ctx.vocab, raw.get("options"), path + ".options"),
        lease=read_lease_times(c, raw, path + ".%s"),
        raw=read_statements(ctx, raw.get("statements"), path + ".statements", where),
    )
    boot = inherited_boot
    if raw.get("pxe") is not None:
        boot = read_boot(ctx, raw.get("pxe"), path + ".pxe", inherited_boot, SCOPE_PXE.keys)
        if boot is not None:
            check_boot_complete(c, boot, path + ".pxe")
            scope.boot = boot
    return scope, boot
