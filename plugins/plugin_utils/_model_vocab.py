# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ISC DHCP 4.4 vocabulary, as data: option names, codes and types.

Private to this collection; may change without notice.

Every option dhcpd 4.4 knows in the spaces a server configuration sets
(``dhcp``, ``agent``, ``fqdn``, ``nwip``), with its code and its type written
in dhcpd's own option-definition grammar (dhcp-options(5), "DEFINING NEW
OPTIONS"), so that one type reader serves both this table and the user's
``dhcpd_option_definitions``. Names, codes and formats follow dhcp-options(5)
and common/tables.c of ISC DHCP 4.4.3; tests/unit/plugins/filter/
test_vocabulary.py proves every entry against the real ``dhcpd -t``.
"""

from __future__ import annotations

_IP = "ip-address"
_IPS = "array of ip-address"
_U8 = "unsigned integer 8"
_U16 = "unsigned integer 16"
_U32 = "unsigned integer 32"
_FLAG = "boolean"
_TEXT = "text"
_STR = "string"

# space -> {name: (code, type)}
OPTIONS = {
    "dhcp": {
        "subnet-mask": (1, _IP),
        "time-offset": (2, "signed integer 32"),
        "routers": (3, _IPS),
        "time-servers": (4, _IPS),
        "ien116-name-servers": (5, _IPS),
        "domain-name-servers": (6, _IPS),
        "log-servers": (7, _IPS),
        "cookie-servers": (8, _IPS),
        "lpr-servers": (9, _IPS),
        "impress-servers": (10, _IPS),
        "resource-location-servers": (11, _IPS),
        "host-name": (12, _TEXT),
        "boot-size": (13, _U16),
        "merit-dump": (14, _TEXT),
        "domain-name": (15, _TEXT),
        "swap-server": (16, _IP),
        "root-path": (17, _TEXT),
        "extensions-path": (18, _TEXT),
        "ip-forwarding": (19, _FLAG),
        "non-local-source-routing": (20, _FLAG),
        "policy-filter": (21, "array of { ip-address, ip-address }"),
        "max-dgram-reassembly": (22, _U16),
        "default-ip-ttl": (23, _U8),
        "path-mtu-aging-timeout": (24, _U32),
        "path-mtu-plateau-table": (25, "array of unsigned integer 16"),
        "interface-mtu": (26, _U16),
        "all-subnets-local": (27, _FLAG),
        "broadcast-address": (28, _IP),
        "perform-mask-discovery": (29, _FLAG),
        "mask-supplier": (30, _FLAG),
        "router-discovery": (31, _FLAG),
        "router-solicitation-address": (32, _IP),
        "static-routes": (33, "array of { ip-address, ip-address }"),
        "trailer-encapsulation": (34, _FLAG),
        "arp-cache-timeout": (35, _U32),
        "ieee802-3-encapsulation": (36, _FLAG),
        "default-tcp-ttl": (37, _U8),
        "tcp-keepalive-interval": (38, _U32),
        "tcp-keepalive-garbage": (39, _FLAG),
        "nis-domain": (40, _TEXT),
        "nis-servers": (41, _IPS),
        "ntp-servers": (42, _IPS),
        "vendor-encapsulated-options": (43, _STR),
        "netbios-name-servers": (44, _IPS),
        "netbios-dd-server": (45, _IPS),
        "netbios-node-type": (46, _U8),
        "netbios-scope": (47, _TEXT),
        "font-servers": (48, _IPS),
        "x-display-manager": (49, _IPS),
        "dhcp-requested-address": (50, _IP),
        "dhcp-lease-time": (51, _U32),
        "dhcp-option-overload": (52, _U8),
        "dhcp-message-type": (53, _U8),
        "dhcp-server-identifier": (54, _IP),
        "dhcp-parameter-request-list": (55, "array of unsigned integer 8"),
        "dhcp-message": (56, _TEXT),
        "dhcp-max-message-size": (57, _U16),
        "dhcp-renewal-time": (58, _U32),
        "dhcp-rebinding-time": (59, _U32),
        "vendor-class-identifier": (60, _STR),
        "dhcp-client-identifier": (61, _STR),
        "nwip-domain": (62, _TEXT),
        "nwip-suboptions": (63, _STR),
        "nisplus-domain": (64, _TEXT),
        "nisplus-servers": (65, _IPS),
        "tftp-server-name": (66, _TEXT),
        "bootfile-name": (67, _TEXT),
        "mobile-ip-home-agent": (68, _IPS),
        "smtp-server": (69, _IPS),
        "pop-server": (70, _IPS),
        "nntp-server": (71, _IPS),
        "www-server": (72, _IPS),
        "finger-server": (73, _IPS),
        "irc-server": (74, _IPS),
        "streettalk-server": (75, _IPS),
        "streettalk-directory-assistance-server": (76, _IPS),
        "user-class": (77, _STR),
        "slp-directory-agent": (78, "{ boolean, array of ip-address }"),
        "slp-service-scope": (79, "{ boolean, text }"),
        "nds-servers": (85, _IPS),
        "nds-tree-name": (86, _STR),
        "nds-context": (87, _STR),
        "bcms-controller-names": (88, "domain-list"),
        "bcms-controller-address": (89, _IPS),
        "client-last-transaction-time": (91, _U32),
        "associated-ip": (92, _IPS),
        "pxe-system-type": (93, "array of unsigned integer 16"),
        "pxe-interface-id": (94, "{ unsigned integer 8, unsigned integer 8, unsigned integer 8 }"),
        "pxe-client-id": (97, "{ unsigned integer 8, string }"),
        "uap-servers": (98, _TEXT),
        "geoconf-civic": (99, _STR),
        "pcode": (100, _TEXT),
        "tcode": (101, _TEXT),
        "v6-only-preferred": (108, _U32),
        "netinfo-server-address": (112, _IPS),
        "netinfo-server-tag": (113, _TEXT),
        "default-url": (114, _TEXT),
        "name-service-search": (117, "array of unsigned integer 16"),
        "subnet-selection": (118, _IP),
        "domain-search": (119, "domain-list compressed"),
        "vivco": (124, _STR),
        "vivso": (125, _STR),
        "pana-agent": (136, _IPS),
        "v4-lost": (137, "domain-name"),
        "capwap-ac-v4": (138, _IPS),
        "sip-ua-cs-domains": (141, "domain-list compressed"),
        "rdnss-selection": (146, "{ unsigned integer 8, ip-address, ip-address, domain-list }"),
        "tftp-server-address": (150, _IPS),
        "v4-portparams": (159, "{ unsigned integer 8, unsigned integer 8, unsigned integer 16 }"),
        "v4-captive-portal": (160, _TEXT),
        "option-6rd": (212, "{ unsigned integer 8, unsigned integer 8, ip6-address, array of ip-address }"),
        "v4-access-domain": (213, "domain-name"),
        "loader-configfile": (209, _TEXT),
        "loader-pathprefix": (210, _TEXT),
        "loader-reboottime": (211, _U32),
    },
    # Relay agent information sub-options (option 82).
    "agent": {
        "circuit-id": (1, _STR),
        "remote-id": (2, _STR),
        "agent-id": (3, _IP),
        "DOCSIS-device-class": (4, _U32),
        "link-selection": (5, _IP),
    },
    # Client FQDN sub-options (option 81).
    "fqdn": {
        "no-client-update": (1, _FLAG),
        "server-update": (2, _FLAG),
        "encoded": (3, _FLAG),
        "rcode1": (4, _U8),
        "rcode2": (5, _U8),
        "fqdn": (8, _TEXT),
    },
    # NetWare/IP sub-options (option 63).
    "nwip": {
        "nsq-broadcast": (5, _FLAG),
        "preferred-dss": (6, _IPS),
        "nearest-nwip-server": (7, _IPS),
        "autoretries": (8, _U8),
        "autoretry-secs": (9, _U8),
        # nwip-1-1 (code 10) exists, but dhcpd 4.4's lexer cannot read that name back.
        "primary-dss": (11, _IP),
    },
}

# Names people reach for that dhcpd spells otherwise, with the key to use.
OPTION_HINTS = {
    "architecture-type": (
        "dhcpd has no option named architecture-type (option 93 is "
        "pxe-system-type in ISC DHCP 4.4); the collection already chooses "
        "the boot file by option 93: set dhcpd_pxe.boot_files instead"
    ),
    "next-server": "next-server is not an option: set next_server (dhcpd_pxe, a pxe: mapping, or a host)",
    "filename": "filename is not an option: set boot_files (dhcpd_pxe or a pxe: mapping) or a host's boot_file",
    "classless-static-routes": (
        "ISC DHCP 4.4 has no built-in name for option 121: define it with dhcpd_option_definitions "
        "({name: rfc3442-classless-static-routes, code: 121, type: array of unsigned integer 8})"
    ),
}

# Statements the model writes itself: a raw statement may not set them.
# statement keyword -> the key to use instead.
MANAGED_STATEMENTS = {
    "failover": "dhcpd_failover",
    "peer": "dhcpd_failover",
    "range": "a pool's range/ranges",
    "pool": "a subnet's pools",
    "subnet": "dhcpd_subnets",
    "shared-network": "dhcpd_shared_networks",
    "host": "dhcpd_hosts",
    "class": "dhcpd_classes",
    "subclass": "dhcpd_classes[].subclasses",
    "group": "the scope keys (a group has no equivalent: repeat the settings, or use dhcpd_includes)",
    "next-server": "next_server (dhcpd_pxe, a pxe: mapping, or a host's next_server)",
    "filename": "boot_files (dhcpd_pxe or a pxe: mapping) or a host's boot_file",
    "ddns-update-style": "dhcpd_ddns.style",
    "ddns-updates": "dhcpd_ddns.updates",
    "update-static-leases": "dhcpd_ddns.update_static_leases",
    "ddns-domainname": "dhcpd_ddns.domain_name",
    "ddns-rev-domainname": "dhcpd_ddns.rev_domain_name",
    "zone": "dhcpd_ddns.zones",
    "key": "dhcpd_ddns.keys (or dhcpd_omapi)",
    "authoritative": "dhcpd_authoritative",
    "not": "dhcpd_authoritative: false",
    "mclt": "dhcpd_failover.mclt",
    "split": "dhcpd_failover.split",
    "hba": "dhcpd_failover.hba",
    "option": "an options: mapping (and dhcpd_option_definitions for new names and spaces)",
    "omapi-port": "dhcpd_omapi.port",
    "omapi-key": "dhcpd_omapi",
    "include": "dhcpd_includes",
    "default-lease-time": "default_lease_time",
    "max-lease-time": "max_lease_time",
    "min-lease-time": "min_lease_time",
    "hardware": "a host's mac",
    "fixed-address": "a host's address",
    "match": "dhcpd_classes[].match",
    "spawn": "dhcpd_classes[].spawn_with",
}
