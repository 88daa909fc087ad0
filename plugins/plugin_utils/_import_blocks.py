# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The declarations of a dhcpd.conf (blocks and the statements that only
they take) read into the description: subnets, shared networks, pools,
hosts, groups, classes and subclasses, the failover peer, keys and zones.

Private to this collection; may change without notice.
"""

from __future__ import annotations

import ipaddress
from typing import Any, Dict, List, Tuple

from ._import_parse import Node, unquote
from ._import_read import _BUILTIN_MATCH, ConfReader, Scope, secret_variable

_HOLDERS = ("host", "subnet", "shared-network", "group", "class", "pool")


def _name(node: Node) -> str:
    return unquote(node.words[1]) if len(node.words) > 1 else ""


def subnet(r: ConfReader, scope: Scope, node: Node) -> None:
    words = node.words
    try:
        if len(words) != 4 or words[2].lower() != "netmask":
            raise ValueError(node.text)
        network = ipaddress.IPv4Network("%s/%s" % (words[1], words[3]))
    except ValueError:
        r.note_all([node], "%r is not 'subnet ADDRESS netmask MASK' of an IPv4 network" % node.text)
        return
    if scope.kind == "shared-network":
        items, path = scope.data.setdefault("subnets", []), scope.path + ".subnets"
    elif scope.kind == "global":
        items, path = r.top.setdefault("dhcpd_subnets", []), "dhcpd_subnets"
    else:
        r.note_all([node], "a subnet inside a %s has no place in the description" % scope.kind)
        return
    data: Dict[str, Any] = {"network": str(network)}
    path = "%s[%d]" % (path, len(items))
    r.origin(path, node)
    items.append(data)
    r.scope_nodes(Scope("subnet", data, path), node.children)
    data.pop("__bare", None)


def shared_network(r: ConfReader, scope: Scope, node: Node) -> None:
    if scope.kind != "global":
        r.note_all([node], "a shared network is declared in the global scope")
        return
    items = r.top.setdefault("dhcpd_shared_networks", [])
    data: Dict[str, Any] = {"name": _name(node), "subnets": []}
    path = "dhcpd_shared_networks[%d]" % len(items)
    r.origin(path, node)
    items.append(data)
    r.scope_nodes(Scope("shared-network", data, path), node.children)


def pool(r: ConfReader, scope: Scope, node: Node) -> None:
    if scope.kind != "subnet":
        r.note_all([node], "the description keeps pools in their subnet; move the pool into the subnet its range is in")
        return
    pools = scope.data.setdefault("pools", [])
    data: Dict[str, Any] = {}
    path = "%s.pools[%d]" % (scope.path, len(pools))
    r.origin(path, node)
    pools.append(data)
    r.scope_nodes(Scope("pool", data, path), node.children)


def host(r: ConfReader, scope: Scope, node: Node, settings: List[Node] = ()) -> None:  # type: ignore[assignment]
    items = r.top.setdefault("dhcpd_hosts", [])
    data: Dict[str, Any] = {"name": _name(node)}
    path = "dhcpd_hosts[%d]" % len(items)
    r.origin(path, node)
    items.append(data)
    r.scope_nodes(Scope("host", data, path), list(settings) + list(node.children))


def group(r: ConfReader, scope: Scope, node: Node) -> None:
    """A group's settings go to each host in it; the description has no groups."""
    settings = [n for n in node.children if not (n.children is not None and n.keyword in _HOLDERS)]
    hosts = [n for n in node.children if n.children is not None and n.keyword == "host"]
    others = [n for n in node.children if n.children is not None and n.keyword in _HOLDERS and n.keyword != "host"]
    for child in hosts:
        host(r, scope, child, settings)
    if settings and (others or not hosts):
        r.note_all(settings, "a group's settings are written into each host of the group; the description has no groups for its other declarations")
    for child in others:
        BLOCKS[child.keyword](r, scope, child)


