"""The dhcp_probe module against a real dhcpd and a real TFTP server in
network namespaces the test makes (tests/integration/live.py)."""

import hashlib
import json
import os
import shutil
import subprocess
import sys

import pytest

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config

from tests.integration import live


@pytest.mark.skipif(live.available() is not None or shutil.which("in.tftpd") is None, reason="needs root, dhcpd and tftpd-hpa")
def test_module_against_a_real_dhcpd_and_tftp_server():
    description = {
        "dhcpd_statements": ["ping-check false"],
        "dhcpd_pxe": {
            "next_server": live.SERVER_IP,
            "boot_files": {"bios": "pxelinux.0", "uefi_x64": "shimx64.efi"},
            "ipxe_script": "http://10.77.0.1/menu.ipxe",
        },
        "dhcpd_subnets": [{"network": "10.77.0.0/24", "pools": [{"range": "10.77.0.100 10.77.0.150"}]}],
    }
    with live.Lab() as lab:
        root = lab.path("tftp")
        os.makedirs(root)
        content = {"pxelinux.0": os.urandom(3000), "shimx64.efi": os.urandom(70000)}
        for name, data in content.items():
            with open(os.path.join(root, name), "wb") as fh:
                fh.write(data)
        lab.start(["in.tftpd", "--foreground", "--address", live.SERVER_IP + ":69", "--secure", root], "tftpd.log", "", timeout=5)
        lab.dhcpd(render_config(description, "standalone", {}))
        # A host that verifies a site has an address of its own on the boot network.
        subprocess.run(["ip", "-n", lab.client, "addr", "add", "10.77.0.200/24", "dev", "vc"], check=True)
        code = (
            "import json, sys; sys.path.insert(0, %r); import tests.conftest; "
            "from ansible_collections.netboot.dhcp_failover.plugins.modules import dhcp_probe as p; "
            "c = p.probe('vc', list(p.KINDS), 3.0, '02:6e:62:00:00'); "
            "print(json.dumps({'clients': c, 'files': p.fetch_files(c, 3.0, 1 << 20)}))"
            % live.ROOT
        )
        run = subprocess.run(
            ["ip", "netns", "exec", lab.client, sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
        )
        assert run.returncode == 0, run.stderr
        result = json.loads(run.stdout)
    by_kind = {c["kind"]: c["offers"] for c in result["clients"]}
    assert all(len(offers) == 1 for offers in by_kind.values()), by_kind
    assert by_kind["plain"][0]["file"] == "" and by_kind["bios"][0]["file"] == "pxelinux.0"
    assert by_kind["uefi_x64"][0]["file"] == "shimx64.efi" and by_kind["ipxe"][0]["file"] == "http://10.77.0.1/menu.ipxe"
    assert by_kind["bios"][0]["next_server"] == live.SERVER_IP
    files = result["files"]
    for name, data in content.items():
        got = files["%s/%s" % (live.SERVER_IP, name)]
        assert got["size"] == len(data) and got["sha256"] == hashlib.sha256(data).hexdigest(), got
    assert not any("menu.ipxe" in k for k in files), "URLs are reported, not fetched"
