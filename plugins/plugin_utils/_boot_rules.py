# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How a network boot client is answered: the vocabulary of network boot and
the ordered boot rules of a scope, worked out once for both renderers.

A scope's boot settings (a ``Boot`` of the model) become, in order:

- the rules for UEFI HTTP boot clients (option 60 starts with ``HTTPClient``):
  one per architecture that has a URL; the answer says ``HTTPClient`` back
  (EDK2 firmware takes an offer as HTTP boot only then);
- the rules for PXE clients (option 60 starts with ``PXEClient``, or every
  client when ``clients`` is ``all``), the first match winning: iPXE (its
  user class, option 77, stops the chainload loop), each UEFI architecture,
  BIOS (which also takes a client without option 93: old BIOS ROMs omit it);
- the file for a PXE client no rule matched (``other``).

The renderers (_dhcpd_render.py, _kea_render.py) only spell these rules in
their syntax. Option 93 values: the IANA "Processor Architecture Types"
registry (RFC 4578); 9 is x64 UEFI too (RFC 4578 erratum 4624).

Private to this collection; may change without notice.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional, Tuple

# Option 60 prefixes of the clients that boot, and iPXE's option 77.
VENDOR_PXE = "PXEClient"
VENDOR_HTTP = "HTTPClient"
IPXE_USER_CLASS = "iPXE"

# Names of the classes the collection declares itself.
PXE_CLASS = "pxe"
HTTP_CLASS = "httpboot"

ARCHES = (
    # key in boot_files, option 93 codes, description
    ("uefi_x64", (7, 9), "x64 UEFI"),
    ("uefi_arm64", (11,), "ARM64 UEFI"),
    ("uefi_ia32", (6,), "x86 (32-bit) UEFI"),
    ("uefi_arm32", (10,), "ARM32 UEFI"),
    ("bios", (0,), "x86 BIOS"),
)
HTTP_ARCHES = (
    ("http_x64", (16,), "x64 UEFI HTTP boot"),
    ("http_arm64", (19,), "ARM64 UEFI HTTP boot"),
)
BOOT_FILE_KEYS = tuple(k for k, dummy, dummy in ARCHES + HTTP_ARCHES) + ("other",)
DEFAULT_BOOT_FILES = {"bios": "pxelinux.0", "uefi_x64": "shimx64.efi"}
IPXE = "ipxe"


class Rule(NamedTuple):
    """One boot answer: ``key`` (``ipxe`` or a boot_files key), the ``file``
    (a path on the TFTP server or a URL), the option 93 ``codes`` it matches
    (none for iPXE), and whether a client without option 93 matches too."""

    key: str
    file: str
    codes: Tuple[int, ...] = ()
    without_arch: bool = False

    @property
    def ipxe(self) -> bool:
        return self.key == IPXE


class BootRules(NamedTuple):
    """The ordered boot rules of one scope (see the module's text)."""

    clients: str
    next_server: Any
    http: Tuple[Rule, ...]
    pxe: Tuple[Rule, ...]
    other: Optional[str]

    @property
    def has_ipxe(self) -> bool:
        return any(rule.ipxe for rule in self.pxe)

    @property
    def answers_pxe(self) -> bool:
        """PXE clients get anything at all (not so where every file is a URL)."""
        return bool(self.pxe or self.other or self.next_server is not None)


def boot_rules(boot: Any) -> BootRules:
    """The boot rules of a scope's ``Boot`` (files, ipxe_script, clients, next_server)."""
    files = boot.files
    http = tuple(Rule(key, files[key], codes) for key, codes, dummy in HTTP_ARCHES if files.get(key))
    pxe = [Rule(IPXE, boot.ipxe_script)] if boot.ipxe_script else []
    pxe += [Rule(key, files[key], codes, key == "bios") for key, codes, dummy in ARCHES if files.get(key)]
    return BootRules(boot.clients, boot.next_server, http, tuple(pxe), files.get("other") or None)
