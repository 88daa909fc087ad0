"""The dhcp_probe module: packets built and parsed without a network (the
whole module against real servers: tests/integration/test_dhcp_probe_live.py)."""

import struct

from ansible_collections.netboot.dhcp_failover.plugins.modules import dhcp_probe


def options(packet):
    out, i = {}, 240
    while packet[i] != 255:
        out[packet[i]] = packet[i + 2 : i + 2 + packet[i + 1]]
        i += 2 + packet[i + 1]
    return out


def test_discover_packets_per_kind():
    plain = dhcp_probe.discover_packet("02:6e:62:00:00:01", 0x1234, "plain")
    assert len(plain) >= 300 and plain[0] == 1 and plain[236:240] == dhcp_probe.MAGIC
    assert struct.unpack("!I", plain[4:8])[0] == 0x1234 and plain[10:12] == b"\x80\x00"  # broadcast flag
    assert plain[28:34] == bytes.fromhex("026e62000001")
    o = options(plain)
    assert o[53] == b"\x01" and 93 not in o and 60 not in o
    o = options(dhcp_probe.discover_packet("02:6e:62:00:00:03", 1, "uefi_x64"))
    assert o[93] == b"\x00\x07" and o[60] == b"PXEClient:Arch:00007:UNDI:003016"
    o = options(dhcp_probe.discover_packet("02:6e:62:00:00:04", 1, "ipxe"))
    assert o[93] == b"\x00\x00" and o[77] == b"iPXE"


def offer_packet(xid, yiaddr, siaddr, server_id, filename=b"", opt67=None):
    head = struct.pack("!BBBBIHH4s4s4s4s", 2, 1, 6, 0, xid, 0, 0, bytes(4), bytes([10, 4, 45, yiaddr]), bytes([10, 4, 7, siaddr]), bytes(4))
    body = bytes(16) + bytes(64) + filename.ljust(128, b"\0")
    opts = dhcp_probe.MAGIC + b"\x35\x01\x02" + b"\x36\x04" + bytes([10, 4, 7, server_id])
    if opt67:
        opts += bytes([67, len(opt67)]) + opt67
    return head + body + opts + b"\xff"


def test_offers_are_parsed():
    reply = dhcp_probe.parse_reply(offer_packet(7, 20, 9, 210, b"shimx64.efi"))
    assert reply == {"xid": 7, "type": "OFFER", "yiaddr": "10.4.45.20", "next_server": "10.4.7.9", "file": "shimx64.efi", "server_id": "10.4.7.210"}
    # The file name may come in option 67 when the file field is empty.
    assert dhcp_probe.parse_reply(offer_packet(7, 20, 9, 9, opt67=b"pxelinux.0"))["file"] == "pxelinux.0"
    # Requests, truncated packets and other cookies are not replies.
    assert dhcp_probe.parse_reply(dhcp_probe.discover_packet("02:6e:62:00:00:01", 1, "plain")) is None
    assert dhcp_probe.parse_reply(b"\x02" * 100) is None


def test_judge_names_what_is_wrong():
    offer = {"server_id": "10.4.7.9", "yiaddr": "10.4.45.20", "next_server": "10.4.7.9", "file": "shimx64.efi"}
    clients = [
        {"kind": "uefi_x64", "offers": [offer]},
        {"kind": "bios", "offers": [dict(offer, file="")]},
    ]
    files = {
        "10.4.7.9/shimx64.efi": {"server": "10.4.7.9", "file": "shimx64.efi", "sha256": "a" * 64, "size": 1},
        "10.4.7.210/shimx64.efi": {"server": "10.4.7.210", "file": "shimx64.efi", "sha256": "b" * 64, "size": 1},
    }
    peers = {"dhcp1": "10.4.7.9", "dhcp2": "10.4.7.210"}
    problems, table = dhcp_probe.judge(clients, files, peers, peers, {})
    assert "UEFI x64 client: no offer from dhcp2 (10.4.7.210)" in problems
    assert "BIOS PXE client: dhcp1 offered no boot file" in problems
    assert "shimx64.efi on dhcp2 (10.4.7.210) differs from the copy on dhcp1 (10.4.7.9)" in problems
    assert table[0].startswith("UEFI x64") and "dhcp1" in table[0] and "aaaaaaaaaaaa" in table[0]
    problems, dummy = dhcp_probe.judge(clients[:1], files, {"dhcp1": "10.4.7.9"}, peers, {"shimx64.efi": "b" * 64})
    assert problems == ["shimx64.efi on dhcp1 (10.4.7.9) differs from the controller's copy"]
