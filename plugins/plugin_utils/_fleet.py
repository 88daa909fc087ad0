# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The failover pair as a unit of a fleet.

Private to this collection; may change without notice.

Plain Python, no Ansible. One inventory may hold many sites, each with its
own failover pair (or Kea HA pair) described in the group_vars of a group
that holds both peers. Everything that belongs to a pair is worked out here,
once per host, from that host's own variables:

``peer_context()``   one DHCP host's view of its pair: its role by group and
                     by description, the partner, the backend, the failover
                     addresses, a digest of the description (and of each of
                     its parts, to name the first that differs), the subnets
                     and pools, and every problem that needs no other host;
``fleet_check()``    the contexts of every DHCP host of a run together: the
                     two peers of a pair read the same description and the
                     same backend, every host named as a peer is in the
                     inventory and in the matching group, no host is in two
                     pairs; warnings for networks and pools that two pairs
                     share;
``host_problems()``  what only the host can tell (its addresses, from the
                     pre-flight's one read): the failover address is one of
                     its own, and a subnet is declared for an address it
                     listens on.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os

import yaml  # PyYAML, a dependency of ansible-core

from ._model import TOP_KEYS, did_you_mean

__all__ = ["BACKENDS", "peer_context", "fleet_check", "host_problems", "known_variables", "split_variables", "tftp_holds"]

BACKENDS = ("isc", "kea")

# Facts the roles return (the run-wide dhcp_* variables are documented in
# the common role's "playbooks" entry point).
_EXTRA_KNOWN = ("kea_ha_state", "dhcp_peer", "dhcp_pairs", "dhcp_outcome")

# The variable families checked for misspellings, and the roles whose
# argument specs list their names.
_FAMILIES = {"dhcp_": ("common",), "kea_": ("kea",), "tftp_server_": ("tftp_server",)}
# (dhcpd_* names are the renderer's to check: it names any it does not know.)

_ROLES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "roles")


def _spec_names(role):
    """Every option name of every entry point of ROLE's meta/argument_specs.yml."""
    path = os.path.join(_ROLES_DIR, role, "meta", "argument_specs.yml")
    try:
        with open(path) as fh:
            specs = yaml.safe_load(fh) or {}
    except (OSError, yaml.YAMLError):
        return set()
    names = set()
    for entry in (specs.get("argument_specs") or {}).values():
        names.update((entry or {}).get("options") or {})
    return names


_KNOWN_CACHE = {}


def known_variables():
    """The dhcp_*, kea_* and tftp_server_* names the collection reads, from the roles' argument specs."""
    if not _KNOWN_CACHE:
        for prefix, roles in _FAMILIES.items():
            names = set(name for name in _EXTRA_KNOWN if name.startswith(prefix))
            for role in roles:
                names.update(name for name in _spec_names(role) if name.startswith(prefix))
            _KNOWN_CACHE[prefix] = sorted(names)
    return _KNOWN_CACHE


def _digest(value):
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _part_digests(description):
    """Variable name -> (digest of the whole value, {item: digest}) for lists and mappings."""
    out = {}
    for key in sorted(description):
        value = description[key]
        if isinstance(value, dict):
            items = {"[%s]" % json.dumps(str(k)): _digest(v) for k, v in value.items()}
        elif isinstance(value, list):
            items = {"[%d]" % i: _digest(v) for i, v in enumerate(value)}
        else:
            items = {}
        out[key] = {"all": _digest(value), "items": items}
    return out


def _networks(description):
    """Every subnet and pool range the description declares, as strings (unreadable ones skipped)."""
    subnets, pools = [], []
    plain = description.get("dhcpd_subnets") if isinstance(description.get("dhcpd_subnets"), list) else []
    shared = description.get("dhcpd_shared_networks") if isinstance(description.get("dhcpd_shared_networks"), list) else []
    raw_subnets = list(plain)
    for sn in shared:
        if isinstance(sn, dict) and isinstance(sn.get("subnets"), list):
            raw_subnets.extend(sn["subnets"])
    for sub in raw_subnets:
        if not isinstance(sub, dict):
            continue
        try:
            subnets.append(str(ipaddress.IPv4Network(str(sub.get("network")), strict=False)))
        except ValueError:
            continue
        for pool in sub.get("pools") or []:
            rng = pool.get("range") if isinstance(pool, dict) else None
            for one in rng if isinstance(rng, list) else [rng]:
                parts = str(one).split() if one else []
                if len(parts) == 2:
                    try:
                        pools.append([str(ipaddress.IPv4Address(parts[0])), str(ipaddress.IPv4Address(parts[1]))])
                    except ValueError:
                        continue
    return subnets, pools


