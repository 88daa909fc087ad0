# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pools of a pair from its description, and the pair's health from both
peers' counts (the dhcp_pool_status module's results).

pool_plan():   description -> every pool with its ranges and who serves it;
peer_pools():  the pools one peer leases from (what the module counts);
pair_report(): both peers' counts side by side, and flags, each with its fix.

dhcpd's behaviour the flags rest on (ISC DHCP 4.4, server/failover.c and
server/dhcp.c): in a failover pool the primary hands out ``free`` leases and
the secondary ``backup`` ones; a peer with none of its own logs "peer holds
all free leases" and leaves new clients unanswered; pool balancing moves
free leases between the two only while the pair is in normal state, at most
every max-balance seconds (3600 by default) once one holds more than
max-lease-misbalance percent (15) above an even split; and a partner whose
clock is more than 60 s apart is refused ("time offset too large").
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._model import parse_model

# What a failover state that is not normal means, and what to do.
_STATE_FIX = {
    "communications-interrupted": "the peers do not reach each other on the failover port: check the link, the firewall"
                                  " (647/tcp and 847/tcp) and that dhcpd runs on both; each peer serves its own share only",
    "partner-down": "this peer serves the whole pool alone; once the partner is back it recovers the database and the"
                    " pair returns to normal",
    "recover": "the peer is taking its partner's database after an outage; it serves nobody until it is done",
    "recover-wait": "the peer waits one MCLT before serving after its recovery",
    "recover-done": "the peer finished recovering and waits for its partner to go to normal",
    "potential-conflict": "the peers served apart and now compare their databases; it clears by itself",
    "conflict-done": "the database conflict was resolved; the pair returns to normal",
    "startup": "dhcpd has just started",
    "shut-down": "dhcpd on the partner was stopped",
    "paused": "dhcpd on the partner is being restarted",
}


# Kea HA (the HA hook's state machine, Kea Administrator Reference Manual,
# "Load-Balancing Configuration" and "Server States"): what a state other
# than the mode's own means, and what to do.
_KEA_STATE_FIX = {
    "partner-down": "this server serves every client alone; the partner's Kea is stopped or unreachable on the HA port"
                    " (check it runs, the firewall and the HA channel's credentials); once it is back the pair syncs and"
                    " returns to its mode",
    "waiting": "the server waits for its partner to answer on the HA port before it serves",
    "syncing": "the server is fetching its partner's leases; it serves nobody until it is done",
    "ready": "the server synced its leases and waits for its partner to go to the mode's state",
    "terminated": "HA stopped for good: the servers' clocks are more than 60 s apart. Fix the clocks (chrony), then"
                  " restart both servers",
    "in-maintenance": "the server was put in maintenance (ha-maintenance-start): its partner serves every client;"
                      " ha-maintenance-cancel ends it",
    "partner-in-maintenance": "the partner is in maintenance and this server serves every client",
    "communication-recovery": "the servers lost touch and each serves its own share, keeping its lease updates for"
                              " the other",
}


