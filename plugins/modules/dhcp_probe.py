#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dhcp_probe
short_description: Ask the DHCP servers of a network what they offer each kind of client, and fetch the boot files
version_added: 1.1.0
author: netboot.dhcp_failover contributors (@netboot)
description:
  - Broadcasts a DHCPDISCOVER per kind of client on O(interface), with a synthetic,
    locally administered MAC address per kind (sent again halfway through O(timeout), as a real
    client retransmits), and collects the DHCPOFFER of every server that answers within O(timeout).
    It never sends a DHCPREQUEST, so no server gives a lease away.
  - Kinds of client - C(plain) (no boot options), C(bios) (a PXE ROM, option 93 = 0),
    C(uefi_x64) (option 93 = 7) and C(ipxe) (a BIOS PXE client whose user class is C(iPXE)).
  - With O(fetch=true), each offered boot file is then read over TFTP from the offered
    next-server, and its size and SHA-256 are returned. URLs (HTTP boot, iPXE scripts) are
    reported, not fetched.
  - Sends broadcast traffic on O(interface), from UDP port 68, which must be free on this host
    (stop a DHCP client that holds it, or run the module from another host on the same network).
    Pick the interface that faces the boot network, for example the one holding the address the
    peers serve; it needs root (port 68 and SO_BINDTODEVICE).
  - Pure Python standard library.
