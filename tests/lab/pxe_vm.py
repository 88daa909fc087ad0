#!/usr/bin/env python3
"""Boot a real QEMU PXE client on the lab network and watch its serial console.

Firmware: ``uefi`` (OVMF, native UEFI PXE: shimx64.efi, grubx64.efi, grub.cfg),
``secureboot`` (OVMF with Microsoft keys enrolled and Secure Boot on: shim
must verify GRUB), ``bios`` (SeaBIOS with the iPXE ROM: pxelinux.0,
ldlinux.c32, pxelinux.cfg/default). QEMU runs under TCG (KVM does not work on
this kind of machine). The VM's tap device is attached to the lab's podman
bridge only, and removed afterwards; QEMU is stopped by its own process id.

  pxe_vm.py uefi --marker "netboot-lab boot menu" [--timeout 120] [--log FILE]

Prints a JSON summary and exits 0 when the marker appeared on the console.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OVMF = "/usr/share/OVMF"
FIRMWARE = {
    "uefi": ("OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd"),
    "secureboot": ("OVMF_CODE_4M.ms.fd", "OVMF_VARS_4M.ms.fd"),
}
MACS = {"uefi": "52:54:00:31:f2:7f", "secureboot": "52:54:00:31:f2:80", "bios": "52:54:00:31:f2:81"}
ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")


def bridge():
    out = subprocess.run(["bash", os.path.join(HERE, "network.sh"), "bridge"], check=True, capture_output=True, text=True)
    return out.stdout.strip()


def clean(text):
    return ANSI.sub("", text).replace("\r", "")


def boot(firmware, marker, timeout=120.0, log=None, tap="nbtap0", mac=None):
    mac = mac or MACS[firmware]
    work = tempfile.mkdtemp(prefix="pxe-vm-")
    serial = log or os.path.join(work, "serial.log")
    if os.path.exists(serial):
        os.unlink(serial)
    cmd = ["qemu-system-x86_64", "-m", "512", "-display", "none", "-no-reboot", "-serial", "file:" + serial,
           "-netdev", "tap,id=n0,ifname=%s,script=no,downscript=no" % tap, "-boot", "n"]
    if firmware in FIRMWARE:
        code, vars_ = FIRMWARE[firmware]
        shutil.copy(os.path.join(OVMF, vars_), os.path.join(work, "vars.fd"))
        cmd += ["-machine", "q35" + (",smm=on" if firmware == "secureboot" else ""),
                "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + os.path.join(OVMF, code),
                "-drive", "if=pflash,format=raw,unit=1,file=" + os.path.join(work, "vars.fd"),
                # romfile= empty: OVMF's own virtio-net driver and PXE, not iPXE.
                "-device", "virtio-net-pci,netdev=n0,mac=%s,romfile=" % mac]
        if firmware == "secureboot":
            cmd += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
    else:
        # SeaBIOS with the iPXE option ROM of the virtio NIC (ipxe-qemu).
        # SeaBIOS prints to the serial port named by etc/sercon-port, read
        # as a little-endian integer: the two bytes of 0x3f8 (COM1).
        sercon = os.path.join(work, "sercon-port")
        with open(sercon, "wb") as fh:
            fh.write((0x3F8).to_bytes(2, "little"))
        cmd += ["-machine", "pc", "-device", "virtio-net-pci,netdev=n0,mac=%s" % mac,
                "-fw_cfg", "name=etc/sercon-port,file=" + sercon]
    subprocess.run(["ip", "tuntap", "add", "dev", tap, "mode", "tap"], check=True)
    proc = None
    try:
        subprocess.run(["ip", "link", "set", tap, "master", bridge()], check=True)
        subprocess.run(["ip", "link", "set", tap, "up"], check=True)
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seen = None
        text = ""
        while time.monotonic() - started < timeout:
            time.sleep(0.5)
            if os.path.exists(serial):
                with open(serial, "rb") as fh:
                    text = clean(fh.read().decode("latin-1"))
                if marker in text:
                    seen = time.monotonic() - started
                    break
            if proc.poll() is not None:
                break
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        subprocess.run(["ip", "link", "del", tap], check=False)
    if os.path.exists(serial):
        with open(serial, "rb") as fh:
            text = clean(fh.read().decode("latin-1"))
    found = {
        "station_ip": _first(r"Station IP address is (\S+)", text) or _first(r"net0: (\d+\.\d+\.\d+\.\d+)/", text)
        or _first(r"CLIENT IP: (\S+)", text),
        "server_ip": _first(r"Server IP address is (\S+)", text) or _first(r"Next server: (\S+)", text),
        "nbp": _first(r"NBP filename is (\S+)", text) or _first(r"Filename: (\S+)", text) or _first(r"tftp://[^/]+/(\S+)", text),
    }
    return {"firmware": firmware, "mac": mac, "marker": marker, "marker_seen_after_s": None if seen is None else round(seen, 1),
            "serial_log": serial, "console_tail": text[-1500:], **found}


def _first(pattern, text):
    m = re.search(pattern, text)
    return m.group(1) if m else None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("firmware", choices=["uefi", "secureboot", "bios"])
    p.add_argument("--marker", required=True)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--log")
    args = p.parse_args(argv)
    result = boot(args.firmware, args.marker, args.timeout, args.log)
    print(json.dumps({k: v for k, v in result.items() if k != "console_tail"}, indent=1))
    return 0 if result["marker_seen_after_s"] is not None else 1


if __name__ == "__main__":
    sys.exit(main())
