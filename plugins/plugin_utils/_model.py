# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read and check the one network description that both DHCP peers share,
whichever server runs them: the model's one entry point, the only module
the renderers (_dhcpd_render, _kea_render) import from the model.

Private to this collection; may change without notice.

Plain Python, no Ansible: ``parse_model()`` takes the inventory variables
(a mapping whose keys are the variable names, ``dhcpd_subnets`` and so on)
and either returns a :class:`Model` of typed values or raises
:class:`ModelError` listing every problem found, each one naming the
variable path and the fix. The model holds no configuration syntax: the
renderers write every byte of dhcpd.conf and of Kea's JSON.

Where the code lives:
  _model_vocab     option names, codes and types as data; managed statements
  _model_types     the option type grammar, value checks, value spelling
  _model_checker   generic readers that collect problems
  _model_schema    each section's keys as data, and the reader that walks them
  _model_options   options: mappings and dhcpd_option_definitions
  _model_results   typed results
  _model_scope     what every scope shares (statements, lease times, boot settings)
  _model_sections  failover, network boot, classes, shared networks, subnets, pools
  _model_hosts     host reservations, the OMAPI key, dynamic DNS
  _model_cross     checks across parts (overlaps, which pool serves whom)
  _boot_rules      the vocabulary of network boot and each scope's boot rules
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from . import _model_cross as cross
from . import _model_hosts as hosts_part
from . import _model_scope as scope_part
from . import _model_sections as sections
from ._model_checker import Checker, ModelError, did_you_mean, type_name
from ._model_options import read_definitions, read_options
from ._model_results import BUILTIN_CLASSES, LEASE_KEYS, NO_SCOPE, PEER_ROLES, PERMIT_WORDS, SELF, Context, PlainHosts, Scope, SharedNetwork
from ._model_types import Spelling, describe
from ._model_vocab import OPTIONS

__all__ = [
    # reading a description
    "ModelError", "Model", "parse_model", "parse_keys", "TOP_KEYS", "did_you_mean",
    # what the renderers read of a model
    "BUILTIN_CLASSES", "NO_SCOPE", "OPTIONS", "PEER_ROLES", "PERMIT_WORDS", "SELF", "PlainHosts", "Spelling", "describe",
]

TOP_KEYS = (
    "dhcpd_failover",
    "dhcpd_subnets",
    "dhcpd_shared_networks",
    "dhcpd_hosts",
    "dhcpd_classes",
    "dhcpd_pxe",
    "dhcpd_options",
    "dhcpd_option_definitions",
    "dhcpd_statements",
    "dhcpd_includes",
    "dhcpd_ddns",
    "dhcpd_authoritative",
    "dhcpd_default_lease_time",
    "dhcpd_max_lease_time",
    "dhcpd_min_lease_time",
    "dhcpd_omapi",
)


@dataclass
class Model:
    failover: object
    authoritative: bool
    scope: object  # sections.Scope of the global statements and options
    includes: list
    vocab: object  # _model_options.Vocabulary (definitions and spaces)
    classes: list
    shared_networks: list  # SharedNetwork, including one unnamed per plain subnet
    hosts: list
    pxe: object
    omapi: dict | None = None
    ddns: object = None
    all_pools: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def secrets(self):
        """True when a key must be written (to the owner-only secrets file)."""
        return bool(self.omapi) or bool(self.ddns and self.ddns.keys)