def klass(r: ConfReader, scope: Scope, node: Node) -> None:
    name = _name(node)
    match = [n for n in node.children if n.keyword == "match"]
    if name in _BUILTIN_MATCH and [n.text for n in match] == ["match if " + _BUILTIN_MATCH[name]]:
        _builtin_class(r, node)
        return
    if scope.kind != "global":
        r.note_all([node], "classes are declared in the global scope")
        return
    items = r.top.setdefault("dhcpd_classes", [])
    data: Dict[str, Any] = {"name": name}
    path = "dhcpd_classes[%d]" % len(items)
    r.origin(path, node)
    items.append(data)
    r.scope_nodes(Scope("class", data, path), node.children)


def _builtin_class(r: ConfReader, node: Node) -> None:
    """The collection's own "pxe" and "httpboot" classes: only the PXE lease time is the description's."""
    times = {n.keyword: n.words[-1] for n in node.children if n.keyword in ("default-lease-time", "max-lease-time")}
    rest = [n for n in node.children if n.keyword not in ("match", "default-lease-time", "max-lease-time")]
    if times and len(set(times.values())) == 1 and len(times) == 2 and _name(node) == "pxe":
        r.top.setdefault("dhcpd_pxe", {})["lease_time"] = int(times["default-lease-time"])
        r.origin("dhcpd_pxe.lease_time", node)
    elif times:
        rest += [n for n in node.children if n.keyword in times]
    r.note_all(rest, 'the collection declares the class "%s" itself; settings of it have no key' % _name(node))


def st_match(r: ConfReader, scope: Scope, node: Node) -> None:
    if scope.kind != "class":
        r.append(scope, "statements", node.text, node)
        return
    words = node.words[2:] if len(node.words) > 1 and node.words[1].lower() == "if" else node.words[1:]
    r.put(scope, "match", " ".join(words), node)


def st_spawn(r: ConfReader, scope: Scope, node: Node) -> None:
    if scope.kind != "class" or len(node.words) < 3 or node.words[1].lower() != "with":
        r.append(scope, "statements", node.text, node)
        return
    r.put(scope, "spawn_with", " ".join(node.words[2:]), node)


def subclass(r: ConfReader, scope: Scope, node: Node) -> None:
    if len(node.words) != 3:
        r.note_all([node], "a subclass is 'subclass \"CLASS\" VALUE'")
        return
    name = _name(node)
    classes = r.top.get("dhcpd_classes", [])
    found = [i for i, k in enumerate(classes) if k["name"] == name]
    if not found:
        r.note_all([node], "the class %r is not declared before its subclass" % name)
        return
    subs = classes[found[0]].setdefault("subclasses", [])
    data: Dict[str, Any] = {"match_value": unquote(node.words[2])}
    path = "dhcpd_classes[%d].subclasses[%d]" % (found[0], len(subs))
    r.origin(path, node)
    subs.append(data)
    if node.children:
        r.scope_nodes(Scope("subclass", data, path), node.children)


def failover(r: ConfReader, scope: Scope, node: Node) -> None:
    if scope.kind != "global" or len(node.words) != 3 or node.words[1].lower() != "peer":
        r.note_all([node], "a failover peer is declared once, in the global scope")
        return
    mine: Dict[str, Any] = {}
    peer: Dict[str, Any] = {}
    fo: Dict[str, Any] = {"name": unquote(node.words[2])}
    for child in node.children:
        if not _failover_statement(r, child, fo, mine, peer):
            r.note(child, "a failover statement the description has no key for")
    if r.role is None:
        r.note_all([node], "the failover peer says neither primary nor secondary")
        return
    other = "secondary" if r.role == "primary" else "primary"
    for role, side in ((r.role, mine), (other, peer)):
        fo[role] = {"host": r.hosts.get(role) or side.get("address"), "address": side.get("address")}
        if "port" in side:
            fo[role]["port"] = side["port"]
    r.origin("dhcpd_failover", node)
    r.top["dhcpd_failover"] = fo


