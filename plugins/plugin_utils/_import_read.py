# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One dhcpd.conf read into the variables of the network description.

Private to this collection; may change without notice.

:class:`ConfReader` walks the tree of :mod:`_import_parse` scope by scope.
Each statement goes to the key the description has for it (``options``,
lease times, pools, hosts, classes, the failover relationship, dynamic DNS,
boot settings through :mod:`_import_boot`); a statement the description
has no key for stays as it is, a raw statement of its scope. What cannot be
said at all is listed with its file, line and the reason, never dropped
without a word. Every key written remembers the line it came from
(``origins``), so that a check of the whole description can point back to
the file.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ._import_boot import NotBoot, chains, is_boot_chain, read_boot
from ._import_parse import ConfSyntaxError, Node, parse, split_commas, unquote
from ._model import OPTIONS

# Keys of the global scope, and of every other scope.
_GLOBAL = {"options": "dhcpd_options", "statements": "dhcpd_statements", "pxe": "dhcpd_pxe",
           "default_lease_time": "dhcpd_default_lease_time", "max_lease_time": "dhcpd_max_lease_time",
           "min_lease_time": "dhcpd_min_lease_time"}
_LEASES = {"default-lease-time": "default_lease_time", "max-lease-time": "max_lease_time", "min-lease-time": "min_lease_time"}
_DDNS = {"ddns-update-style": ("style", str), "ddns-updates": ("updates", bool), "update-static-leases": ("update_static_leases", bool),
         "ddns-domainname": ("domain_name", str), "ddns-rev-domainname": ("rev_domain_name", str)}
_FAILOVER_INTS = {"max-response-delay": "max_response_delay", "max-unacked-updates": "max_unacked_updates", "mclt": "mclt",
                  "split": "split", "auto-partner-down": "auto_partner_down", "max-lease-misbalance": "max_lease_misbalance",
                  "max-lease-ownership": "max_lease_ownership", "min-balance": "min_balance", "max-balance": "max_balance"}
_BOOT_WORDS = ("next-server", "filename", "if", "elsif", "else")
_SECRETS_FILE = "/etc/dhcp/dhcpd.secrets.conf"
_BUILTIN_MATCH = {
    "pxe": 'substring (option vendor-class-identifier, 0, 9) = "PXEClient"',
    "httpboot": 'substring (option vendor-class-identifier, 0, 10) = "HTTPClient"',
}
_NO_CONDITIONALS = ("the description has no conditional blocks other than the choice of a boot file: keep the block in a file the"
                    " description includes (dhcpd_includes)")


def secret_variable(name: str) -> str:
    """The variable a key's secret is read from: the user puts it in Vault."""
    return "vault_dhcpd_key_" + re.sub(r"[^0-9A-Za-z]+", "_", name).strip("_").lower()


def _bool(word: str) -> bool:
    return word.lower() in ("true", "on", "yes", "1")


class Scope:
    """Where statements go: the global scope (the ``dhcpd_*`` variables) or a mapping."""

    def __init__(self, kind: str, data: Dict[str, Any], path: str) -> None:
        self.kind, self.data, self.path = kind, data, path

    def key(self, name: str) -> str:
        return _GLOBAL[name] if self.kind == "global" else name

    def where(self, name: str) -> str:
        return _GLOBAL[name] if self.kind == "global" else "%s.%s" % (self.path, name)


