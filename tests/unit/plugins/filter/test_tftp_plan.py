"""The tftp_plan filter over the role's real per-OS values (roles/tftp_server/vars/*.yml).

The plan is what the tftp_server role writes and every path it reads to tell
whether a host must change; the role's one-round-trip pre-flight reads the
paths of every OS before the facts are known, so a path the plan writes but
the pre-flight does not read would cost a second round trip (or, worse, a
wrong "in sync"). These tests hold the plan to the files it names.
"""

import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.filter.tftp_plan import FilterModule, tftp_plan

from tests.helpers import ROOT

VARS = os.path.join(ROOT, "roles", "tftp_server", "vars")


def os_values(name):
    with open(os.path.join(VARS, name + ".yml")) as fh:
        return yaml.safe_load(fh)["__tftp_server_os"]


DEBIAN = os_values("Debian")
REDHAT = os_values("RedHat")
SETTINGS = {"root": "", "bios": True, "uefi": True, "bios_modules": ["menu.c32"],
            "files": [{"src": "vmlinuz", "dest": "images/alma9/vmlinuz"}],
            "downloads": [{"url": "http://192.0.2.1/initrd.img", "dest": "images/alma9/initrd.img"}]}


def test_debian_plan_writes_loaders_menus_and_the_defaults_file_under_srv_tftp():
    plan = tftp_plan(DEBIAN, SETTINGS, "Debian")
    assert plan["root"] == "/srv/tftp"
    assert [c["dest"] for c in plan["copies"]] == ["pxelinux.0", "ldlinux.c32", "shimx64.efi", "grubx64.efi", "mmx64.efi", "menu.c32"]
    assert {"src": "/usr/lib/syslinux/modules/bios/menu.c32", "dest": "menu.c32"} in plan["copies"]
    assert plan["menus"] == [{"dest": "pxelinux.cfg/default", "menu": "pxelinux"}, {"dest": "grub/grub.cfg", "menu": "grub"}]
    assert plan["dirs"] == ["pxelinux.cfg", "grub", "images/alma9"]
    assert plan["config_files"] == [{"path": "/etc/default/tftpd-hpa", "kind": "defaults"}]


def test_every_path_the_plan_writes_or_copies_from_is_in_paths():
    for values, distribution in ((DEBIAN, "Debian"), (REDHAT, "AlmaLinux")):
        plan = tftp_plan(values, dict(SETTINGS, root="/export/tftp"), distribution)
        root = plan["root"] + "/"
        wanted = ([values["binary"], plan["root"]] + [root + d for d in plan["dirs"]]
                  + [c["src"] for c in plan["copies"]] + [root + c["dest"] for c in plan["copies"]]
                  + [root + m["dest"] for m in plan["menus"]] + [root + "images/alma9/vmlinuz"]
                  + [f["path"] for f in plan["config_files"]])
        assert set(wanted) == set(plan["paths"])
        assert len(plan["paths"]) == len(set(plan["paths"]))


def test_without_the_distribution_the_paths_cover_every_listed_efi_vendor():
    every = tftp_plan(REDHAT, SETTINGS)["paths"]
    for distribution in REDHAT["efi_vendors"]:
        assert set(tftp_plan(REDHAT, SETTINGS, distribution)["paths"]) <= set(every), distribution
    assert "/boot/efi/EFI/almalinux/shimx64.efi" in every and "/boot/efi/EFI/rocky/mmx64.efi" in every
    # A distribution the map does not list: its folder is its name in lower
    # case, which the role reads in a second round trip (tasks/preflight.yml).
    assert "/boot/efi/EFI/eurolinux/shimx64.efi" in tftp_plan(REDHAT, SETTINGS, "EuroLinux")["paths"]
    assert "/boot/efi/EFI/eurolinux/shimx64.efi" not in every


def test_the_redhat_drop_in_is_written_only_for_a_root_other_than_the_default():
    assert tftp_plan(REDHAT, SETTINGS, "AlmaLinux")["config_files"] == []
    plan = tftp_plan(REDHAT, dict(SETTINGS, root="/export/tftp/"), "AlmaLinux")
    assert plan["root"] == "/export/tftp"
    assert plan["config_files"] == [{"path": "/etc/systemd/system/tftp.service.d/netboot-root.conf", "kind": "dropin"}]
    assert "/export/tftp/grub.cfg" in plan["paths"]


def test_bios_or_uefi_off_leaves_out_their_loaders_menus_and_folders():
    plan = tftp_plan(DEBIAN, dict(SETTINGS, bios=False, files=[], downloads=[]), "Debian")
    assert [c["dest"] for c in plan["copies"]] == ["shimx64.efi", "grubx64.efi", "mmx64.efi"]
    assert plan["dirs"] == ["grub"] and [m["menu"] for m in plan["menus"]] == ["grub"]
    plan = tftp_plan(DEBIAN, dict(SETTINGS, uefi=False, files=[], downloads=[]), "Debian")
    assert [c["dest"] for c in plan["copies"]] == ["pxelinux.0", "ldlinux.c32", "menu.c32"]
    assert plan["dirs"] == ["pxelinux.cfg"]


