# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files of the status exporter on a DHCP server: the exporter itself
(plugins/module_utils/pool_status.py, run as a script), the pools it counts,
and the systemd service and timer that run it. The dhcpd and kea roles
compare a host with these files in their pre-flight and write them."""

from __future__ import annotations

import json
import os
import shlex
from typing import Any, Dict, Mapping

SCRIPT = "/usr/local/libexec/netboot-dhcp-status"
CONF_DIR = "/etc/netboot-dhcp-status"
POOLS = CONF_DIR + "/pools.json"
SERVICE = "netboot-dhcp-status.service"
TIMER = "netboot-dhcp-status.timer"
UNIT_DIR = "/etc/systemd/system"
OUT_NAME = "netboot_dhcp.prom"
# Debian 12 (Ansible needs it) and EL 9 (dnf's platform Python) both have it;
# the exporter needs only the standard library.
PYTHON = "/usr/bin/python3"

_SOURCE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "module_utils", "pool_status.py")
_REQUIRED = ("backend", "pools", "lease_file", "role", "pair", "peer")
PATHS = [SCRIPT, POOLS, "%s/%s" % (UNIT_DIR, SERVICE), "%s/%s" % (UNIT_DIR, TIMER)]


class ExporterError(ValueError):
    """Settings the exporter cannot run with."""


def _settings(settings: Mapping[str, Any]) -> Dict[str, Any]:
    var = settings.get("variable") or "status_exporter"
    missing = [k for k in _REQUIRED if settings.get(k) in (None, "")]
    if missing:
        raise ExporterError("%s: missing %s" % (var, ", ".join(missing)))
    out = dict(settings)
    node = out.get("node_exporter") or {}
    if out.get("install_node_exporter") and not node.get("package"):
        raise ExporterError("%s_node_exporter: this OS ships no node_exporter package (EL 9 has none in its base"
                            " repositories); set it to false and point %s_textfile_dir at the textfile collector"
                            " folder of the node_exporter this site runs" % (var, var))
    out["textfile_dir"] = out.get("textfile_dir") or node.get("textfile_dir") or ""
    if not out["textfile_dir"]:
        raise ExporterError("%s_textfile_dir: no textfile collector folder known on this OS (it ships no node_exporter);"
                            " set it to the folder the node_exporter this site runs reads (--collector.textfile.directory)"
                            % var)
    if not str(out["textfile_dir"]).startswith("/"):
        raise ExporterError("%s_textfile_dir must be an absolute path, got %r" % (var, out["textfile_dir"]))
    if out["backend"] not in ("isc", "kea"):
        raise ExporterError("%s: backend must be isc or kea, got %r" % (var, out["backend"]))
    if out["role"] not in ("primary", "secondary", "standalone"):
        raise ExporterError("%s: role must be primary, secondary or standalone, got %r" % (var, out["role"]))
    interval = out.get("interval", 60)
    if isinstance(interval, str) and interval.isdigit():
        interval = int(interval)
    if isinstance(interval, bool) or not isinstance(interval, int) or interval < 5:
        raise ExporterError("%s_interval must be a whole number of seconds, at least 5, got %r" % (var, interval))
    out["interval"] = interval
    if not isinstance(out["pools"], list):
        raise ExporterError("%s: pools must be the list the dhcp_pools filter returns for this server's role" % var)
    return out


def _service(s: Mapping[str, Any]) -> str:
    argv = [PYTHON, SCRIPT, "--backend", s["backend"], "--pools", POOLS, "--leases", s["lease_file"],
            "--role", s["role"], "--pair", s["pair"], "--peer", s["peer"]]
    if s.get("failover"):
        argv += ["--failover", s["failover"]]
    if s.get("control_socket"):
        argv += ["--control-socket", s["control_socket"]]
    argv += ["--out", "%s/%s" % (str(s["textfile_dir"]).rstrip("/"), OUT_NAME)]
    after = " ".join(["network.target"] + ([s["after"]] if s.get("after") else []))
    return "\n".join([
        "# Managed by netboot.dhcp_failover (docs/observe.md): writes this DHCP server's pool",
        "# figures for node_exporter's textfile collector. Run by %s; reads only." % TIMER,
        "[Unit]",
        "Description=DHCP pool and failover figures for node_exporter (netboot.dhcp_failover)",
        "After=%s" % after,
        "",
        "[Service]",
        "Type=oneshot",
        "ExecStart=%s" % " ".join(shlex.quote(str(a)) for a in argv),
        "ProtectSystem=full",
        "ProtectHome=true",
        "PrivateTmp=true",
        "NoNewPrivileges=true",
        "Nice=10",
        "",
    ])


def _timer(s: Mapping[str, Any]) -> str:
    return "\n".join([
        "# Managed by netboot.dhcp_failover (docs/observe.md).",
        "[Unit]",
        "Description=Write the DHCP pool figures every %d s (netboot.dhcp_failover)" % s["interval"],
        "",
        "[Timer]",
        "OnActiveSec=5",
        "OnUnitActiveSec=%d" % s["interval"],
        "AccuracySec=1",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
    ])


def exporter(settings: Mapping[str, Any]) -> Dict[str, Any]:
    """What the status exporter needs on a host.

    ``settings``: backend (isc or kea), pools (the dhcp_pools filter's list
    for this server's role), lease_file, role, pair and peer (the metrics'
    labels); optional textfile_dir (default: the OS's node_exporter's),
    failover (ISC: the relationship's name), control_socket (Kea), interval
    (seconds, default 60), after (the DHCP server's unit), node_exporter
    (the OS's package, service and textfile_dir, or nothing where the OS
    ships none), install_node_exporter (bool), variable (the role setting
    named in errors).

    Returns files (path, content, mode: the exporter, its pools, its service
    and timer), packages to install, units that must run (the timer, and
    node_exporter when installed here), and textfile_dir."""
    s = _settings(settings)
    with open(_SOURCE, encoding="utf-8") as fh:
        script = fh.read()
    node = s.get("node_exporter") or {}
    install = bool(s.get("install_node_exporter"))
    return {
        "files": [
            {"path": SCRIPT, "content": script, "mode": "0755"},
            {"path": POOLS, "content": json.dumps(s["pools"], indent=2, sort_keys=True) + "\n", "mode": "0644"},
            {"path": "%s/%s" % (UNIT_DIR, SERVICE), "content": _service(s), "mode": "0644"},
            {"path": "%s/%s" % (UNIT_DIR, TIMER), "content": _timer(s), "mode": "0644"},
        ],
        "packages": [node["package"]] if install else [],
        "running": [TIMER] + ([node["service"]] if install else []),
        "textfile_dir": s["textfile_dir"],
    }
