"""The collection as a Galaxy user gets it: the built tarball installed with
ansible-galaxy into an empty collections path, its declared dependencies
satisfied from local copies (no Galaxy server is reachable here: the
collections the ansible package ships, packed as Galaxy artifacts), then
playbooks/render.yml run by its FQCN from outside the repository, with only
that collections path visible to Ansible."""

import glob
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile

import yaml

from tests.helpers import ROOT


def shipped_copy(fqcn):
    """The folder of an installed collection FQCN on this Python's path."""
    parts = fqcn.split(".")
    for base in sys.path:
        path = os.path.join(base, "ansible_collections", *parts)
        if os.path.exists(os.path.join(path, "MANIFEST.json")):
            return path
    raise AssertionError("%s is not installed with this Python (the ansible package ships it)" % fqcn)


def _add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def artifact(fqcn, out):
    """An installed collection packed back into a Galaxy artifact: MANIFEST.json,
    FILES.json and the files FILES.json lists, as ansible-galaxy builds them.
    The ansible package leaves out some listed files (CI folders), so FILES.json
    is cut to the files present, each checked against its recorded SHA-256,
    and MANIFEST.json is given the new FILES.json checksum."""
    src = shipped_copy(fqcn)
    with open(os.path.join(src, "MANIFEST.json")) as fh:
        manifest = json.load(fh)
    with open(os.path.join(src, "FILES.json")) as fh:
        files = json.load(fh)
    kept = []
    for entry in files["files"]:
        path = os.path.join(src, entry["name"])
        if entry["ftype"] == "dir" and os.path.isdir(path):
            kept.append(entry)
        elif entry["ftype"] == "file" and os.path.isfile(path):
            with open(path, "rb") as fh:
                assert hashlib.sha256(fh.read()).hexdigest() == entry["chksum_sha256"], path
            kept.append(entry)
    files_json = json.dumps(dict(files, files=kept), indent=4).encode()
    manifest["file_manifest_file"]["chksum_sha256"] = hashlib.sha256(files_json).hexdigest()
    version = manifest["collection_info"]["version"]
    path = os.path.join(out, "%s-%s.tar.gz" % (fqcn.replace(".", "-"), version))
    with tarfile.open(path, "w:gz") as tar:
        _add_bytes(tar, "MANIFEST.json", json.dumps(manifest, indent=4).encode())
        _add_bytes(tar, "FILES.json", files_json)
        for entry in kept:
            if entry["name"] != ".":
                tar.add(os.path.join(src, entry["name"]), arcname=entry["name"], recursive=False)
    return path


def run(cmd, env, cwd):
    res = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    assert res.returncode == 0, "%s\n%s\n%s" % (" ".join(cmd), res.stdout[-3000:], res.stderr[-3000:])
    return res


def test_built_tarball_installs_with_its_dependencies_and_runs_render(tmp_path):
    with open(os.path.join(ROOT, "galaxy.yml")) as fh:
        galaxy = yaml.safe_load(fh)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_HOME=str(tmp_path / "ansible-home"), ANSIBLE_FORCE_COLOR="false",
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_COLLECTIONS_PATH=str(tmp_path / "collections"))
    build = tmp_path / "build"
    run(["ansible-galaxy", "collection", "build", "--output-path", str(build), ROOT], env, str(tmp_path))
    ours = glob.glob(str(build / "netboot-dhcp_failover-*.tar.gz"))
    assert len(ours) == 1
    deps = [artifact(name, str(build)) for name in sorted(galaxy["dependencies"])]
    assert sorted(galaxy["dependencies"]) == ["ansible.posix", "community.general"]
    run(["ansible-galaxy", "collection", "install", "--offline", "-p", str(tmp_path / "collections"), ours[0]] + deps,
        env, str(tmp_path))
    installed = tmp_path / "collections" / "ansible_collections"
    for fqcn in ["netboot.dhcp_failover"] + list(galaxy["dependencies"]):
        assert (installed.joinpath(*fqcn.split(".")) / "MANIFEST.json").exists(), fqcn
    # The lab, the bench and the CI scripts are not shipped.
    shipped = installed / "netboot" / "dhcp_failover"
    for absent in ("molecule", "bench", "tests/lab", ".ci", "Makefile"):
        assert not (shipped / absent).exists(), absent
    # A user's project: an inventory of their own (here the example one),
    # nothing of the repository on any path Ansible searches.
    project = tmp_path / "site"
    shutil.copytree(os.path.join(ROOT, "inventories", "example"), str(project / "inventory"))
    out = tmp_path / "rendered"
    res = run(["ansible-playbook", "-i", "inventory", "netboot.dhcp_failover.render", "-e", "render_dir=%s" % out],
              env, str(project))
    assert "failed=0" in res.stdout
    with open(os.path.join(ROOT, "inventories", "example", "hosts.yml")) as fh:
        inventory = yaml.safe_load(fh)
    peers = [h for g in ("dhcpd_primary", "dhcpd_secondary")
             for h in inventory["all"]["children"]["dhcp_servers"]["children"][g]["hosts"]]
    for peer in peers:
        text = (out / peer / "dhcpd.conf").read_text()
        assert "failover peer" in text, peer
