"""host_state reads files and services in one call: run the module itself
(as Ansible runs it, from a JSON file of arguments) on a temporary tree."""

import hashlib
import json
import os
import subprocess
import sys

from tests.unit.helpers import ROOT

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
    assert abs(out["now"] - __import__("time").time()) < 60


def test_services_report_empty_states_where_systemd_does_not_run(tmp_path):
    out = run_module(tmp_path, services=["no-such-unit-netboot"])
    assert set(out["services"]["no-such-unit-netboot"]) == {"active", "enabled"}
    assert out["services"]["no-such-unit-netboot"]["active"] != "active"
