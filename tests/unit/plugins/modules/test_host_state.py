"""host_state reads files and services in one call: run the module itself
(as Ansible runs it, from a JSON file of arguments) on a temporary tree."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid

import pytest

from tests.helpers import ROOT

MODULE = os.path.join(ROOT, "plugins", "modules", "host_state.py")


def run_module(tmp_path, **args):
    argfile = tmp_path / "args.json"
    argfile.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    res = subprocess.run([sys.executable, MODULE, str(argfile)], capture_output=True, text=True, timeout=60, check=False)
    return json.loads(res.stdout)


def test_files_are_described_with_checksum_mode_and_type(tmp_path):
    (tmp_path / "tree").mkdir(mode=0o750)
    conf = tmp_path / "tree" / "dhcpd.conf"
    conf.write_text("authoritative;\n")
    conf.chmod(0o600)
    out = run_module(tmp_path, paths=[str(conf), str(tmp_path / "tree"), str(tmp_path / "missing")])
    assert out["changed"] is False
    files = out["files"]
    assert files[str(conf)]["sha1"] == hashlib.sha1(b"authoritative;\n").hexdigest()
    assert files[str(conf)]["mode"] == "0600" and files[str(conf)]["type"] == "file"
    assert files[str(tmp_path / "tree")] == dict(files[str(tmp_path / "tree")], type="directory", mode="0750", exists=True)
    assert "sha1" not in files[str(tmp_path / "tree")]
    assert files[str(tmp_path / "missing")] == {"exists": False}
    assert files[str(conf)]["size"] == len("authoritative;\n")
    # A directory's file system: free bytes as statvfs counts them for an unprivileged writer.
    st = os.statvfs(tmp_path)
    assert abs(files[str(tmp_path / "tree")]["free"] - st.f_bavail * st.f_frsize) < 64 << 20
    assert abs(out["now"] - __import__("time").time()) < 60


def test_services_report_empty_states_where_systemd_does_not_run(tmp_path):
    out = run_module(tmp_path, services=["no-such-unit-netboot"])
    assert set(out["services"]["no-such-unit-netboot"]) == {"active", "enabled"}
    assert out["services"]["no-such-unit-netboot"]["active"] != "active"


def netns_module(tmp_path, namespace, **args):
    argfile = tmp_path / "args.json"
    argfile.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    res = subprocess.run(["ip", "netns", "exec", namespace, sys.executable, MODULE, str(argfile)],
                         capture_output=True, text=True, timeout=60, check=False)
    return json.loads(res.stdout)


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip"), reason="needs root and iproute2 for a network namespace")
def test_default_interface_is_the_default_route_with_the_lowest_metric(tmp_path):
    """In a network namespace made here: no default route gives '', and of two
    default routes the one with the lower metric is the answer, as the kernel
    would route."""
    ns = "nbhs" + uuid.uuid4().hex[:6]
    ip = ["ip", "-n", ns]
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        out = netns_module(tmp_path, ns)
        assert out["default_interface"] == "" and out["addresses"] == {}
        for name, net in (("up1", "10.91.1"), ("up2", "10.91.2")):
            subprocess.run(ip + ["link", "add", name, "type", "veth", "peer", "name", name + "p"], check=True)
            subprocess.run(ip + ["addr", "add", net + ".2/24", "dev", name], check=True)
            subprocess.run(ip + ["link", "set", name + "p", "up"], check=True)
            subprocess.run(ip + ["link", "set", name, "up"], check=True)
        subprocess.run(ip + ["route", "add", "default", "via", "10.91.1.1", "dev", "up1", "metric", "200"], check=True)
        assert netns_module(tmp_path, ns)["default_interface"] == "up1"
        subprocess.run(ip + ["route", "add", "default", "via", "10.91.2.1", "dev", "up2", "metric", "50"], check=True)
        assert netns_module(tmp_path, ns)["default_interface"] == "up2"
        kernel = subprocess.run(ip + ["-4", "route", "show", "default"], capture_output=True, text=True, check=True).stdout
        assert kernel.splitlines()[0].split(" dev ")[1].split()[0] == "up2"
        # Every IPv4 address of the namespace, by interface, as the kernel has them.
        assert netns_module(tmp_path, ns)["addresses"] == {"up1": ["10.91.1.2/24"], "up2": ["10.91.2.2/24"]}
    finally:
        subprocess.run(["ip", "netns", "delete", ns], check=False)


def test_facts_are_the_ones_setup_gathers_for_the_same_subset(tmp_path):
    """facts: true gathers with Ansible's own collectors: on this machine
    they equal what ansible.builtin.setup returns for the same subset (the
    roles' os_vars step), without setup's 'facts were gathered' mark."""
    out = run_module(tmp_path, facts=True)
    env = dict(os.environ, ANSIBLE_HOME=str(tmp_path / "home"), ANSIBLE_LOCALHOST_WARNING="false")
    res = subprocess.run(["ansible", "localhost", "-c", "local", "-m", "ansible.builtin.setup", "-a",
                          "gather_subset=!all,!min,distribution,platform,selinux,pkg_mgr,service_mgr"],
                         capture_output=True, text=True, env=env, timeout=120, check=True)
    setup = json.loads(res.stdout.split(" => ", 1)[1])["ansible_facts"]
    mine = out["ansible_facts"]
    for key in ("ansible_os_family", "ansible_distribution", "ansible_distribution_major_version", "ansible_architecture",
                "ansible_pkg_mgr", "ansible_service_mgr", "ansible_selinux"):
        assert mine[key] == setup[key], key
    assert set(mine) == set(setup) - {"module_setup"}
    assert "ansible_facts" not in run_module(tmp_path)


def test_versions_are_what_the_real_kea_dhcp4_prints_and_empty_for_a_missing_program(tmp_path):
    kea = shutil.which("kea-dhcp4") or "/usr/sbin/kea-dhcp4"
    assert os.path.exists(kea), "kea-dhcp4 is installed by make deps"
    printed = subprocess.run([kea, "-v"], capture_output=True, text=True, check=True).stdout.splitlines()[0].strip()
    out = run_module(tmp_path, versions=[kea, str(tmp_path / "missing")])
    assert out["versions"] == {kea: printed, str(tmp_path / "missing"): ""}
    assert printed.split(".")[0].isdigit()