def _settings():
    """The dhcpd_* variables that are settings of the dhcpd role, not the network description."""
    return (_spec_names("dhcpd") | {"dhcpd_failover_state"}) - set(TOP_KEYS)


def split_variables(variables):
    """A host's dhcp_*, dhcpd_*, kea_* and tftp_server_* variables -> (description, backend, other names).

    The description is every dhcpd_* variable but the dhcpd role's settings
    (as the roles read it: the renderer names any it does not know)."""
    settings = _settings()
    description = {k: v for k, v in variables.items() if k.startswith("dhcpd_") and k not in settings}
    others = sorted(k for k in variables if not k.startswith("dhcpd_"))
    return description, variables.get("dhcp_backend"), others


def _boot_files(value, path, out):
    """Every TFTP boot file a description hands out (boot_files mappings and
    boot_file strings in any scope), with the path that names it; URLs
    (HTTP boot, iPXE scripts) are not on a TFTP server and are left out."""
    if isinstance(value, dict):
        for key, item in value.items():
            where = "%s.%s" % (path, key) if path else str(key)
            if key == "boot_files" and isinstance(item, dict):
                for arch, name in item.items():
                    if isinstance(name, str) and name and "://" not in name:
                        out.append([name.lstrip("/"), "%s.%s" % (where, arch)])
            elif key == "boot_file" and isinstance(item, str) and item and "://" not in item:
                out.append([item.lstrip("/"), where])
            else:
                _boot_files(item, where, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _boot_files(item, "%s[%d]" % (path, i), out)
    return out


def _next_server(description):
    pxe = description.get("dhcpd_pxe") if isinstance(description.get("dhcpd_pxe"), dict) else {}
    value = pxe.get("next_server")
    return str(value) if value else ""


def tftp_os_values():
    """The tftp_server role's per-OS values (``__tftp_server_os`` of each vars/<OS>.yml)."""
    folder = os.path.join(_ROLES_DIR, "tftp_server", "vars")
    out = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".yml") and name != "main.yml":
            with open(os.path.join(folder, name)) as fh:
                out.append((yaml.safe_load(fh) or {}).get("__tftp_server_os") or {})
    return out


def tftp_holds(os_values_list, settings):
    """The files (relative to the TFTP root) that the tftp_server role puts on a
    host with these settings, whatever its OS: loaders, menus, the user's
    files and downloads that every supported OS's plan holds."""
    from ._tftp_plan import PlanError, tftp_plan

    held = None
    for values in os_values_list:
        try:
            plan = tftp_plan(values, settings)
        except PlanError:
            return set()
        names = {c["dest"] for c in plan["copies"]} | {m["dest"] for m in plan["menus"]}
        names |= {f.get("dest") for f in settings.get("files") or [] if isinstance(f, dict)}
        names |= {f.get("dest") for f in settings.get("downloads") or [] if isinstance(f, dict)}
        held = names if held is None else held & names
    return held or set()


def peer_context(host, groups, variables):
    """One DHCP host's view of its pair, from its own variables.

    ``host``: the inventory hostname; ``groups``: the groups it is in
    (``group_names``); ``variables``: its ``dhcp_*``, ``dhcpd_*``, ``kea_*``
    and ``tftp_server_*`` variables as a mapping.
    Returns a mapping of plain values (it becomes a host fact).
    """
    description, backend, names = split_variables(variables)
    group_role, problems = _group_role(host, groups)
    backend_value, found = _backend(host, backend)
    problems += found + _unknown_variables(host, names)
    failover = description.get("dhcpd_failover") if isinstance(description.get("dhcpd_failover"), dict) else {}
    peers = {}
    for role in ("primary", "secondary"):
        peer = failover.get(role) if isinstance(failover.get(role), dict) else {}
        peers[role] = {"host": str(peer.get("host", "")), "address": str(peer.get("address", ""))}
    named_role = ([""] + [role for role in ("primary", "secondary") if failover and peers[role]["host"] == host])[-1]
    other = "secondary" if named_role == "primary" else "primary"
    pair, partner = host, ""
    if failover:
        pair = "%s/%s" % (peers["primary"]["host"], peers["secondary"]["host"])
        partner = peers[other]["host"] if named_role else ""
        problems += _named_as(host, group_role, named_role, peers)
    subnets, pools = _networks(description)
    return {
        "host": host,
        "role": named_role or (group_role if failover else "standalone"),
        "group_role": group_role,
        "pair": pair,
        "failover_name": str(failover.get("name", "")) if failover else "",
        "primary": peers["primary"]["host"] if failover else "",
        "secondary": peers["secondary"]["host"] if failover else "",
        "partner": partner,
        "address": peers[named_role]["address"] if named_role else "",
        "partner_address": peers[other]["address"] if named_role else "",
        "backend": backend_value,
        # The dhcpd_* variables that make the description (the rest are role settings).
        "description_names": sorted(description),
        "digest": _digest(description),
        "parts": _part_digests(description),
        "subnets": subnets,
        "pools": pools,
        "boot_files": _boot_files(description, "", []),
        "next_server": _next_server(description),
        "problems": problems,
    }


