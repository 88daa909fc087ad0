"""A real PXE boot: QEMU (TCG) on the lab network, firmware to boot menu.

Default run: OVMF's native UEFI PXE (shimx64.efi, grubx64.efi, grub.cfg).
LAB_PXE_FIRMWARE=uefi,secureboot,bios adds Secure Boot through the signed
shim and SeaBIOS + iPXE to PXELINUX (`make lab-long`)."""

import ipaddress
import os
import sys

import pytest

from conftest import PEERS, ROOT

sys.path.insert(0, os.path.join(ROOT, "tests", "lab"))
import pxe_vm  # noqa: E402

FIRMWARE = [f for f in os.environ.get("LAB_PXE_FIRMWARE", "uefi").split(",") if f]
EXPECTED_NBP = {"uefi": "shimx64.efi", "secureboot": "shimx64.efi", "bios": "pxelinux.0"}


@pytest.mark.parametrize("firmware", FIRMWARE)
def test_vm_boots_from_the_lab_to_the_menu(lab, firmware, tmp_path):
    marker = lab.vars["tftp_server_menu_title"]
    result = pxe_vm.boot(firmware, marker, timeout=150, log=str(tmp_path / "serial.log"))
    assert result["marker_seen_after_s"] is not None, result["console_tail"]
    assert result["nbp"] == EXPECTED_NBP[firmware]
    # next_server: self: the boot files came from one of the peers.
    assert result["server_ip"] in PEERS.values(), result
    assert ipaddress.IPv4Address(result["station_ip"]) in ipaddress.IPv4Network("10.4.45.0/24")
    # The address came from the failover pair: one of the peers recorded it.
    holders = [p for p in PEERS if lab.active_leases(p).get(result["station_ip"]) == result["mac"]]
    assert holders, "no peer's lease file holds %s for %s" % (result["station_ip"], result["mac"])


@pytest.mark.skipif("secureboot" not in FIRMWARE, reason="Secure Boot runs in make lab-long")
def test_secure_boot_refuses_grub_without_shim(lab, tmp_path):
    """The lab reserves 52:54:00:31:f2:82 with boot file grubx64.efi: under
    Secure Boot the firmware must refuse it, which proves the shim path above
    really ran with Secure Boot enforced."""
    result = pxe_vm.boot("secureboot", "Access Denied", timeout=120, log=str(tmp_path / "serial.log"),
                         mac="52:54:00:31:f2:82")
    assert result["nbp"] == "grubx64.efi"
    assert result["marker_seen_after_s"] is not None, result["console_tail"]
    assert lab.vars["tftp_server_menu_title"] not in result["console_tail"]
