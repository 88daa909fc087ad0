"""Runs a user makes besides a plain converge: --check --diff, --tags
bootfiles, and a description that dhcpd itself rejects."""

import json

from conftest import OS, PEERS, TFTP


def snapshot(lab):
    return {p: (lab.hosts[p].file("/etc/dhcp/dhcpd.conf").sha256sum, lab.service_time(p)) for p in PEERS}


def test_check_mode_shows_the_diff_and_changes_nothing(lab):
    before = snapshot(lab)
    run = lab.play("site.yml", "--check", "--diff", "-e", "dhcpd_default_lease_time=1234")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "+default-lease-time 1234;" in run.stdout and "-default-lease-time 600;" in run.stdout
    assert snapshot(lab) == before


def test_bootfiles_tag_updates_menus_only_and_keeps_user_files(lab):
    tftp = lab.hosts["tftp1"]
    root = TFTP["root"]
    assert tftp.run("echo kernel-from-the-user > %s/vmlinuz-user" % root).rc == 0
    before = snapshot(lab)
    title = lab.vars["tftp_server_menu_title"]
    try:
        run = lab.play("site.yml", "--tags", "bootfiles", "-e", json.dumps({"tftp_server_menu_title": "updated menu"}))
        assert run.returncode == 0, run.stdout[-3000:]
        assert 'echo "updated menu"' in tftp.file("%s/%s" % (root, OS["grub_cfg"])).content_string
        assert "SAY updated menu" in tftp.file(root + "/pxelinux.cfg/default").content_string
        # The peers serve the boot files too (next_server: self): their menus
        # changed the same way, but dhcpd's config and service were untouched.
        for peer in PEERS:
            assert 'echo "updated menu"' in lab.hosts[peer].file("%s/%s" % (root, OS["grub_cfg"])).content_string, peer
        # No task of the dhcpd role changed anything (its read-only "always" tasks may run).
        blocks = run.stdout.split("TASK [")
        assert not [b.splitlines()[0] for b in blocks if b.startswith("netboot.dhcp_failover.dhcpd ") and "\nchanged:" in b]
        assert snapshot(lab) == before
        # The menus were backed up, the user's file left alone.
        assert int(tftp.run("ls %s/pxelinux.cfg/ | grep -c '^default\\..*~$'" % root).stdout.strip() or 0) >= 1
        assert tftp.file(root + "/vmlinuz-user").content_string == "kernel-from-the-user\n"
    finally:
        restore = lab.play("site.yml", "--tags", "bootfiles", "-e", json.dumps({"tftp_server_menu_title": title}))
        assert restore.returncode == 0
    assert 'echo "%s"' % title in tftp.file("%s/%s" % (root, OS["grub_cfg"])).content_string


def test_phase_tags_run_alone(lab):
    """A check run limited to one phase of the dhcpd role (here: the service) works
    without the earlier phases' results, and changes nothing on a converged lab."""
    before = snapshot(lab)
    run = lab.play("dhcp_failover.yml", "--tags", "dhcpd_service", "--check")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "changed=0" in run.stdout.split("PLAY RECAP")[-1]
    assert all("changed=0" in line for line in run.stdout.split("PLAY RECAP")[-1].splitlines() if "ok=" in line)
    assert snapshot(lab) == before


def test_config_dhcpd_rejects_never_replaces_the_running_one(lab):
    before = snapshot(lab)
    bad = {"dhcpd_classes": [{"name": "broken", "match": 'option no-such-option = "x"'}]}
    run = lab.play("dhcp_failover.yml", "-e", json.dumps(bad))
    assert run.returncode != 0
    assert "no option named no-such-option" in run.stdout + run.stderr
    assert snapshot(lab) == before
    for peer in PEERS:
        assert lab.hosts[peer].socket("tcp://%s:647" % PEERS[peer]).is_listening
    assert lab.probe("discover", mac="52:54:00:60:00:01", wait=3), "the pair stopped serving"


def test_a_peer_the_description_does_not_name_is_refused_before_any_change(lab):
    """The inventory puts dhcp1 in dhcpd_primary; a description that names
    dhcp2 as primary is refused on both peers with the variables to fix,
    before either is changed."""
    swapped = json.loads(json.dumps(lab.vars["dhcpd_failover"]))
    swapped["primary"]["host"], swapped["secondary"]["host"] = "dhcp2", "dhcp1"
    before = snapshot(lab)
    run = lab.play("dhcp_failover.yml", "-e", json.dumps({"dhcpd_failover": swapped, "dhcpd_default_lease_time": 4321}))
    assert run.returncode != 0
    out = run.stdout + run.stderr
    # Refused by the check of the pairs (roles/common/tasks/peer.yml), on
    # the controller, before any host is read.
    assert ("dhcp1 is in dhcpd_primary, but its dhcpd_failover names it as secondary: move it to dhcpd_secondary or fix"
            " dhcpd_failover.primary.host") in " ".join(out.split())
    assert "dhcp2 is in dhcpd_secondary, but its dhcpd_failover names it as primary" in " ".join(out.split())
    assert "PLAY [Configure the secondary peer of every pair" not in out
    assert snapshot(lab) == before


def test_site_refuses_a_bad_description_before_the_tftp_server_changes(lab):
    """site.yml checks the DHCP description first: a run that would also
    change the boot menus stops before any host, the TFTP server included."""
    tftp = lab.hosts["tftp1"]
    menu = "%s/%s" % (TFTP["root"], OS["grub_cfg"])
    before = (snapshot(lab), tftp.file(menu).sha256sum)
    bad = {"dhcpd_classes": [{"name": "broken", "match": 'option no-such-option = "x"'}],
           "tftp_server_menu_title": "menu of a refused run"}
    run = lab.play("site.yml", "-e", json.dumps(bad))
    assert run.returncode != 0
    assert "no option named no-such-option" in run.stdout + run.stderr
    assert "PLAY [Configure the TFTP boot server]" not in run.stdout
    assert (snapshot(lab), tftp.file(menu).sha256sum) == before
