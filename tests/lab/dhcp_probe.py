#!/usr/bin/env python3
"""A small, real DHCP client for the lab (standard library only).

Sends DHCPDISCOVER (and REQUEST) packets from UDP port 68 on one interface,
as a plain client, a BIOS or UEFI PXE ROM (options 60, 93, 94, 97) or iPXE
(option 77), and prints what the servers answered as JSON. Runs inside the
lab's client container; it only ever broadcasts on the interface it is given.

  dhcp_probe.py discover --mac 52:54:00:00:00:01 [--arch 0|7|...] [--wait 3]
  dhcp_probe.py discover --bootp --mac ...  # a BOOTP request instead
  dhcp_probe.py dora --mac ...            # DISCOVER, OFFER, REQUEST, ACK
  dhcp_probe.py watch --duration 120 --interval 0.5 --out FILE [--stop-file F]
  dhcp_probe.py hold --clients 30 --new-every 3 --duration 600 --out FILE [--stop-file F]
"""

import argparse
import json
import os
import random
import select
import socket
import struct
import subprocess
import sys
import time

MAGIC = b"\x63\x82\x53\x63"
TYPES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK", 7: "RELEASE", 8: "INFORM"}


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def build(msg_type, mac, xid, secs=0, arch=None, vendor=None, user_class=None, requested=None, server_id=None,
          bootp=False, ask=(), hostname=None):
    chaddr = mac_bytes(mac)
    head = struct.pack("!BBBBIHH4s4s4s4s", 1, 1, 6, 0, xid, secs, 0x8000, b"\0" * 4, b"\0" * 4, b"\0" * 4, b"\0" * 4)
    body = chaddr + b"\0" * 10 + b"\0" * 64 + b"\0" * 128
    opts = bytearray(MAGIC)

    def opt(code, data):
        opts.extend(bytes([code, len(data)]) + data)

    if bootp:
        # A BOOTP client: no DHCP message type, no options beyond the cookie.
        opts.append(255)
        packet = head + body + bytes(opts)
        return packet + b"\0" * max(0, 300 - len(packet))
    opt(53, bytes([msg_type]))
    opt(61, b"\x01" + chaddr)
    opt(55, bytes([1, 3, 6, 15, 28, 42, 43, 51, 54, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135] + list(ask)))
    if arch is not None:
        vendor = vendor or "PXEClient:Arch:%05d:UNDI:003016" % arch
        opt(93, struct.pack("!H", arch))
        opt(94, b"\x01\x03\x10")  # client network interface: UNDI 3.16
        opt(97, b"\x00" + mac_bytes(mac) * 2 + b"\0" * 4)  # client machine id (GUID)
    if vendor:
        opt(60, vendor.encode())
    if user_class:
        opt(77, user_class.encode())
    if hostname:
        opt(12, hostname.encode())  # host name (RFC 2132 3.14), as dhclient's "send host-name"
    if requested:
        opt(50, socket.inet_aton(requested))
    if server_id:
        opt(54, socket.inet_aton(server_id))
    opts.append(255)
    packet = head + body + bytes(opts)
    return packet + b"\0" * max(0, 300 - len(packet))


def parse(data):
    if len(data) < 240 or data[236:240] != MAGIC:
        return None
    op, _htype, _hlen, _hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr = struct.unpack("!BBBBIHH4s4s4s4s", data[:28])
    chaddr = data[28:34]
    sname = data[44:108].split(b"\0", 1)[0].decode(errors="replace")
    bootfile = data[108:236].split(b"\0", 1)[0].decode(errors="replace")
    options = {}
    i = 240
    while i < len(data):
        code = data[i]
        if code == 255:
            break
        if code == 0:
            i += 1
            continue
        length = data[i + 1]
        options[code] = data[i + 2:i + 2 + length]
        i += 2 + length
    out = {
        "op": op,
        "xid": xid,
        "type": TYPES.get(options[53][0], "?") if 53 in options else "BOOTREPLY",
        "mac": ":".join("%02x" % b for b in chaddr),
        "yiaddr": socket.inet_ntoa(yiaddr),
        "siaddr": socket.inet_ntoa(siaddr),
        "sname": sname,
        "file": bootfile,
    }
    if 54 in options:
        out["server_id"] = socket.inet_ntoa(options[54])
    if 51 in options:
        out["lease_time"] = struct.unpack("!I", options[51])[0]
    if 3 in options:
        out["routers"] = [socket.inet_ntoa(options[3][j:j + 4]) for j in range(0, len(options[3]), 4)]
    if 1 in options:
        out["subnet_mask"] = socket.inet_ntoa(options[1])
    if 60 in options:
        out["vendor_class"] = options[60].decode(errors="replace")
    if 67 in options:
        out["bootfile_option"] = options[67].decode(errors="replace")
    # Every option as hex, by code (for options the fields above do not name).
    out["options"] = {str(code): value.hex() for code, value in sorted(options.items())}
    return out


