"""The lease-file reader behind dhcpd_failover_state (pure function)."""

from ansible_collections.netboot.dhcp_failover.plugins.modules.dhcpd_failover_state import parse_state

LEASES = """
failover peer "dhcp-failover" state {
  my state recover at 3 2026/11/25 19:20:59;
  partner state unknown-state at 3 2026/11/25 19:20:59;
  mclt 0;
}
lease 10.4.45.124 {
  starts 3 2026/11/25 19:21:00;
  binding state backup;
}
failover peer "other" state {
  my state partner-down at 3 2026/11/25 19:30:00;
  partner state communications-interrupted at 3 2026/11/25 19:29:00;
}
failover peer "dhcp-failover" state {
  my state normal at 3 2026/11/25 19:21:00;
  partner state normal at 3 2026/11/25 19:21:29;
  mclt 1800;
}
"""


def test_last_block_of_the_named_relationship_wins():
    st = parse_state(LEASES, "dhcp-failover")
    assert st["found"] and st["my_state"] == "normal" and st["partner_state"] == "normal"
    assert st["my_since"] == 1795634460 and st["partner_since"] == 1795634489


def test_other_relationship_and_epoch_format():
    assert parse_state(LEASES, "other")["my_state"] == "partner-down"
    st = parse_state('failover peer "x" state {\n  my state normal at epoch 1795634460;\n}\n', "x")
    assert st["my_since"] == 1795634460 and st["partner_state"] is None


def test_missing_relationship():
    assert parse_state(LEASES, "nope") == {"found": False, "my_state": None, "partner_state": None, "my_since": None, "partner_since": None}