def _group_role(host, groups):
    """The role the host's group gives it (primary, secondary or ''), and a problem if both do."""
    in_primary, in_secondary = "dhcpd_primary" in groups, "dhcpd_secondary" in groups
    problems = []
    if in_primary and in_secondary:
        problems.append(
            "%s is in both dhcpd_primary and dhcpd_secondary: a host is one peer of one pair; remove it from one of the groups" % host
        )
    return ("primary" if in_primary else "secondary" if in_secondary else ""), problems


def _backend(host, backend):
    """dhcp_backend as text (isc when unset), and a problem if it names none."""
    if backend is None:
        return "isc", []
    value = str(backend)
    if value in BACKENDS:
        return value, []
    return value, ["dhcp_backend: %r on %s is not a backend%s: set dhcp_backend to isc (ISC dhcpd, the default) or kea"
                   % (value, host, did_you_mean(value.lower(), BACKENDS))]


def _unknown_variables(host, names):
    known = known_variables()
    every = [c for family in known.values() for c in family]
    return ["%s: unknown variable on %s%s: the collection does not read it (docs/fleet.md lists them)" % (name, host, did_you_mean(name, every))
            for name in names if not any(name.startswith(prefix) and name in choices for prefix, choices in known.items())]


def _named_as(host, group_role, named_role, peers):
    """The description names this host as the peer its group says it is."""
    if group_role and named_role and group_role != named_role:
        return ["%s is in dhcpd_%s, but its dhcpd_failover names it as %s: move it to dhcpd_%s or fix dhcpd_failover.%s.host"
                % (host, group_role, named_role, named_role, group_role)]
    if not named_role:
        return ["%s is in dhcpd_%s, but its dhcpd_failover names %s as primary and %s as secondary: put the pair's description"
                " in the group_vars of a group that holds exactly its two peers, or fix dhcpd_failover.%s.host"
                % (host, group_role or "primary", peers["primary"]["host"] or "?", peers["secondary"]["host"] or "?", group_role or "primary")]
    return []


def _first_difference(a, b):
    """The first part (variable, then item) where two contexts' descriptions differ."""
    pa, pb = a["parts"], b["parts"]
    for key in sorted(set(pa) | set(pb)):
        if key not in pa or key not in pb:
            return key, "set on %s only" % (a["host"] if key in pa else b["host"])
        if pa[key]["all"] == pb[key]["all"]:
            continue
        ia, ib = pa[key]["items"], pb[key]["items"]
        for item in sorted(set(ia) | set(ib), key=lambda s: (len(s), s)):
            if ia.get(item) != ib.get(item):
                where = "" if item in ia and item in ib else " (on %s only)" % (a["host"] if item in ia else b["host"])
                return key + item, "differs" + where
        return key, "differs"
    return "", ""


def _overlap(r1, r2):
    lo1, hi1 = (int(ipaddress.IPv4Address(x)) for x in r1)
    lo2, hi2 = (int(ipaddress.IPv4Address(x)) for x in r2)
    return lo1 <= hi2 and lo2 <= hi1