options:
  interface:
    description: Network interface to broadcast on.
    type: str
    required: true
  clients:
    description: Kinds of client to ask as.
    type: list
    elements: str
    choices: [plain, bios, uefi_x64, ipxe]
    default: [plain, bios, uefi_x64, ipxe]
  timeout:
    description: Seconds to collect offers for each kind of client.
    type: float
    default: 3.0
  fetch:
    description: Read each offered boot file over TFTP from the offered next-server.
    type: bool
    default: true
  mac_prefix:
    description: First five bytes of the synthetic MAC addresses; the sixth is the kind's number.
    type: str
    default: "02:6e:62:00:00"
  max_bytes:
    description: Largest boot file read over TFTP, in bytes.
    type: int
    default: 67108864
  secs:
    description:
      - The seconds-elapsed field of each DHCPDISCOVER. Above the pair's C(load balance max seconds)
        (3 by default), both failover peers answer every client, so one probe hears from both.
    type: int
    default: 10
  attempts:
    description:
      - How many clients of each kind (each with its own MAC) to ask as, at most, until every server of
        O(expect_servers) has answered one. A Kea pair in load-balancing mode answers each client from one
        server only, whatever its C(secs); an ISC failover pair answers the first client from both peers.
    type: int
    default: 1
  expect_servers:
    description:
      - DHCP servers that must answer every kind of client, name to address (the server identifier
        of their offers). Each one missing is a problem.
    type: dict
    default: {}
  tftp_servers:
    description:
      - TFTP servers that must hold identical copies of every offered boot file, name to address.
        Each offered file is read from each of them.
    type: dict
    default: {}
  reference:
    description:
      - Expected SHA-256 of boot files, file name to checksum (the controller's copies). Without
        one, the copy on the first TFTP server (by name) is the reference.
    type: dict
    default: {}
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: The module only asks and reads; it runs the same in check mode.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: none
"""

EXAMPLES = r"""
- name: Ask as every kind of client and fetch the offered boot files
  netboot.dhcp_failover.dhcp_probe:
    interface: eth0
  register: probe
  become: true
"""

RETURN = r"""
clients:
  description: One entry per kind of client, with every offer it received.
  type: list
  elements: dict
  returned: always
  sample:
    - kind: uefi_x64
      mac: "02:6e:62:00:00:03"
      offers:
        - {server_id: 10.4.7.9, yiaddr: 10.4.45.20, next_server: 10.4.7.9, file: shimx64.efi}
files:
  description: Per boot file read, keyed C(SERVER/FILE), its size and SHA-256 or the TFTP error.
  type: dict
  returned: always
problems:
  description: What is wrong, one sentence each, naming the client, server or file; empty when all is right.
  type: list
  elements: str
  returned: always
table:
  description: One line per offer (client, server, address, next-server, file, checksum), for people.
  type: list
  elements: str
  returned: always
"""

import hashlib
import os
import random
import select
import socket
import struct
import time

from ansible.module_utils.basic import AnsibleModule

MAGIC = b"\x63\x82\x53\x63"
KINDS = {"plain": 1, "bios": 2, "uefi_x64": 3, "ipxe": 4}
_ARCH = {"bios": 0, "uefi_x64": 7, "ipxe": 0}


LABELS = {"plain": "plain DHCP", "bios": "BIOS PXE", "uefi_x64": "UEFI x64", "ipxe": "iPXE"}


def discover_packet(mac, xid, kind, secs=0):
    """A DHCPDISCOVER (broadcast flag set) as the given kind of client."""
    chaddr = bytes(int(x, 16) for x in mac.split(":"))
    head = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 0, xid, secs, 0x8000, bytes(4), bytes(4), bytes(4), bytes(4))
    body = chaddr + bytes(10) + bytes(64) + bytes(128)
    opts = bytearray(MAGIC)

    def opt(code, data):
        opts.extend(bytes([code, len(data)]) + data)

    opt(53, b"\x01")
    opt(61, b"\x01" + chaddr)
    opt(55, bytes([1, 3, 6, 15, 28, 43, 60, 66, 67]))
    if kind in _ARCH:
        arch = _ARCH[kind]
        opt(93, struct.pack("!H", arch))
        opt(94, b"\x01\x03\x10")
        opt(97, b"\x00" + chaddr * 2 + bytes(4))
        opt(60, ("PXEClient:Arch:%05d:UNDI:003016" % arch).encode())
    if kind == "ipxe":
        opt(77, b"iPXE")
    opts.append(255)
    packet = head + body + bytes(opts)
    return packet + bytes(max(0, 300 - len(packet)))


def parse_reply(data):
    """A BOOTREPLY as a dict (None for anything else)."""
    if len(data) < 240 or data[236:240] != MAGIC or data[0] != 2:
        return None
    xid = struct.unpack("!I", data[4:8])[0]
    options, i = {}, 240
    while i < len(data):
        code = data[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        if i + 1 >= len(data):
            break
        length = data[i + 1]
        options[code] = data[i + 2 : i + 2 + length]
        i += 2 + length
    msg = options.get(53, b"\x00")[0]
    out = {
        "xid": xid,
        "type": {2: "OFFER", 5: "ACK", 6: "NAK"}.get(msg, str(msg)),
        "yiaddr": socket.inet_ntoa(data[16:20]),
        "next_server": socket.inet_ntoa(data[20:24]),
        "file": data[108:236].split(b"\0", 1)[0].decode(errors="replace"),
        "server_id": socket.inet_ntoa(options[54]) if len(options.get(54, b"")) == 4 else None,
    }
    if 67 in options and not out["file"]:
        out["file"] = options[67].split(b"\0", 1)[0].decode(errors="replace")
    if 60 in options:
        out["vendor_class"] = options[60].decode(errors="replace")
    return out


def _tftp_receive(sock, request, server, peer):
    """The next packet from the server (resending the request while none has
    answered yet): (packet, address), or OSError after three timeouts."""
    for _attempt in range(3):
        try:
            return sock.recvfrom(65536)
        except socket.timeout:
            if peer is None:
                sock.sendto(request, (server, 69))
    raise OSError("no answer from %s" % server)


def _oack_blksize(packet, size):
    """The block size an OACK (RFC 2347) accepts."""
    for key, value in zip(*[iter(packet[2:].split(b"\0"))] * 2):
        if key.lower() == b"blksize":
            size = int(value)
    return size


def tftp_read(server, filename, timeout=3.0, max_bytes=64 << 20, blksize=1428):
    """Read a file over TFTP (RFC 1350, blksize option RFC 2348); return its bytes."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(timeout)
    try:
        request = b"\x00\x01" + filename.encode() + b"\0octet\0blksize\0" + str(blksize).encode() + b"\0"
        sock.sendto(request, (server, 69))
        data, expected, size, peer = bytearray(), 1, 512, None
        while True:
            packet, addr = _tftp_receive(sock, request, server, peer)
            peer = peer or addr
            op = struct.unpack("!H", packet[:2])[0]
            if addr != peer or op not in (3, 5, 6):
                continue
            if op == 5:
                raise OSError("TFTP error %d: %s" % (struct.unpack("!H", packet[2:4])[0], packet[4:].split(b"\0")[0].decode(errors="replace")))
            if op == 6:  # OACK: the server took the block size
                size = _oack_blksize(packet, size)
                sock.sendto(b"\x00\x04\x00\x00", peer)
                continue
            block = struct.unpack("!H", packet[2:4])[0]
            if block == expected & 0xFFFF:
                data.extend(packet[4:])
                expected += 1
                if len(data) > max_bytes:
                    raise OSError("larger than %d bytes" % max_bytes)
            sock.sendto(b"\x00\x04" + packet[2:4], peer)
            if block == (expected - 1) & 0xFFFF and len(packet) - 4 < size:
                return bytes(data)
    finally:
        sock.close()


def probe(interface, kinds, timeout, mac_prefix, secs=0, attempts=1, expect=()):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
    sock.bind(("", 68))
    results = []
    try:
        for kind in kinds:
            offers = {}
            for attempt in range(max(1, attempts)):
                # Attempt 0 keeps the documented MAC; later ones change the fifth byte.
                prefix = mac_prefix if attempt == 0 else "%s:%02x" % (mac_prefix.rsplit(":", 1)[0], attempt)
                mac = "%s:%02x" % (prefix, KINDS[kind])
                _ask(sock, mac, kind, secs, timeout, offers, expect)
                if not expect or set(expect) <= set(offers):
                    break
            results.append({"kind": kind, "mac": mac, "offers": sorted(offers.values(), key=lambda o: o["server_id"] or "")})
    finally:
        sock.close()
    return results


def _ask(sock, mac, kind, secs, timeout, offers, expect):
    """One client's DISCOVER; add each server's first offer to ``offers`` (server id -> offer)."""
    xid = random.getrandbits(32)
    packet = discover_packet(mac, xid, kind, secs)
    # Like a real client, send the DISCOVER again halfway through:
    # one lost broadcast must not read as a silent server.
    resend = [time.monotonic() + timeout / 2]
    sock.sendto(packet, ("255.255.255.255", 67))
    deadline = time.monotonic() + timeout
    while True:
        now = time.monotonic()
        if resend and now >= resend[0]:
            resend.pop()
            sock.sendto(packet, ("255.255.255.255", 67))
        left = min([deadline] + resend) - now
        if now >= deadline or (expect and set(expect) <= set(offers)):
            break
        ready, dummy, dummy = select.select([sock], [], [], max(left, 0))
        if not ready:
            continue
        reply = parse_reply(sock.recvfrom(4096)[0])
        if reply and reply["xid"] == xid and reply["type"] == "OFFER":
            reply.pop("xid")
            reply.pop("type")
            offers.setdefault(reply["server_id"], reply)


def fetch_files(clients, timeout, max_bytes, tftp_servers=()):
    """Read every offered file from its next-server and from each of ``tftp_servers`` (addresses)."""
    files = {}
    for client in clients:
        for offer in client["offers"]:
            name = offer["file"]
            if not name or "://" in name:
                continue
            servers = ([offer["next_server"]] if offer["next_server"] != "0.0.0.0" else []) + list(tftp_servers)
            for server in servers:
                key = "%s/%s" % (server, name)
                if key in files:
                    continue
                try:
                    data = tftp_read(server, name, timeout=timeout, max_bytes=max_bytes)
                    files[key] = {"server": server, "file": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                except OSError as exc:
                    files[key] = {"server": server, "file": name, "error": str(exc)}
    return files


def _offer_problems(label, client, server, offer, files):
    """What is wrong with one offer: no boot file for a boot client, a file with no next-server or that cannot be read."""
    key = "%s/%s" % (offer["next_server"], offer["file"])
    if client["kind"] != "plain" and not offer["file"]:
        return ["%s client: %s offered no boot file" % (label, server)]
    if not offer["file"] or "://" in offer["file"]:
        return []
    if offer["next_server"] == "0.0.0.0":
        return ["%s client: %s offered %s with no next-server" % (label, server, offer["file"])]
    if "error" in files.get(key, {}):
        return ["%s client: %s offered %s from %s, which cannot be read: %s" % (label, server, offer["file"], offer["next_server"], files[key]["error"])]
    return []


def _client_lines(client, files, expect_servers, names):
    """(problems, table rows) of one client's offers."""
    problems, table = [], []
    label = LABELS[client["kind"]]
    offered_by = {o["server_id"] for o in client["offers"]}
    if not client["offers"] and not expect_servers:
        problems.append("%s client: no offer from any DHCP server" % label)
    problems += ["%s client: no offer from %s (%s)" % (label, name, address)
                 for name, address in sorted(expect_servers.items()) if address not in offered_by]
    for o in client["offers"]:
        server = names.get(o["server_id"], o["server_id"])
        problems += _offer_problems(label, client, server, o, files)
        state = files.get("%s/%s" % (o["next_server"], o["file"]), {}).get("sha256", "")[:12] if o["file"] and "://" not in o["file"] else ""
        table.append("%-10s %-8s %-15s next-server %-15s %-22s %s" % (label, server, o["yiaddr"], o["next_server"], o["file"] or "-", state))
    return problems, table


def _copy_problems(files, tftp_servers, names, reference):
    """Each boot file readable on every TFTP server, and the same everywhere
    (as the controller's copy, else as the first server's)."""
    problems, by_file = [], {}
    for entry in files.values():
        by_file.setdefault(entry["file"], []).append(entry)
    order = [address for dummy, address in sorted(tftp_servers.items())]
    for name, copies in sorted(by_file.items()):
        good = [c for c in copies if "sha256" in c]
        problems += ["%s on %s (%s) cannot be read: %s" % (name, names.get(c["server"], c["server"]), c["server"], c["error"])
                     for c in copies if "error" in c and c["server"] in order]
        if not good:
            continue
        if name in reference:
            want, where = reference[name], "the controller's copy"
        else:
            first = sorted(good, key=lambda c: order.index(c["server"]) if c["server"] in order else len(order))[0]
            want, where = first["sha256"], "the copy on %s (%s)" % (names.get(first["server"], first["server"]), first["server"])
        problems += ["%s on %s (%s) differs from %s" % (name, names.get(c["server"], c["server"]), c["server"], where)
                     for c in good if c["sha256"] != want]
    return problems


def judge(clients, files, expect_servers, tftp_servers, reference):
    """(problems, table) for people: what is wrong, and what each client was offered."""
    problems, table = [], []
    names = {address: name for name, address in expect_servers.items()}
    names.update({address: name for name, address in tftp_servers.items() if address not in names})
    for client in clients:
        found, rows = _client_lines(client, files, expect_servers, names)
        problems += found
        table += rows
    return problems + _copy_problems(files, tftp_servers, names, reference), table


def main():
    module = AnsibleModule(
        argument_spec=dict(
            interface=dict(type="str", required=True),
            clients=dict(type="list", elements="str", choices=list(KINDS), default=list(KINDS)),
            timeout=dict(type="float", default=3.0),
            fetch=dict(type="bool", default=True),
            mac_prefix=dict(type="str", default="02:6e:62:00:00"),
            max_bytes=dict(type="int", default=64 << 20),
            secs=dict(type="int", default=10),
            attempts=dict(type="int", default=1),
            expect_servers=dict(type="dict", default={}),
            tftp_servers=dict(type="dict", default={}),
            reference=dict(type="dict", default={}),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not os.path.exists("/sys/class/net/%s" % p["interface"]):
        module.fail_json(msg="no network interface %r on this host" % p["interface"])
    try:
        clients = probe(p["interface"], p["clients"], p["timeout"], p["mac_prefix"], p["secs"], p["attempts"],
                        [str(v) for v in p["expect_servers"].values()])
    except OSError as exc:
        module.fail_json(
            msg="could not broadcast on %s from UDP port 68 (%s): run as root, and stop a DHCP client that holds port 68" % (p["interface"], exc)
        )
    expect = {str(k): str(v) for k, v in p["expect_servers"].items()}
    tftp = {str(k): str(v) for k, v in p["tftp_servers"].items()}
    files = fetch_files(clients, p["timeout"], p["max_bytes"], sorted(tftp.values())) if p["fetch"] else {}
    problems, table = judge(clients, files, expect, tftp, {str(k): str(v) for k, v in p["reference"].items()})
    module.exit_json(changed=False, clients=clients, files=files, problems=problems, table=table)


if __name__ == "__main__":
    main()
