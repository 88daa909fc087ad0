"""dhcpd.conf as a list of (scope, statement) pairs, for comparing two files:
the collection's own comparison (plugins/plugin_utils/_conf_compare.py, which
playbooks/import.yml prints), used by the corpus tests as it is."""

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._conf_compare import compare, normalise, statements

__all__ = ["compare", "normalise", "statements"]