def fleet_check(contexts, inventory_hosts, primaries, secondaries, run_hosts=None, tftp=None):
    """Check the pairs of a run together.

    ``contexts``: every DHCP host's ``peer_context()`` result in this run;
    ``inventory_hosts``: every host of the inventory; ``primaries`` and
    ``secondaries``: the members of dhcpd_primary and dhcpd_secondary;
    ``run_hosts``: the hosts of this run (default: those with a context);
    ``tftp``: each TFTP server's name -> {address, holds: the files it will
    hold} (``tftp_holds()``); with it, boot files no TFTP server of the pair
    holds are warned about.
    Returns ``{errors, warnings, pairs}``; ``pairs`` lists each pair (or
    standalone server) with its hosts and backend, in inventory order.
    """
    run = set(run_hosts) if run_hosts is not None else {c["host"] for c in contexts}
    errors = [problem for c in contexts for problem in c["problems"]]
    errors += _hosts_in_two_pairs(contexts)
    warnings = []
    pairs = {}
    for c in contexts:
        pairs.setdefault(c["pair"], []).append(c)
    out_pairs = []
    for pair, members in pairs.items():
        first = members[0]
        if first["primary"]:
            found, noted = _pair_groups(pair, members, set(inventory_hosts), primaries, secondaries, run)
            errors += found + _pair_agrees(pair, members)
            warnings += noted
        out_pairs.append({
            "pair": pair,
            "name": first["failover_name"],
            "primary": first["primary"] or first["host"],
            "secondary": first["secondary"],
            "backend": first["backend"],
            "hosts": sorted(m["host"] for m in members),
        })
    if tftp is not None:
        warnings.extend(_boot_file_warnings(pairs, tftp))
    warnings += _shared_addresses([members[0] for members in pairs.values()])
    return {"errors": errors, "warnings": warnings, "pairs": out_pairs}


def _hosts_in_two_pairs(contexts):
    """Who names whom: a host named as a peer in two different pairs."""
    errors, named_in = [], {}
    for c in contexts:
        if not c["primary"]:
            continue
        for role in ("primary", "secondary"):
            named_in.setdefault(c[role], {}).setdefault(c["pair"], []).append(c["host"])
    for host, pairs in sorted(named_in.items()):
        if len(pairs) > 1:
            said = "; ".join("%s (the description of %s)" % (p, ", ".join(sorted(by))) for p, by in sorted(pairs.items()))
            errors.append(
                "%s is named as a peer of %d pairs: %s. A host is a peer of one pair: give each pair its own dhcpd_failover in the"
                " group_vars of a group holding just its two peers" % (host, len(pairs), said)
            )
    return errors


def _pair_groups(pair, members, inventory, primaries, secondaries, run):
    """Each peer the pair names is in the inventory, in its group and in the run: (errors, warnings)."""
    errors, warnings = [], []
    first = members[0]
    for role, group in (("primary", primaries), ("secondary", secondaries)):
        named = first[role]
        if not named:
            continue
        if named not in inventory:
            errors.append(
                "dhcpd_failover.%s.host of %s names %r, which is not in the inventory: add it to dhcpd_%s or fix the name"
                % (role, ", ".join(sorted(m["host"] for m in members)), named, role)
            )
        elif named not in group:
            errors.append(
                "%s is the %s of pair %s (dhcpd_failover.%s.host), but is not in dhcpd_%s: add it to that group (a pair"
                " half in its groups is half deployed)" % (named, role, pair, role, role)
            )
        elif named not in run:
            warnings.append(
                "%s, the %s of pair %s, is not part of this run (--limit?): only its partner is checked and changed;"
                " run both peers together to keep their configurations equal" % (named, role, pair)
            )
    return errors, warnings


def _pair_agrees(pair, members):
    """The peers of a pair read the same description and the same backend."""
    errors = []
    for a in members:
        for b in members:
            if a["host"] >= b["host"]:
                continue
            if a["digest"] != b["digest"]:
                where, how = _first_difference(a, b)
                errors.append(
                    "%s and %s, the two peers of pair %s, read different descriptions (first difference: %s %s): put the"
                    " pair's dhcpd_* variables in the group_vars of a group that holds both peers, not in host_vars"
                    % (a["host"], b["host"], pair, where, how)
                )
            if a["backend"] != b["backend"]:
                errors.append(
                    "%s and %s, the two peers of pair %s, have different dhcp_backend values (%s, %s): set the same"
                    " backend for both peers, in their pair's group_vars" % (a["host"], b["host"], pair, a["backend"], b["backend"])
                )
    return errors