def pool_plan(description: Mapping[str, Any], hosts: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """Every pool of the description: ``id`` (its variable path), ``subnet``,
    ``ranges``, ``size``, ``failover``, ``served_by`` (both, primary,
    secondary, or standalone without failover) and ``pxe_only``."""
    model = parse_model(dict(description), dict(hosts) if hosts is not None else None)
    fo = model.failover
    pools = []
    for network in model.shared_networks:
        for subnet in network.subnets:
            for pool in subnet.pools:
                pools.append({
                    "id": pool.path,
                    "subnet": str(subnet.network),
                    "shared_network": network.name,
                    "ranges": [[str(a), str(b)] for a, b in pool.ranges],
                    "size": pool.size(),
                    "failover": pool.failover,
                    "served_by": "both" if pool.failover else (pool.served_by if fo is not None else "standalone"),
                    "pxe_only": pool.pxe_only,
                })
                if pool.failover and fo is not None:
                    first, second = pool.halves()
                    pools[-1]["halves"] = {"primary": [[str(a), str(b)] for a, b in first],
                                           "secondary": [[str(a), str(b)] for a, b in second]}
    return {"failover": fo.name if fo is not None else None, "pools": pools}


def peer_pools(plan: Mapping[str, Any], role: str) -> List[Dict[str, Any]]:
    """The pools ``role`` (primary, secondary or standalone) leases from."""
    return [p for p in plan["pools"] if p["served_by"] in ("both", "standalone", role)]


def _percent(ratio):
    return "%.0f%%" % (100 * ratio)


def pair_report(plan: Mapping[str, Any], peers: Mapping[str, Mapping[str, Any]], threshold: float = 0.9,
                max_skew: int = 30) -> Dict[str, Any]:
    """Both peers' counts per pool, and the flags.

    ``peers``: role (primary, secondary, standalone) -> {"host": name,
    "status": the module's result} (a peer that could not be read is left
    out or has no status). ``threshold``: the utilisation above which a pool
    is flagged. Returns {rows, flags, states, skew}."""
    seen = {role: p for role, p in peers.items() if p.get("status")}
    counted = {role: {row["id"]: row for row in p["status"]["pools"]} for role, p in seen.items()}
    rows, flags = [], []
    for pool in plan["pools"]:
        per_peer = {role: counted[role][pool["id"]] for role in seen if pool["id"] in counted[role]}
        rows.append(dict(pool, peers=per_peer))
        if not per_peer:
            continue
        used = max(c["used"] for c in per_peer.values())
        if pool["size"] and float(used) / pool["size"] > threshold:
            flags.append(_flag("utilisation", pool, "%s of %d addresses in use (%s), above %s: new clients soon get no address" % (
                used, pool["size"], _percent(float(used) / pool["size"]), _percent(threshold)),
                "widen the range, add a pool to the subnet, or shorten the lease times"))
        flags.extend(_one_sided(pool, per_peer, seen))
    states = {role: p["status"].get("failover") for role, p in seen.items()}
    flags.extend(_not_normal(plan, states, seen))
    skew = _skew(seen)
    if skew is not None and abs(skew) > max_skew:
        flags.append({"kind": "clock_skew", "pool": None,
                      "message": "the peers' clocks are %d s apart (more than %d s); dhcpd refuses a partner more than 60 s"
                                 " apart ('time offset too large')" % (abs(skew), max_skew),
                      "fix": "run NTP (chrony) on both peers"})
    return {"failover": plan["failover"], "rows": rows, "flags": flags, "states": states, "skew": skew,
            "backends": {role: p["status"].get("backend", "isc") for role, p in seen.items()},
            "hosts": {role: p.get("host") for role, p in peers.items()}}


def _flag(kind, pool, message, fix):
    return {"kind": kind, "pool": pool["id"], "message": "%s (%s, %s): %s" % (
        pool["id"], pool["subnet"], ", ".join("%s-%s" % tuple(r) for r in pool["ranges"]), message), "fix": fix}


def _one_sided(pool, per_peer, seen):
    """A peer with no free address of its own in a failover pool while its partner has some."""
    out = []
    for role, c in sorted(per_peer.items()):
        if not (pool["failover"] and c["own_free"] == 0 and c["partner_free"] > 0):
            continue
        if seen[role]["status"].get("backend") == "kea":
            out.append(_flag(
                "free_on_one_peer", pool,
                "%s (the %s) has no free address left in its half of the pool while its partner's half holds %d: Kea there"
                " logs ALLOC_ENGINE_V4_ALLOC_FAIL_CLASSES and the new clients the load balancing gives it get no address"
                % (seen[role].get("host"), role, c["partner_free"]),
                "in load-balancing each server gives new addresses from its own half of each range only, and the halves"
                " never move: widen the range (both halves grow), shorten the lease times, or use kea_ha_mode hot-standby"
                " (one server, the pool whole)"))
        else:
            out.append(_flag(
                "free_on_one_peer", pool,
                "%s (the %s) has no free address of its own while its partner holds all %d: dhcpd there logs 'peer holds"
                " all free leases' and clients that reach only it get no address" % (seen[role].get("host"), role, c["partner_free"]),
                "pool balancing moves free leases to it only while both peers are in normal state, at most every"
                " max-balance seconds (3600 by default): bring the pair back to normal (playbooks/failover_state.yml), and"
                " for a quicker balance set dhcpd_failover.max_balance lower"))
    return out


def _not_normal(plan, states, seen):
    out = []
    if not plan["failover"]:
        return out
    for role, state in sorted(states.items()):
        host = seen[role].get("host")
        if state and "healthy" in state:
            out.extend(_kea_not_healthy(host, role, state))
            continue
        if not state or not state.get("found"):
            out.append({"kind": "failover", "pool": None,
                        "message": "%s (the %s) has no state of failover %s in its lease file" % (host, role, plan["failover"]),
                        "fix": "dhcpd has not run there with this relationship yet: run site.yml, then check journalctl -u the dhcpd unit"})
            continue
        for who in ("my", "partner"):
            value = state.get("%s_state" % who)
            if value != "normal":
                out.append({"kind": "failover", "pool": None,
                            "message": "%s (the %s): %s state is %s, not normal" % (
                                host, role, "its" if who == "my" else "its partner's", value),
                            "fix": _STATE_FIX.get(value, "see dhcpd's log on both peers")})
    return out


def _kea_not_healthy(host, role, state):
    """A Kea server whose HA state is not its mode's, or that lost touch with its partner."""
    if state.get("healthy"):
        return []
    if not state.get("found"):
        return [{"kind": "failover", "pool": None,
                 "message": "%s (the %s): kea-dhcp4 gave no HA state (status-get)%s" % (
                     host, role, ": " + state["error"] if state.get("error") else ""),
                 "fix": "Kea is not running there or runs without its HA hook: run site.yml, then check journalctl -u the"
                        " kea-dhcp4 unit"}]
    mine, theirs = state.get("my_state"), state.get("partner_state")
    if mine not in ("load-balancing", "hot-standby", "backup", "passive-backup"):
        return [{"kind": "failover", "pool": None,
                 "message": "%s (the %s): its HA state is %s, not %s" % (host, role, mine, state.get("mode") or "the mode's own"),
                 "fix": _KEA_STATE_FIX.get(mine, "see kea-dhcp4's log on both servers")}]
    return [{"kind": "failover", "pool": None,
             "message": "%s (the %s): its partner is %s (last state %s)" % (
                 host, role, "in touch" if state.get("partner_in_touch") else "not in touch", theirs),
             "fix": _KEA_STATE_FIX.get(theirs, "the partner's Kea does not answer on the HA port: check it runs, and the firewall")}]


def _skew(seen):
    """Seconds the primary's clock is ahead of the secondary's, or None."""
    nows = [(seen.get(role) or {}).get("status", {}).get("now") for role in ("primary", "secondary")]
    if None in nows:
        return None
    return int(round(nows[0] - nows[1]))


def _cell(c, backend="isc"):
    """One peer's figures for a pool: utilisation, then each count (Kea:
    declined, and what is free in its own half and its partner's)."""
    if c is None:
        return "-"
    if backend == "kea":
        return "%s used: active %d, declined %d; free: own %d, partner's %d" % (
            _percent(c["utilisation"]), c["active"], c["abandoned"], c["own_free"], c["partner_free"])
    return "%s used: active %d, free %d, backup %d, abandoned %d; own %d" % (
        _percent(c["utilisation"]), c["active"], c["free"], c["backup"], c["abandoned"], c["own_free"])


def report_text(report: Mapping[str, Any]) -> List[str]:
    """The report as lines of a table, then the flags."""
    roles = [r for r in ("primary", "secondary", "standalone") if r in report["hosts"]]
    labels = ["%s %s %s" % (row["id"], row["subnet"], ",".join("%s-%s" % tuple(r) for r in row["ranges"])) for row in report["rows"]]
    backends = report.get("backends", {})
    cells = [[_cell(row["peers"].get(r), backends.get(r, "isc")) for r in roles] for row in report["rows"]]
    heads = ["%s %s" % (r, report["hosts"][r]) for r in roles]
    width = max([len("pool subnet ranges")] + [len(x) for x in labels]) + 2
    cell_width = max([len(x) for x in heads] + [len(x) for row in cells for x in row]) + 2
    head = "pool subnet ranges".ljust(width) + "".join(h.ljust(cell_width) for h in heads)
    lines = [head.rstrip(), "-" * len(head.rstrip())]
    lines.extend((label.ljust(width) + "".join(c.ljust(cell_width) for c in row)).rstrip() for label, row in zip(labels, cells))
    for r in roles:
        st = report["states"].get(r) or {}
        if st.get("found"):
            lines.append("failover %s on %s: my state %s, partner state %s" % (
                report["failover"], report["hosts"][r], st.get("my_state"), st.get("partner_state")))
    if report["skew"] is not None:
        lines.append("clock difference between the peers: %d s" % report["skew"])
    lines.extend("FLAG %s: %s. Fix: %s" % (f["kind"], f["message"], f["fix"]) for f in report["flags"])
    if not report["flags"]:
        lines.append("no flag")
    return lines