class Client:
    def __init__(self, iface):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
        self.sock.bind(("", 68))

    def exchange(self, packet, xid, want, wait, first_only=False):
        """Send one packet; collect replies of type ``want`` for ``wait`` seconds."""
        self.sock.sendto(packet, ("255.255.255.255", 67))
        replies = []
        deadline = time.monotonic() + wait
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, dummy, dummy = select.select([self.sock], [], [], left)
            if not ready:
                break
            data, _addr = self.sock.recvfrom(4096)
            reply = parse(data)
            if reply and reply["op"] == 2 and reply["xid"] == xid and reply["type"] in want:
                reply["_at"] = time.time()
                replies.append(reply)
                if first_only:
                    break
        return replies


def random_xid():
    return random.getrandbits(32)


def discover(client, args, mac=None, wait=None, first_only=False):
    xid = random_xid()
    pkt = build(1, mac or args.mac, xid, secs=args.secs, arch=args.arch, vendor=args.vendor, user_class=args.user_class,
                ask=getattr(args, "ask", None) or (), hostname=getattr(args, "hostname", None),
                bootp=getattr(args, "bootp", False))
    want = ("BOOTREPLY",) if getattr(args, "bootp", False) else ("OFFER",)
    return client.exchange(pkt, xid, want, args.wait if wait is None else wait, first_only=first_only)


def dora(client, args):
    offers = discover(client, args, wait=args.wait)
    if not offers:
        return {"offers": [], "ack": None}
    offer = offers[0]
    xid = random_xid()
    pkt = build(3, args.mac, xid, secs=args.secs, arch=args.arch, vendor=args.vendor, user_class=args.user_class,
                requested=offer["yiaddr"], server_id=offer["server_id"], hostname=getattr(args, "hostname", None))
    acks = client.exchange(pkt, xid, ("ACK", "NAK"), args.wait, first_only=True)
    return {"offers": offers, "ack": acks[0] if acks else None}


def request(client, args):
    """A DHCPREQUEST for --requested with no server id, broadcast, as a client
    that reboots holding a lease asks for it again (RFC 2131, INIT-REBOOT): a
    server that knows the lease answers ACK, an authoritative one that does not
    answers NAK."""
    xid = random_xid()
    pkt = build(3, args.mac, xid, secs=args.secs, arch=args.arch, vendor=args.vendor, user_class=args.user_class,
                requested=args.requested)
    replies = client.exchange(pkt, xid, ("ACK", "NAK"), args.wait, first_only=True)
    return replies[0] if replies else None


def watch(client, args):
    """Probe every interval until duration passes or the stop file appears."""
    end = time.monotonic() + args.duration
    with open(args.out, "w") as out:
        n = 0
        while time.monotonic() < end:
            if args.stop_file and os.path.exists(args.stop_file):
                break
            n += 1
            # A few clients in turn: they are offered the same addresses again,
            # so the run does not drain the pool (dhcpd pings new addresses).
            mac = "52:54:00:aa:00:%02x" % (n % args.clients)
            started = time.time()
            offers = discover(client, args, mac=mac, wait=args.wait, first_only=True)
            out.write(json.dumps({"t": started, "mac": mac, "servers": sorted({o.get("server_id") for o in offers}),
                                  "after": [round(o["_at"] - started, 2) for o in offers]}) + "\n")
            out.flush()
            rest = args.interval - (time.time() - started)
            if rest > 0:
                time.sleep(rest)