class ConfReader:
    """Reads one peer's text (and, if given, the texts of its includes)."""

    def __init__(self, text: str, source: str = "dhcpd.conf", includes: Optional[Mapping[str, str]] = None,
                 hosts: Optional[Mapping[str, str]] = None) -> None:
        self.source, self.includes, self.hosts = source, dict(includes or {}), dict(hosts or {})
        self.top: Dict[str, Any] = {}
        self.unexpressed: List[Dict[str, Any]] = []
        self.not_read: List[str] = []
        self.origins: Dict[str, Tuple[str, int, str]] = {}
        self.role: Optional[str] = None
        self.secrets: List[Dict[str, str]] = []
        self.arch_names = frozenset(["pxe-system-type"])
        self.file = source
        self.omapi_key: Optional[str] = None
        self.keys: Dict[str, Dict[str, Any]] = {}
        self.tree = parse(text, source)

    # -- bookkeeping -------------------------------------------------------
    def note(self, node: Node, why: str) -> None:
        self.unexpressed.append({"file": self.file, "line": node.line, "statement": node.text, "why": why})

    def note_all(self, nodes: List[Node], why: str) -> None:
        for node in nodes:
            if node.children is None:
                self.note(node, why)
            else:
                self.note_all(node.children, why)

    def origin(self, path: str, node: Node) -> None:
        self.origins.setdefault(path, (self.file, node.line, node.text))

    def append(self, scope: Scope, name: str, value: Any, node: Node) -> None:
        items = scope.data.setdefault(scope.key(name), [])
        self.origin("%s[%d]" % (scope.where(name), len(items)), node)
        items.append(value)

    def put(self, scope: Scope, name: str, value: Any, node: Node) -> None:
        self.origin(scope.where(name), node)
        scope.data[scope.key(name)] = value

    # -- the walk ----------------------------------------------------------
    def read(self) -> Dict[str, Any]:
        scope = Scope("global", self.top, "")
        self.scope_nodes(scope, self.tree)
        # dhcpd is not authoritative unless told (dhcpd.conf(5)); the description's default is.
        self.top.setdefault("dhcpd_authoritative", False)
        self._finish_keys()
        return self.top

    def scope_nodes(self, scope: Scope, nodes: List[Node]) -> None:
        boot = [n for n in nodes if n.keyword in _BOOT_WORDS]
        for node in nodes:
            if node.keyword in _BOOT_WORDS:
                continue
            handler = _BLOCKS.get(node.keyword) if node.children is not None else _STATEMENTS.get(node.keyword)
            if handler is not None:
                handler(self, scope, node)
            elif node.children is not None:
                self.note_all([node], "a block '%s' has no equivalent in the description; %s" % (node.text, _NO_CONDITIONALS.split(": ")[1]))
            else:
                self.append(scope, "statements", node.text, node)
        if boot:
            self.boot(scope, boot)

    def boot(self, scope: Scope, nodes: List[Node]) -> None:
        kept = [n for n in nodes if n.children is None]
        for chain in chains(nodes):
            why = is_boot_chain(chain, self.arch_names)
            if why:
                self.note_all(chain, "%s; %s" % (why, _NO_CONDITIONALS))
            else:
                kept += chain
        try:
            pxe = read_boot(kept, self.arch_names)
        except NotBoot as exc:
            self.note_all(kept, "%s; %s" % (exc, _NO_CONDITIONALS))
            return
        nodes = kept
        if pxe is None:
            return
        if scope.kind == "host" and set(pxe) <= {"next_server", "boot_files", "clients"} and set(pxe.get("boot_files", {})) <= {"other"}:
            if "next_server" in pxe:
                self.put(scope, "next_server", pxe["next_server"], nodes[0])
            if pxe.get("boot_files"):
                self.put(scope, "boot_file", pxe["boot_files"]["other"], nodes[-1])
            return
        self.put(scope, "pxe", dict(scope.data.get(scope.key("pxe")) or {}, **pxe), nodes[0])

    # -- statements --------------------------------------------------------
    def st_option(self, scope: Scope, node: Node) -> None:
        words = node.words
        if len(words) >= 3 and words[1].lower() == "space":
            if scope.kind != "global":
                self.note(node, "option spaces are declared globally (dhcpd_option_definitions)")
            elif len(words) > 3:
                self.note(node, "an option space's code and length widths are dhcpd's defaults in the description (1 and 1)")
            return  # the description declares a space with its first definition
        if len(words) >= 5 and words[2].lower() == "code" and words[4] == "=" or (len(words) >= 4 and words[2].lower() == "code"):
            self.definition(scope, node)
            return
        if len(words) < 3:
            self.note(node, "an option with no value")
            return
        name = words[1]
        if words[2] == "=":
            value: Any = {"expression": " ".join(words[3:])}
        else:
            value = option_value(self.option_type(name), words[2:])
        scope.data.setdefault(scope.key("options"), {})
        self.origin("%s.%s" % (scope.where("options"), name), node)
        scope.data[scope.key("options")][name] = value

    def option_type(self, name: str) -> str:
        space, dummy, short = name.rpartition(".")
        found = OPTIONS.get(space or "dhcp", {}).get(short)
        if found:
            return found[1]
        for item in self.top.get("dhcpd_option_definitions", []):
            if item["name"] == short and item.get("space", "dhcp") == (space or "dhcp"):
                return item.get("type") or "encapsulate"
        return "string"

    def definition(self, scope: Scope, node: Node) -> None:
        words = node.words
        m = re.match(r"^option\s+(?:([\w-]+)\.)?([\w-]+)\s+code\s+(\d+)\s*=\s*(.+)$", " ".join(words), re.I)
        if scope.kind != "global" or not m:
            self.note(node, "an option definition the description cannot read (dhcpd_option_definitions takes 'option [SPACE.]NAME code N = TYPE')")
            return
        space, name, code, kind = m.groups()
        item: Dict[str, Any] = {"name": name, "code": int(code)}
        if space:
            item = {"space": space, **item}
        if kind.lower().startswith("encapsulate"):
            item["encapsulate"] = kind.split(None, 1)[1]
        else:
            item["type"] = kind
        if int(code) == 93 and not space:
            self.arch_names = self.arch_names | {name}
        self._definition(item, node)

    def _definition(self, item: Dict[str, Any], node: Node) -> None:
        items = self.top.setdefault("dhcpd_option_definitions", [])
        self.origin("dhcpd_option_definitions[%d]" % len(items), node)
        items.append(item)

    def st_lease(self, scope: Scope, node: Node) -> None:
        if len(node.words) != 2 or not node.words[1].isdigit():
            self.note(node, "a lease time must be a number of seconds")
            return
        self.put(scope, _LEASES[node.keyword], int(node.words[1]), node)

    def st_authoritative(self, scope: Scope, node: Node) -> None:
        value = node.keyword == "authoritative"
        if node.keyword == "not" and (len(node.words) != 2 or node.words[1].lower() != "authoritative"):
            self.append(scope, "statements", node.text, node)
            return
        if scope.kind != "global":
            self.note(node, "the description sets authoritative once, for the whole server (dhcpd_authoritative)")
            return
        self._top("dhcpd_authoritative", value, node)

    def _top(self, key: str, value: Any, node: Node) -> None:
        self.origin(key, node)
        self.top[key] = value

    def st_ddns(self, scope: Scope, node: Node) -> None:
        key, kind = _DDNS[node.keyword]
        value: Any = unquote(node.words[1]) if len(node.words) == 2 else None
        if value is None:
            self.note(node, "takes one value")
            return
        value = _bool(value) if kind is bool else value
        ddns = self.top.setdefault("dhcpd_ddns", {})
        if key in ddns and ddns[key] != value:
            self.note(node, "the description sets dynamic DNS once, for the whole server (dhcpd_ddns.%s), and it is already %r" % (key, ddns[key]))
            return
        self.origin("dhcpd_ddns.%s" % key, node)
        ddns[key] = value

    def st_include(self, scope: Scope, node: Node) -> None:
        path = unquote(node.words[-1])
        if path == _SECRETS_FILE and path not in self.includes:
            return  # the collection's own file of keys: its keys are read from their names
        if path in self.includes:
            previous = self.file
            self.file = path
            try:
                self.scope_nodes(scope, parse(self.includes[path], path))
            finally:
                self.file = previous
            return
        if scope.kind != "global":
            self.note(node, "the description includes files at the end of the global scope only (dhcpd_includes)")
            return
        self.not_read.append(path)
        self._definition_list("dhcpd_includes", path, node)

    def _definition_list(self, key: str, value: Any, node: Node) -> None:
        items = self.top.setdefault(key, [])
        self.origin("%s[%d]" % (key, len(items)), node)
        items.append(value)

    def st_omapi(self, scope: Scope, node: Node) -> None:
        omapi = self.top.setdefault("dhcpd_omapi", {})
        if node.keyword == "omapi-port":
            omapi["port"] = int(node.words[1])
        else:
            self.omapi_key = unquote(node.words[1])
        self.origin("dhcpd_omapi", node)

    def st_permit(self, scope: Scope, node: Node) -> None:
        if scope.kind != "pool" or node.keyword == "ignore":
            self.append(scope, "statements", node.text, node)
            return
        text = " ".join(node.words[1:])
        if node.keyword == "deny" and text == "dynamic bootp clients" and scope.data.get("__failover"):
            return  # the collection writes it in every failover pool
        self.append(scope, node.keyword, text, node)

    def st_range(self, scope: Scope, node: Node) -> None:
        if scope.kind == "subnet":
            pool = self._bare_pool(scope)
            self.st_range(pool, node)
            return
        if scope.kind != "pool":
            self.note(node, "a range outside a subnet")
            return
        words = list(node.words[1:])
        if words and words[0].lower() == "dynamic-bootp":
            scope.data["bootp"] = True
            words = words[1:]
        if len(words) == 1:
            words = words * 2
        self.append(scope, "ranges", " ".join(words), node)

    def _bare_pool(self, subnet: Scope) -> Scope:
        """Ranges outside a pool share one pool of the subnet (dhcpd gives them one too)."""
        pools = subnet.data.setdefault("pools", [])
        if not subnet.data.get("__bare"):
            pools.append({})
            subnet.data["__bare"] = len(pools) - 1
        index = subnet.data["__bare"]
        return Scope("pool", pools[index], "%s.pools[%d]" % (subnet.path, index))

    def st_failover_peer(self, scope: Scope, node: Node) -> None:
        if node.keyword == "failover" and len(node.words) == 3 and node.words[1].lower() == "peer":
            if scope.kind == "subnet":
                scope = self._bare_pool(scope)
            if scope.kind != "pool":
                self.note(node, "the description puts the failover relationship on pools only")
                return
            scope.data["__failover"] = True
            return
        self.append(scope, "statements", node.text, node)

    def st_host_word(self, scope: Scope, node: Node) -> None:
        if scope.kind != "host":
            self.append(scope, "statements", node.text, node)
        elif node.keyword == "hardware" and len(node.words) == 3 and node.words[1].lower() == "ethernet":
            self.put(scope, "mac", node.words[2].lower(), node)
        elif node.keyword == "fixed-address" and len(node.words) == 2:
            self.put(scope, "address", node.words[1], node)
        else:
            self.note(node, "a host takes one Ethernet address (hardware ethernet) and one fixed-address in the description")

    def st_subclass(self, scope: Scope, node: Node) -> None:
        from ._import_blocks import subclass
        subclass(self, scope, node)

    def _finish_keys(self) -> None:
        from ._import_blocks import finish_keys
        finish_keys(self)


