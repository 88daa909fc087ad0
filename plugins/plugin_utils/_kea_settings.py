# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kea settings a rendering takes besides the description (the kea
role's ``kea_*`` variables): their defaults, the files the HA channel's
credentials and certificates live in, and the refusal of a bad value.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import re

from ._model import ModelError

HA_MODES = ("load-balancing", "hot-standby")
# The HA heartbeat unless kea_ha_heartbeat_delay is set: one second. After a
# restarted server has synced its leases, its partner (alone in
# partner-down) answers no client until its own next heartbeat finds the
# restarted server ready: Kea holds it so that it hands out no lease the
# other server would not learn of (HAService::processSyncCompleteNotify in
# src/hooks/dhcp/high_availability/ha_service.cc, Kea 2.2 and 2.6). So the
# heartbeat bounds the silence of every restart; Kea's own default (10 s)
# would leave clients unanswered past their first retransmission (4 s).
DEFAULT_HEARTBEAT_MS = 1000
TRANSPORTS = ("agent", "dedicated")
DEFAULT_SETTINGS = {
    "version": "2.2.0",
    "mode": "load-balancing",
    "transport": None,  # agent below Kea 3.0 (whose Control Agent is going away), dedicated from 3.0
    "hooks_path": "/usr/lib/x86_64-linux-gnu/kea/hooks",
    "interfaces": ["*"],
    "http_port": 8000,
    "control_socket": "/run/kea/kea4-ctrl-socket",
    "lease_file": "/var/lib/kea/kea-leases4.csv",
    "max_unacked_clients": 10,
    # HA timers the description has no word for: the heartbeat (seconds;
    # None: DEFAULT_HEARTBEAT_MS) and how many lease
    # updates a load-balancing server keeps for its partner while they cannot
    # talk (communication-recovery) before a full sync is needed afterwards
    # (Kea's own load-balancing default, 100; 0: never, hot-standby: never).
    "heartbeat_delay": None,
    "delayed_updates_limit": 100,
    # HTTP basic authentication of the HA channel (Control Agent transport):
    # the user name; the password never passes through here. Each peer entry
    # names the user and AUTH_PASSWORD_MARK, which the role replaces with an
    # include of an owner-only file holding the password (Kea reads
    # <?include "file"?> anywhere in its JSON), and the Control Agent reads
    # the same password from AUTH_PASSWORD_FILE in config_dir.
    "auth_user": None,
    # TLS on the HA channel (Kea ARM, "TLS/HTTPS Support"): https peer URLs,
    # each server a TLS client of its partner with its own certificate, and
    # the listener (Control Agent or dedicated) asking for a client
    # certificate signed by the pair's CA. The PEM files are TLS_FILES in
    # config_dir, written by the role; only their names pass through here.
    "tls": False,
    "config_dir": "/etc/kea",
    # kea-dhcp-ddns (D2), where dhcpd_ddns asks for DNS updates: the UDP port
    # it takes name change requests on (127.0.0.1) and its control socket.
    "d2_port": 53001,
    "d2_control_socket": "/run/kea/kea-ddns-ctrl-socket",
}
# dhcp4: kea-dhcp4's configuration; ctrl_agent: the Control Agent's; d2:
# kea-dhcp-ddns's ({} without DDNS); d2_keys: the text of its owner-only
# TSIG key file ('' without keys); ddns: whether kea-dhcp-ddns runs.
PARTS = ("dhcp4", "ctrl_agent", "d2", "d2_keys", "ddns")
AUTH_PASSWORD_MARK = "netboot:include-ha-password"
AUTH_INCLUDE_FILE = "netboot-ha-auth.json"
# The Control Agent's password file has the name the packages give it: Debian
# 13's kea-ctrl-agent unit starts only where /etc/kea/kea-api-password is not
# empty (ConditionFileNotEmpty), and the packaged kea-ctrl-agent.conf of
# Debian and Fedora reads it. (1.6.0 named it netboot-ha-password; the kea
# role removes that file, OLD_AUTH_PASSWORD_FILE.)
AUTH_PASSWORD_FILE = "kea-api-password"
OLD_AUTH_PASSWORD_FILE = "netboot-ha-password"
AUTH_REALM = "kea-ha"
TLS_FILES = {"trust-anchor": "netboot-ha-ca.pem", "cert-file": "netboot-ha-cert.pem", "key-file": "netboot-ha-key.pem"}


def version_tuple(text):
    m = re.match(r"^\s*(\d+)\.(\d+)(?:\.(\d+))?", str(text))
    if not m:
        raise ModelError([("(settings).version", "%r is not a Kea version such as 2.2.0" % (text,))])
    return tuple(int(x or 0) for x in m.groups())


def _choice_problems(out):
    problems = []
    if out["mode"] not in HA_MODES:
        problems.append(("kea_ha_mode", "%r is not a Kea HA mode the collection sets up: use load-balancing or hot-standby" % (out["mode"],)))
    if out["transport"] not in (None,) + TRANSPORTS:
        problems.append(("kea_ha_transport", "%r: use agent (the Kea Control Agent) or dedicated (the HA hook's own listener)" % (out["transport"],)))
    if out["auth_user"] is not None and (not isinstance(out["auth_user"], str) or not re.match(r"^[A-Za-z0-9._-]{1,64}$", out["auth_user"])):
        problems.append(("kea_ha_auth_user", "%r: use letters, digits, '.', '_' or '-' (HTTP basic authentication forbids ':')" % (out["auth_user"],)))
    if not isinstance(out["tls"], bool):
        problems.append(("kea_ha_tls_cert", "%r: the tls setting is true or false" % (out["tls"],)))
    if isinstance(out["interfaces"], str):
        out["interfaces"] = [out["interfaces"]]
    if not isinstance(out["interfaces"], list) or not out["interfaces"]:
        problems.append(("kea_interfaces", "must be a list of interface names"))
    return problems


def _number_problems(out):
    problems = []
    try:
        out["http_port"] = int(out["http_port"])
        out["max_unacked_clients"] = int(out["max_unacked_clients"])
        out["d2_port"] = int(out["d2_port"])
    except (TypeError, ValueError):
        problems.append(("kea_ha_http_port", "the port and max_unacked_clients must be whole numbers"))
    for key, low in (("heartbeat_delay", 1), ("delayed_updates_limit", 0)):
        value = out[key]
        if value is None:
            continue
        try:
            out[key] = int(value)
            if out[key] < low or isinstance(value, bool):
                raise ValueError(value)
        except (TypeError, ValueError):
            problems.append(("kea_ha_%s" % key, "%r: a whole number, at least %d" % (value, low)))
    return problems


def read_settings(settings):
    """The settings with their defaults, numbers as numbers; ModelError names each bad one."""
    problems = []
    out = dict(DEFAULT_SETTINGS)
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        raise ModelError([("(settings)", "must be a mapping of Kea settings")])
    for key, value in settings.items():
        if key not in DEFAULT_SETTINGS:
            problems.append(("(settings).%s" % key, "unknown Kea setting; known: %s" % ", ".join(sorted(DEFAULT_SETTINGS))))
        elif value is not None and value != "":
            out[key] = value
    problems += _choice_problems(out) + _number_problems(out)
    if problems:
        raise ModelError(problems)
    version_tuple(out["version"])
    return out