def parse_model(variables: Mapping[str, Any], hosts: Optional[Mapping[str, Any]] = None) -> Model:
    """Check and normalise a network description.

    ``variables``: mapping of the ``dhcpd_*`` inventory variables.
    ``hosts``: optional mapping of inventory hostname to address, used to
    check the failover peers' hosts and to resolve names to addresses.
    Raises ModelError listing every problem.
    """
    c = Checker()
    if not isinstance(variables, dict):
        raise ModelError([("(input)", "the network description must be a mapping of dhcpd_* variables, got %s" % type_name(variables))])
    for key in variables:
        if key not in TOP_KEYS:
            c.add(
                str(key),
                "unknown variable%s: it is not part of the network description (docs/model.md lists every key)" % did_you_mean(key, TOP_KEYS),
            )
    if hosts is not None and not isinstance(hosts, dict):
        c.add("(hosts)", "the hosts argument must map inventory hostnames to addresses")
        hosts = None
    ctx = Context(c, hosts or {}, hosts is not None)
    ctx.vocab = read_definitions(c, variables.get("dhcpd_option_definitions"))
    ctx.failover = sections.read_failover(ctx, variables.get("dhcpd_failover"))
    ctx.pxe = sections.read_pxe(ctx, variables.get("dhcpd_pxe"))
    ctx.classes = sections.read_classes(ctx, variables.get("dhcpd_classes"))
    shared = _read_networks(ctx, variables)
    subnets = [s for sn in shared for s in sn.subnets]
    includes = scope_part.read_includes(c, variables.get("dhcpd_includes"))
    _check_some_subnet(c, subnets, includes)
    pools = [p for s in subnets for p in s.pools]
    cross.check_networks(c, subnets)
    cross.check_ranges(c, subnets)
    cross.check_failover_pools(c, ctx.failover, pools)
    cross.check_pxe_reach(c, ctx.pxe, subnets, ctx.classes)
    hosts_out = hosts_part.read_hosts(ctx, variables.get("dhcpd_hosts"), subnets)
    cross.check_served(ctx, shared, hosts_out)
    authoritative = c.boolean(variables.get("dhcpd_authoritative"), "dhcpd_authoritative", True)
    scope = Scope(
        options=read_options(c, ctx.vocab, variables.get("dhcpd_options"), "dhcpd_options"),
        lease=scope_part.read_lease_times(c, {k: variables.get("dhcpd_" + k) for k in LEASE_KEYS}, "dhcpd_%s"),
        raw=scope_part.read_statements(ctx, variables.get("dhcpd_statements"), "dhcpd_statements"),
    )
    omapi = hosts_part.read_omapi(c, variables.get("dhcpd_omapi"))
    ddns = hosts_part.read_ddns(ctx, variables.get("dhcpd_ddns"))
    if omapi and ddns and omapi["key_name"] in {k.name for k in ddns.keys}:
        c.add("dhcpd_omapi.key_name", "key %r is also a DDNS key in dhcpd_ddns.keys: give OMAPI its own key name" % omapi["key_name"])
    if c.problems:
        raise ModelError(c.problems)
    return Model(failover=ctx.failover, authoritative=authoritative, scope=scope, includes=includes, vocab=ctx.vocab, classes=ctx.classes,
                 shared_networks=shared, hosts=hosts_out, pxe=ctx.pxe, omapi=omapi, ddns=ddns, all_pools=pools, warnings=c.warnings)


def _read_networks(ctx, variables):
    """dhcpd_subnets (each as a shared network of its own, without a name) and dhcpd_shared_networks."""
    c, shared = ctx.c, []
    for i, raw in enumerate(c.sequence(variables.get("dhcpd_subnets"), "dhcpd_subnets")):
        sub = sections.read_subnet(ctx, raw, "dhcpd_subnets[%d]" % i, None)
        if sub:
            shared.append(SharedNetwork(path=sub.path, name=None, scope=Scope(), subnets=[sub]))
    for i, raw in enumerate(c.sequence(variables.get("dhcpd_shared_networks"), "dhcpd_shared_networks")):
        sn = sections.read_shared_network(ctx, raw, "dhcpd_shared_networks[%d]" % i)
        if sn:
            shared.append(sn)
    return shared


def _check_some_subnet(c, subnets, includes):
    if not subnets and not includes:
        c.add("dhcpd_subnets", "no subnet is declared: add at least one entry to dhcpd_subnets (or dhcpd_shared_networks)")
    elif not subnets:
        c.warn(
            "dhcpd_subnets",
            "no subnet is declared here: the files in dhcpd_includes must declare them, and the checks across subnets, pools and reservations cannot"
            " see them",
        )


@dataclass
class Keys:
    """Only the keys of a description (for the secrets file)."""

    omapi: dict | None
    ddns: object

    @property
    def secrets(self):
        return bool(self.omapi) or bool(self.ddns and self.ddns.keys)


def parse_keys(variables: Mapping[str, Any], hosts: Optional[Mapping[str, Any]] = None) -> Keys:
    """Read only dhcpd_omapi and dhcpd_ddns, with their checks (ModelError on a problem)."""
    c = Checker()
    if not isinstance(variables, dict):
        raise ModelError([("(input)", "the network description must be a mapping of dhcpd_* variables, got %s" % type_name(variables))])
    ctx = Context(c, hosts if isinstance(hosts, dict) else {}, isinstance(hosts, dict))
    keys = Keys(hosts_part.read_omapi(c, variables.get("dhcpd_omapi")), hosts_part.read_ddns(ctx, variables.get("dhcpd_ddns")))
    if c.problems:
        raise ModelError(c.problems)
    return keys