def _failover_statement(r: ConfReader, child: Node, fo: Dict[str, Any], mine: Dict[str, Any], peer: Dict[str, Any]) -> bool:
    from ._import_read import _FAILOVER_INTS
    words = [w.lower() for w in child.words]
    if words in (["primary"], ["secondary"]):
        r.role = words[0]
    elif words[0] in ("address", "port") and len(words) == 2:
        mine[words[0]] = int(words[1]) if words[0] == "port" else child.words[1]
    elif words[0] == "peer" and len(words) == 3 and words[1] in ("address", "port"):
        peer[words[1]] = int(words[2]) if words[1] == "port" else child.words[2]
    elif words[:4] == ["load", "balance", "max", "seconds"] and len(words) == 5:
        fo["load_balance_max_seconds"] = int(words[4])
    elif words[0] in _FAILOVER_INTS and len(words) == 2 and words[1].isdigit():
        fo[_FAILOVER_INTS[words[0]]] = int(words[1])
    elif words[0] == "hba" and len(words) == 2:
        fo["hba"] = child.words[1]
    else:
        return False
    return True


def key(r: ConfReader, scope: Scope, node: Node) -> None:
    name = _name(node)
    data = {"name": name}
    for child in node.children:
        if child.keyword == "algorithm" and len(child.words) == 2:
            data["algorithm"] = child.words[1].rstrip(".")
        elif child.keyword != "secret":
            r.note(child, "a key takes an algorithm and a secret")
    r.keys[name] = data


def zone(r: ConfReader, scope: Scope, node: Node) -> None:
    data: Dict[str, Any] = {"name": _name(node).rstrip(".")}
    for child in node.children:
        if child.keyword in ("primary", "secondary", "key") and len(child.words) == 2:
            data[child.keyword] = unquote(child.words[1])
        else:
            r.note(child, "a zone takes a primary, a secondary and a key")
    zones = r.top.setdefault("dhcpd_ddns", {}).setdefault("zones", [])
    r.origin("dhcpd_ddns.zones[%d]" % len(zones), node)
    zones.append(data)


def finish_keys(r: ConfReader) -> None:
    """Keys become references to secrets the user vaults; pools get their last touches."""
    ddns = r.top.get("dhcpd_ddns") or {}
    wanted = [z["key"] for z in ddns.get("zones", []) if z.get("key")]
    omapi = r.top.get("dhcpd_omapi")
    if omapi is not None and r.omapi_key:
        omapi.update({"key_name": r.omapi_key, "key_secret": _secret(r, r.omapi_key)})
        if r.keys.get(r.omapi_key, {}).get("algorithm"):
            omapi["algorithm"] = r.keys[r.omapi_key]["algorithm"]
    for name in dict.fromkeys(wanted):
        item = dict(r.keys.get(name) or {"name": name})
        item["secret"] = _secret(r, name)
        ddns.setdefault("keys", []).append(item)
    for path, sub in _all_pools(r.top):
        _finish_pool(r, sub, path)


def _secret(r: ConfReader, name: str) -> str:
    variable = secret_variable(name)
    r.secrets.append({"key": name, "variable": variable})
    return "{{ %s }}" % variable


def _all_pools(top: Dict[str, Any]) -> List[Tuple[str, Dict[str, Any]]]:
    subnets = [("dhcpd_subnets[%d]" % i, s) for i, s in enumerate(top.get("dhcpd_subnets", []))]
    for j, sn in enumerate(top.get("dhcpd_shared_networks", [])):
        subnets += [("dhcpd_shared_networks[%d].subnets[%d]" % (j, i), s) for i, s in enumerate(sn.get("subnets", []))]
    return [("%s.pools[%d]" % (path, i), p) for path, s in subnets for i, p in enumerate(s.get("pools", []))]


def _finish_pool(r: ConfReader, data: Dict[str, Any], path: str) -> None:
    in_failover = data.pop("__failover", False)
    if not in_failover and "dhcpd_failover" in r.top:
        data["failover"] = False
    ranges = data.pop("ranges", [])
    if len(ranges) == 1:
        data["range"] = ranges[0]
        if path + ".ranges[0]" in r.origins:
            r.origins[path + ".range"] = r.origins.pop(path + ".ranges[0]")
    elif ranges:
        data["ranges"] = ranges


BLOCKS = {"subnet": subnet, "shared-network": shared_network, "pool": pool, "host": host, "group": group,
          "class": klass, "subclass": subclass, "failover": failover, "key": key, "zone": zone}
CLASS_STATEMENTS = {"match": st_match, "spawn": st_spawn}