def option_value(kind: str, words: Tuple[str, ...]) -> Any:
    """A value of option type ``kind`` (dhcpd's grammar) as the description writes it."""
    items = split_commas(words)
    kind = kind.strip()
    is_array = kind.startswith("array of") or kind.startswith("domain-list")
    record = "{" in kind

    def scalar(word: str) -> Any:
        if word.startswith('"'):
            return unquote(word)
        return int(word) if re.fullmatch(r"-?\d+", word) and "integer" in kind else word

    def item(parts: List[str]) -> Any:
        if record or len(parts) > 1:
            return [scalar(p) for p in parts]
        return scalar(parts[0])

    if is_array:
        return [item(p) for p in items]
    if len(items) == 1:
        return item(items[0])
    return [item(p) for p in items]


def _dispatch() -> Tuple[Dict[str, Callable[..., None]], Dict[str, Callable[..., None]]]:
    from . import _import_blocks as blocks
    statements = {"option": ConfReader.st_option, "authoritative": ConfReader.st_authoritative, "not": ConfReader.st_authoritative,
                  "include": ConfReader.st_include, "omapi-port": ConfReader.st_omapi, "omapi-key": ConfReader.st_omapi,
                  "allow": ConfReader.st_permit, "deny": ConfReader.st_permit, "ignore": ConfReader.st_permit,
                  "range": ConfReader.st_range, "failover": ConfReader.st_failover_peer, "hardware": ConfReader.st_host_word,
                  "fixed-address": ConfReader.st_host_word, "subclass": ConfReader.st_subclass}
    statements.update({word: ConfReader.st_lease for word in _LEASES})
    statements.update({word: ConfReader.st_ddns for word in _DDNS})
    statements.update(blocks.CLASS_STATEMENTS)
    return statements, blocks.BLOCKS


_STATEMENTS: Dict[str, Callable[..., None]] = {}
_BLOCKS: Dict[str, Callable[..., None]] = {}


def read_conf(text: str, source: str = "dhcpd.conf", includes: Optional[Mapping[str, str]] = None,
              hosts: Optional[Mapping[str, str]] = None) -> ConfReader:
    """Read one dhcpd.conf text; the reader holds the variables and what it could not say."""
    if not _STATEMENTS:
        statements, blocks = _dispatch()
        _STATEMENTS.update(statements)
        _BLOCKS.update(blocks)
    reader = ConfReader(text, source, includes, hosts)
    reader.read()
    return reader


__all__ = ["ConfReader", "ConfSyntaxError", "read_conf", "option_value", "secret_variable", "Scope"]
