"""host_differences: what the roles compare before touching a host, on what
the real host_state module reads of a temporary tree on this machine."""

import json
import os
import pwd
import subprocess
import sys

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.netboot.dhcp_failover.plugins.filter.host_differences import FilterModule, host_differences

from tests.helpers import ROOT

MODULE = os.path.join(ROOT, "plugins", "modules", "host_state.py")
ME = pwd.getpwuid(os.getuid()).pw_name


def read(tmp_path, paths, services=()):
    argfile = tmp_path / "args.json"
    argfile.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {"paths": [str(p) for p in paths], "services": list(services)}}))
    res = subprocess.run([sys.executable, MODULE, str(argfile)], capture_output=True, text=True, timeout=60, check=True)
    return json.loads(res.stdout)


def test_a_tree_that_matches_is_synced_and_each_difference_is_named(tmp_path):
    conf, copy, source, gone = (tmp_path / n for n in ("dhcpd.conf", "pxelinux.0", "source.0", "old.pem"))
    conf.write_text("authoritative;\n")
    conf.chmod(0o644)
    source.write_bytes(b"\x00loader")
    copy.write_bytes(b"\x00loader")
    (tmp_path / "boot").mkdir(mode=0o755)
    expect = dict(files=[{"path": str(conf), "content": "authoritative;\n", "mode": "0644", "owner": ME},
                         {"path": str(copy), "same_as": str(source)},
                         {"path": str(tmp_path / "boot"), "type": "directory", "mode": "0755"}],
                  present=[str(source)], absent=[str(gone)])
    state = read(tmp_path, [conf, copy, source, gone, tmp_path / "boot"])
    assert host_differences(state, **expect) == {"stale": [], "messages": [], "synced": True}

    conf.write_text("authoritative;\ndefault-lease-time 600;\n")
    conf.chmod(0o600)
    copy.write_bytes(b"\x00other")
    gone.write_text("-----BEGIN CERTIFICATE-----\n")
    state = read(tmp_path, [conf, copy, source, gone, tmp_path / "boot"])
    out = host_differences(state, **expect)
    assert out["synced"] is False
    assert out["stale"] == [str(conf), str(copy), str(gone)]
    assert out["messages"] == ["%s: content differs" % conf, "%s: mode 0600, not 0644" % conf,
                               "%s: content differs" % copy, "%s: present, to be removed" % gone]


def test_missing_files_wrong_types_and_services_are_named(tmp_path):
    (tmp_path / "dir").mkdir()
    state = read(tmp_path, [tmp_path / "nothing", tmp_path / "dir"], services=["netboot-no-such.service"])
    out = host_differences(state, files=[{"path": str(tmp_path / "nothing"), "content": ""},
                                         {"path": str(tmp_path / "dir"), "content": "x"}],
                           present=[str(tmp_path / "nothing")], running=["netboot-no-such.service"])
    assert out["stale"] == [str(tmp_path / "nothing"), str(tmp_path / "dir")]
    assert out["messages"][:3] == ["%s: missing" % (tmp_path / "nothing"), "%s: a directory, not a file" % (tmp_path / "dir"),
                                   "%s: content differs" % (tmp_path / "dir")]
    assert out["messages"][3] == "%s: missing" % (tmp_path / "nothing")
    assert out["messages"][4].startswith("netboot-no-such.service: ") and out["messages"][4].endswith("not running and enabled")
    # A service that is neither active nor enabled is what "stopped" and "disabled" ask for.
    assert host_differences(state, stopped=["netboot-no-such.service"], disabled=["netboot-no-such.service"])["synced"] is True
    running = {"files": {}, "services": {"kea-dhcp4-server": {"active": "active", "enabled": "enabled"}}}
    assert host_differences(running, stopped=["kea-dhcp4-server"], disabled=["kea-dhcp4-server"])["messages"] == [
        "kea-dhcp4-server: running, to be stopped", "kea-dhcp4-server: enabled, to be disabled"]


def test_a_host_not_read_is_never_synced_and_a_bad_expectation_is_refused():
    assert host_differences({}, files=[{"path": "/etc/x", "content": ""}]) == {
        "stale": ["/etc/x"], "messages": ["the host was not read"], "synced": False}
    with pytest.raises(AnsibleFilterError, match="an expected file takes path"):
        host_differences({"files": {}}, files=[{"path": "/etc/x", "contents": ""}])
    assert FilterModule().filters()["host_differences"] is host_differences
