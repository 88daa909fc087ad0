#!/usr/bin/env python3
"""Pack an installed collection (a directory with MANIFEST.json) into a
tarball that ansible-galaxy installs: the format of `ansible-galaxy
collection build` (MANIFEST.json, FILES.json listing every directory and
file with the SHA-256 of each file, then the files). FILES.json is written
anew from what the directory holds, since an installed copy may lack files
that its original FILES.json lists; MANIFEST.json is updated with the new
FILES.json's checksum. Compiled caches are left out.

Usage: pack_collection.py SOURCE_DIR OUTPUT.tar.gz
"""

import hashlib
import io
import json
import os
import sys
import tarfile


def digest(data):
    return hashlib.sha256(data).hexdigest()


def members(src):
    for folder, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        rel = os.path.relpath(folder, src)
        if rel != ".":
            yield rel, None
        for name in sorted(files):
            path = os.path.join(rel, name) if rel != "." else name
            if path in ("MANIFEST.json", "FILES.json") or name.endswith(".pyc"):
                continue
            yield path, os.path.join(folder, name)


def pack(src, out):
    entries = [{"name": ".", "ftype": "dir", "chksum_type": None, "chksum_sha256": None, "format": 1}]
    listed = list(members(src))
    for path, real in listed:
        if real is None:
            entries.append({"name": path, "ftype": "dir", "chksum_type": None, "chksum_sha256": None, "format": 1})
        else:
            with open(real, "rb") as fh:
                entries.append({"name": path, "ftype": "file", "chksum_type": "sha256",
                                "chksum_sha256": digest(fh.read()), "format": 1})
    files_json = json.dumps({"files": entries, "format": 1}, indent=4).encode()
    with open(os.path.join(src, "MANIFEST.json")) as fh:
        manifest = json.load(fh)
    manifest["file_manifest_file"]["chksum_sha256"] = digest(files_json)
    manifest_json = json.dumps(manifest, indent=4).encode()
    with tarfile.open(out, "w:gz") as tar:
        for name, data in (("MANIFEST.json", manifest_json), ("FILES.json", files_json)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
        for path, real in listed:
            tar.add(real if real else os.path.join(src, path), arcname=path, recursive=False)


if __name__ == "__main__":
    pack(sys.argv[1], sys.argv[2])
