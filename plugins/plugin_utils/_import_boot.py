# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read a scope's network boot statements back into a ``pxe:`` mapping.

Private to this collection; may change without notice.

Hand-written files and the collection's own choose a boot file the same few
ways: ``next-server`` and ``filename`` set outright; an ``if`` chain on
option 93 (by the name ``pxe-system-type`` or a name the file defines for
code 93, compared with ``00:07`` or ``7``; or the ``Arch:0000N`` part of
option 60, ``substring (option vendor-class-identifier, 15, 5)``); around it
a test of option 60 for ``PXEClient`` or ``HTTPClient``, and of option 77
for ``iPXE``. :func:`read_boot` turns such statements into the boot settings
of the description (``clients``, ``next_server``, ``boot_files``,
``ipxe_script``), or says why it cannot: then they are not imported.
"""

from __future__ import annotations

import re
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

from ._boot_rules import ARCHES, HTTP_ARCHES, IPXE_USER_CLASS, VENDOR_HTTP, VENDOR_PXE
from ._import_parse import Node, unquote

_CONDITIONS = {
    re.sub(r"\s", "", 'substring(option vendor-class-identifier,0,%d)="%s"' % (len(w), w)): kind
    for w, kind in ((VENDOR_PXE, "pxe"), (VENDOR_HTTP, "http"))
}
_IPXE = {'existsuser-classandoptionuser-class="%s"' % IPXE_USER_CLASS, 'optionuser-class="%s"' % IPXE_USER_CLASS}
_ARCH_PART = re.compile(r"^option([\w.-]+)=(?:([0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2})+)|(\d+))$")
_ARCH_VCI = re.compile(r'^substring\(optionvendor-class-identifier,15,5\)="(\d{5})"$')
_NOT_EXISTS = re.compile(r"^notexists([\w.-]+)$")
_KEY_OF_CODES = {codes: key for key, codes, dummy in ARCHES + HTTP_ARCHES}

Cond = Tuple[str, Any]


class NotBoot(ValueError):
    """The statements are not a boot-file choice the description can say."""


def chains(nodes: Sequence[Node]) -> List[List[Node]]:
    """Consecutive ``if``/``elsif``/``else`` blocks grouped into chains."""
    out: List[List[Node]] = []
    for node in nodes:
        if node.keyword == "if":
            out.append([node])
        elif node.keyword in ("elsif", "else") and out:
            out[-1].append(node)
    return out


def _arch_codes(words: Sequence[str], arch_names: FrozenSet[str]) -> Optional[FrozenSet[int]]:
    codes, parts = set(), [[]]  # type: ignore[var-annotated]
    for word in words:
        if word.lower() == "or":
            parts.append([])
        else:
            parts[-1].append(word)
    for part in ("".join(p) for p in parts):
        m, vci, missing = _ARCH_PART.match(part), _ARCH_VCI.match(part), _NOT_EXISTS.match(part)
        if m and m.group(1) in arch_names:
            codes.add(int(m.group(2).replace(":", ""), 16) if m.group(2) else int(m.group(3)))
        elif vci:
            codes.add(int(vci.group(1)))
        elif missing and missing.group(1) in arch_names:
            codes.add(0)
        else:
            return None
    return frozenset(codes)


def condition(node: Node, arch_names: FrozenSet[str]) -> Cond:
    """What one branch tests: pxe, http, ipxe, arch (codes) or else."""
    if node.keyword == "else":
        return ("else", None)
    text = re.sub(r"\s", "", " ".join(node.words[1:]))
    if text in _CONDITIONS:
        return (_CONDITIONS[text], None)
    if text in _IPXE:
        return ("ipxe", None)
    codes = _arch_codes(node.words[1:], arch_names)
    if codes is None:
        raise NotBoot("%r tests something other than a network boot client's kind or architecture" % " ".join(node.words[1:]))
    return ("arch", codes)


def leaves(nodes: Sequence[Node], arch_names: FrozenSet[str], conds: Tuple[Cond, ...] = ()) -> List[Tuple[Tuple[Cond, ...], str, str]]:
    """Every boot statement of ``nodes`` with the conditions above it: (conditions, keyword, value)."""
    out = []
    for node in nodes:
        if node.children is None:
            out.append((conds, node.keyword, _value(node, conds)))
    for chain in chains(nodes):
        for branch in chain:
            out += leaves(branch.children, arch_names, conds + (condition(branch, arch_names),))
    for node in nodes:
        if node.children is not None and node.keyword not in ("if", "elsif", "else"):
            raise NotBoot("a %s block inside a boot condition" % node.keyword)
    return out


def _value(node: Node, conds: Tuple[Cond, ...]) -> str:
    words = node.words
    if node.keyword in ("filename", "next-server") and len(words) == 2:
        return unquote(words[1])
    echo = ("option", "vendor-class-identifier", '"%s"' % VENDOR_HTTP)
    if tuple(words) == echo and any(kind == "http" for kind, dummy in conds):
        return ""
    raise NotBoot("%r is not a boot statement" % node.text)


def is_boot_chain(chain: Sequence[Node], arch_names: FrozenSet[str]) -> Optional[str]:
    """None when an if chain chooses boot files only; otherwise why it does not."""
    try:
        leaves(chain, arch_names)
    except NotBoot as exc:
        return str(exc)
    return None


def read_boot(nodes: Sequence[Node], arch_names: FrozenSet[str]) -> Optional[Dict[str, Any]]:
    """The ``pxe:`` mapping the boot statements among ``nodes`` say, None when there are none.

    Raises NotBoot with the reason when they say something else too.
    """
    found = leaves([n for n in nodes if n.keyword in ("next-server", "filename", "if", "elsif", "else")], arch_names)
    if not found:
        return None
    pxe: Dict[str, Any] = {"boot_files": {}}
    clients = set()
    for conds, keyword, value in found:
        kinds = [kind for kind, dummy in conds]
        if "http" not in kinds and "ipxe" not in kinds:
            clients.add("pxe" if "pxe" in kinds else "all")
        if keyword == "next-server":
            _set(pxe, "next_server", value, "next-server")
        elif keyword == "filename":
            _file(pxe, conds, value)
    if len(clients) > 1:
        raise NotBoot("some boot statements are for PXE clients only and some for every client")
    if clients == {"all"}:
        pxe["clients"] = "all"
    if not pxe["boot_files"]:
        del pxe["boot_files"]
    return pxe


def _set(pxe: Dict[str, Any], key: str, value: str, what: str) -> None:
    if pxe.get(key, value) != value:
        raise NotBoot("two different %s values (%s, %s) in one scope" % (what, pxe[key], value))
    pxe[key] = value


def _file(pxe: Dict[str, Any], conds: Tuple[Cond, ...], value: str) -> None:
    kinds = [kind for kind, dummy in conds]
    arch = [codes for kind, codes in conds if kind == "arch"]
    if "ipxe" in kinds:
        _set(pxe, "ipxe_script", value, "iPXE script")
        return
    if not arch:
        # The file of a client no architecture test matched.
        _set(pxe["boot_files"], "other", value, "boot file")
        return
    codes = arch[-1]
    key = _KEY_OF_CODES.get(tuple(sorted(codes))) or ("uefi_x64" if codes <= {7, 9} else None)
    if key is None:
        raise NotBoot("option 93 values %s do not name one kind of client of the description" % sorted(codes))
    if key.startswith("http_") != ("http" in kinds):
        raise NotBoot("an HTTP boot architecture tested outside the HTTPClient test, or the other way round")
    _set(pxe["boot_files"], key, value, "boot file")