def hold(client, args):
    """Clients that take a lease and keep it: each does DISCOVER, OFFER,
    REQUEST, ACK, then asks again for its address at half its lease time
    (a broadcast REQUEST for it, as after a reboot: the reply reaches a
    client with no address configured), and drops it at its end when no
    server answered or on a NAK. A client that asks again after no answer
    says how long it has been trying (the secs field, as real clients do:
    failover and HA servers look at it). One new client joins every
    ``new_every`` seconds. Every answer is written to ``out`` as a JSON line: time, MAC,
    event (ack, nak, none, expired), address, lease time, server."""
    end = time.monotonic() + args.duration
    held = {}  # mac -> {"ip", "until", "renew"}
    joined = 0
    next_join = time.monotonic()
    with open(args.out, "w") as out:
        def note(mac, event, ip=None, reply=None):
            out.write(json.dumps({"t": time.time(), "mac": mac, "event": event, "ip": ip,
                                  "lease": (reply or {}).get("lease_time"), "server": (reply or {}).get("server_id")}) + "\n")
            out.flush()

        while time.monotonic() < end and not (args.stop_file and os.path.exists(args.stop_file)):
            now = time.monotonic()
            if (joined < args.clients or args.new_every) and now >= next_join:
                mac = "52:54:00:%02x:%02x:%02x" % (args.mac_group, joined // 256, joined % 256)
                joined += 1
                held[mac] = {"ip": None, "until": 0, "renew": now, "trying": None}
                next_join = now + (0 if joined < args.clients else (args.new_every or 1e9))
            due = [m for m, h in held.items() if h["renew"] <= now]
            if not due:
                time.sleep(0.1)
                continue
            for mac in due:
                h = held[mac]
                if h["ip"] and time.monotonic() >= h["until"]:
                    note(mac, "expired", h["ip"])
                    h["ip"] = None
                if h["trying"] is None:
                    h["trying"] = time.monotonic()
                secs = int(time.monotonic() - h["trying"])
                if h["ip"]:
                    xid = random_xid()
                    acks = client.exchange(build(3, mac, xid, secs=secs, requested=h["ip"]), xid, ("ACK", "NAK"),
                                           args.wait, first_only=True)
                else:
                    xid = random_xid()
                    offers = client.exchange(build(1, mac, xid, secs=secs), xid, ("OFFER",), args.wait, first_only=True)
                    acks = []
                    if offers:
                        xid = random_xid()
                        acks = client.exchange(build(3, mac, xid, secs=secs, requested=offers[0]["yiaddr"],
                                                     server_id=offers[0].get("server_id")),
                                               xid, ("ACK", "NAK"), args.wait, first_only=True)
                reply = acks[0] if acks else None
                got = time.monotonic()
                if reply and reply["type"] == "ACK":
                    lease = reply.get("lease_time") or 60
                    h.update(ip=reply["yiaddr"], until=got + lease, renew=got + lease / 2, trying=None)
                    note(mac, "ack", h["ip"], reply)
                elif reply:
                    note(mac, "nak", h["ip"], reply)
                    h.update(ip=None, until=0, renew=got + 1, trying=None)
                else:
                    note(mac, "none", h["ip"])
                    h["renew"] = got + 2


# -- host side: run this probe inside a lab container -------------------------

IN_CONTAINER = "/usr/local/bin/dhcp_probe"


def install(container):
    """Copy this script into ``container`` (podman)."""
    subprocess.run(["podman", "cp", os.path.abspath(__file__), "%s:%s" % (container, IN_CONTAINER)], check=True)


def run_in(container, *args):
    """Run the probe in ``container`` with command-line ``args``; return its JSON answer."""
    res = subprocess.run(["podman", "exec", container, "python3", IN_CONTAINER, *args], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        raise RuntimeError("dhcp_probe %s failed: %s" % (" ".join(args), res.stderr.strip()))
    return json.loads(res.stdout)


def _public(reply):
    return None if reply is None else {k: v for k, v in reply.items() if not k.startswith("_")}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("command", choices=["discover", "dora", "request", "watch", "hold"])
    p.add_argument("--iface", default="eth0")
    p.add_argument("--mac", default="52:54:00:12:34:56")
    p.add_argument("--arch", type=int, help="PXE client: option 93 value (0 BIOS, 7 x64 UEFI, ...)")
    p.add_argument("--vendor", help="option 60 (default for PXE: PXEClient:Arch:NNNNN:UNDI:003016)")
    p.add_argument("--user-class", help="option 77, e.g. iPXE")
    p.add_argument("--bootp", action="store_true", help="discover: send a BOOTP request (no option 53)")
    p.add_argument("--requested", help="request: the address the client holds")
    p.add_argument("--secs", type=int, default=0, help="seconds elapsed field (load balancing looks at it)")
    p.add_argument("--hostname", help="discover, dora: option 12, the client's host name")
    p.add_argument("--ask", type=int, action="append", help="discover: one more option code to ask for (option 55)")
    p.add_argument("--wait", type=float, default=3.0)
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--interval", type=float, default=0.5, help="watch: seconds between probe starts")
    p.add_argument("--clients", type=int, default=8, help="watch: how many client MACs to rotate")
    p.add_argument("--new-every", type=float, default=0, help="hold: seconds between new clients after --clients")
    p.add_argument("--mac-group", type=int, default=0xcc, help="hold: fourth byte of the clients' MACs")
    p.add_argument("--out")
    p.add_argument("--stop-file")
    args = p.parse_args(argv)
    client = Client(args.iface)
    if args.command == "discover":
        print(json.dumps([_public(o) for o in discover(client, args)]))
    elif args.command == "request":
        print(json.dumps(_public(request(client, args))))
    elif args.command == "dora":
        result = dora(client, args)
        print(json.dumps({"offers": [_public(o) for o in result["offers"]], "ack": _public(result["ack"])}))
    else:
        if not args.out:
            p.error("%s needs --out" % args.command)
        (watch if args.command == "watch" else hold)(client, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