@pytest.mark.parametrize("settings,message", [
    ({"files": [{"src": "x", "dest": "../etc/passwd"}]}, "tftp_server_files dest must be a path relative to the TFTP root"),
    ({"downloads": [{"url": "http://192.0.2.1/x", "dest": "/etc/x"}]}, "tftp_server_downloads dest must be a path relative"),
    ({"bios_modules": ["../../bin/sh"]}, "tftp_server_bios_modules entry must be"),
    ({"root": "srv/tftp"}, "tftp_server_root must be an absolute path"),
])
def test_paths_outside_the_root_are_refused_with_the_variable_named(settings, message):
    with pytest.raises(AnsibleFilterError, match=message.replace(".", "[.]")):
        tftp_plan(DEBIAN, settings, "Debian")


def test_incomplete_os_values_are_refused():
    values = dict(DEBIAN)
    del values["module_dir"]
    with pytest.raises(AnsibleFilterError, match="lack module_dir"):
        tftp_plan(values, {}, "Debian")
    with pytest.raises(AnsibleFilterError, match="mappings"):
        tftp_plan(["not", "a", "mapping"], {})
    assert FilterModule().filters() == {"tftp_plan": tftp_plan}


def test_the_plan_s_expectations_match_a_tree_laid_out_as_the_role_does_and_name_each_difference(tmp_path):
    """The boot tree the role would write, laid out by hand in a temporary root
    from this machine's own Debian loaders, is in sync as the real host_state
    module reads it; a changed menu, a loader of another mode and a user file
    of other content are each stale, and nothing else is."""
    from ansible_collections.netboot.dhcp_failover.plugins.filter.host_differences import host_differences
    from tests.unit.plugins.filter.test_host_differences import read

    srcs = [item["src"] for item in DEBIAN["bios_loaders"]]
    if not all(os.path.exists(src) for src in srcs):
        pytest.skip("the pxelinux and syslinux-common packages are not installed")
    root = tmp_path / "tftp"
    user = tmp_path / "vmlinuz"
    user.write_bytes(b"kernel")
    settings = {"root": str(root), "bios": True, "uefi": False, "bios_modules": [],
                "files": [{"src": str(user), "dest": "images/vmlinuz"}], "downloads": []}
    import hashlib
    contents = {"pxelinux": "DEFAULT local\n", "grub": "unused\n", "defaults": "TFTP_DIRECTORY=x\n", "dropin": "",
                "file_sha1": [hashlib.sha1(b"kernel").hexdigest()]}
    plan = tftp_plan(DEBIAN, settings, "Debian", contents)
    assert plan["menus"] == [{"dest": "pxelinux.cfg/default", "menu": "pxelinux", "content": "DEFAULT local\n"}]
    assert plan["config_files"] == [{"path": "/etc/default/tftpd-hpa", "kind": "defaults", "content": "TFTP_DIRECTORY=x\n"}]
    assert plan["expect"]["server"]["running"] == ["tftpd-hpa"]
    assert plan["expect"]["server"]["present"] == ["/usr/sbin/in.tftpd"] + srcs

    for folder in [root] + [root / d for d in plan["dirs"]]:
        folder.mkdir(mode=0o755, exist_ok=True)
        folder.chmod(0o755)
    for copy in plan["copies"]:
        (root / copy["dest"]).write_bytes(open(copy["src"], "rb").read())
    (root / "pxelinux.cfg" / "default").write_text("DEFAULT local\n")
    (root / "images" / "vmlinuz").write_bytes(b"kernel")
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    boot = plan["expect"]["boot"]
    state = read(tmp_path, plan["paths"])
    if os.geteuid() != 0:
        pytest.skip("the copies must be owned by root")
    assert host_differences(state, **boot) == {"stale": [], "messages": [], "synced": True}

    (root / "pxelinux.cfg" / "default").write_text("DEFAULT linux\n")
    (root / "ldlinux.c32").chmod(0o600)
    (root / "images" / "vmlinuz").write_bytes(b"another kernel")
    found = host_differences(read(tmp_path, plan["paths"]), **boot)
    assert found["stale"] == [str(root / "ldlinux.c32"), str(root / "pxelinux.cfg/default"), str(root / "images/vmlinuz")]
    assert not found["synced"]


def test_the_plan_refuses_contents_without_a_menu_s_text_or_a_checksum_per_file():
    with pytest.raises(AnsibleFilterError, match="no content given for 'grub'"):
        tftp_plan(DEBIAN, dict(SETTINGS, downloads=[]), "Debian", {"pxelinux": "", "defaults": "", "file_sha1": ["x"]})
    with pytest.raises(AnsibleFilterError, match="0 checksums given for 1 files"):
        tftp_plan(DEBIAN, SETTINGS, "Debian", {"pxelinux": "", "grub": "", "defaults": "", "dropin": ""})