def _shared_addresses(reps):
    """Two pairs that hand out the same addresses: a warning, since separate
    sites may reuse ranges in separate routing domains (VRFs)."""
    warnings = []
    for i, a in enumerate(reps):
        for b in reps[i + 1:]:
            same = sorted(set(a["subnets"]) & set(b["subnets"]))
            if same:
                warnings.append(
                    "pairs %s and %s both declare %s: fine where the sites are separate routing domains (VRFs), else give"
                    " each site its own subnets" % (a["pair"], b["pair"], ", ".join(same))
                )
            warnings += [
                "pairs %s and %s have overlapping pools (%s and %s): both would lease the same addresses unless"
                " the sites are separate routing domains" % (a["pair"], b["pair"], " ".join(r1), " ".join(r2))
                for r1 in a["pools"] for r2 in b["pools"] if _overlap(r1, r2)
            ]
    return warnings


def _boot_file_warnings(pairs, tftp):
    """Boot files a pair hands out that the TFTP servers it sends clients to will not hold."""
    warnings = []
    by_address = {str(t.get("address")): name for name, t in tftp.items()}
    for pair, members in pairs.items():
        first = members[0]
        if not first["boot_files"]:
            continue
        nxt = first["next_server"]
        if nxt == "self":
            servers = [m["host"] for m in members] if not first["primary"] else [first["primary"], first["secondary"]]
        elif nxt in tftp:
            servers = [nxt]
        elif nxt in by_address:
            servers = [by_address[nxt]]
        else:
            continue  # an external TFTP server, or none named: nothing to compare with
        for name, where in first["boot_files"]:
            lacking = [srv for srv in servers if srv not in tftp or name not in tftp[srv]["holds"]]
            if lacking:
                warnings.append(
                    "pair %s hands out %s (%s), which %s will not hold (next_server %s): add it to tftp_server_files there, or"
                    " fix the boot file" % (pair, name, where, ", ".join(lacking) if all(s in tftp for s in lacking) else
                                            ", ".join(lacking) + " (not in tftp_servers)", nxt))
    return warnings


def host_problems(context, addresses, listen):
    """What the host itself shows: ``addresses`` maps each interface to its
    IPv4 ``ADDRESS/PREFIX`` list (host_state), ``listen`` the interfaces the
    server will listen on. Returns a list of problems."""
    problems = []
    mine = []
    for iface, addrs in (addresses or {}).items():
        for a in addrs or []:
            try:
                mine.append((iface, ipaddress.IPv4Interface(str(a))))
            except ValueError:
                continue
    if not mine:
        return problems
    host = context["host"]
    if context.get("address"):
        try:
            want = ipaddress.IPv4Address(context["address"])
        except ValueError:
            want = None
        if want is not None and all(a.ip != want for dummy, a in mine):
            problems.append(
                "dhcpd_failover.%s.address is %s, which is not an address of %s (it has %s): the peer could not listen there"
                " ('Can't bind to failover address: Cannot assign requested address'): set the address the host has on the"
                " network its partner reaches" % (context["role"], want, host, ", ".join(sorted(str(a.ip) for dummy, a in mine)))
            )
    have = sorted(set(i for i, dummy in mine))
    # (Kea also takes INTERFACE/ADDRESS and '*'.)
    missing = [i for i in listen or [] if str(i).split("/", maxsplit=1)[0] not in have and i != "*"]
    if missing:
        problems.append(
            "dhcpd_interfaces names %s, where %s has no IPv4 address (its interfaces with one: %s): the server could not"
            " answer there; name an interface of the host, or leave dhcpd_interfaces unset for the default route's"
            % (", ".join(missing), host, ", ".join(have))
        )
    if context.get("subnets"):
        declared = [ipaddress.IPv4Network(s) for s in context["subnets"]]
        listening = [(i, a) for i, a in mine if not listen or i in listen]
        if listening and not any(a.ip in net for dummy, a in listening for net in declared):
            problems.append(
                "%s listens on %s, but no subnet in dhcpd_subnets or dhcpd_shared_networks holds its address there (%s): dhcpd"
                " exits at start ('No subnet declaration for ...'): declare that subnet (with no pool if it serves no client)"
                " or set dhcpd_interfaces" % (host, ", ".join(sorted(set(i for i, dummy in listening))), ", ".join(sorted(str(a) for dummy, a in listening)))
            )
    return problems
