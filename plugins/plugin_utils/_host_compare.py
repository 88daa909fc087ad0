# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Does a host, as the host_state module read it, already match what a role
would make of it? One comparison for every role: files by content (or by
another file's checksum), mode, owner, group and type; paths that must be
there or gone; services running and enabled, or stopped and disabled.

The roles skip every task of a host with no difference, so the comparison
decides whether a converge touches a host at all."""

from __future__ import annotations

import hashlib
from typing import Any, Dict, Iterable, List, Mapping, Optional

FILE_KEYS = ("path", "content", "sha1", "same_as", "mode", "owner", "group", "type")


def _sha1(text: str) -> str:
    # As Ansible's hash('sha1') of a string: its UTF-8 bytes.
    return hashlib.sha1(str(text).encode("utf-8")).hexdigest()


def _file_differences(files: Mapping[str, Mapping[str, Any]], want: Mapping[str, Any]) -> List[str]:
    unknown = sorted(set(want) - set(FILE_KEYS))
    if unknown or "path" not in want:
        raise ValueError("an expected file takes %s (got %s)" % (", ".join(FILE_KEYS), ", ".join(sorted(want))))
    path = want["path"]
    have = files.get(path) or {}
    if not have.get("exists"):
        return ["%s: missing" % path]
    out = []
    kind = want.get("type", "file")
    if have.get("type", "file") != kind:
        out.append("%s: a %s, not a %s" % (path, have.get("type"), kind))
    if "content" in want or "sha1" in want or "same_as" in want:
        if "content" in want:
            expected = _sha1(want["content"])
        elif "sha1" in want:
            expected = want["sha1"]
        else:
            expected = (files.get(want["same_as"]) or {}).get("sha1")
        if expected is None or have.get("sha1") != expected:
            out.append("%s: content differs" % path)
    for key in ("mode", "owner", "group"):
        if want.get(key) is not None and str(have.get(key, "")) != str(want[key]):
            out.append("%s: %s %s, not %s" % (path, key, have.get(key, "?"), want[key]))
    return out


def differences(state: Mapping[str, Any], files: Iterable[Mapping[str, Any]] = (), present: Iterable[str] = (),
                absent: Iterable[str] = (), running: Iterable[str] = (), stopped: Iterable[str] = (),
                disabled: Iterable[str] = ()) -> Dict[str, Any]:
    """How the host in STATE (host_state's result) differs from what is
    expected of it.

    FILES: each {path, and any of content (text), sha1, same_as (another
    read path whose checksum it must have), mode, owner, group, type (file,
    the default, or directory)}; PRESENT: paths that must exist; ABSENT:
    paths that must not; RUNNING: services active and enabled; STOPPED:
    services not active; DISABLED: services not enabled.

    Returns {"stale": paths to act on - FILES missing or different, then
    ABSENT ones that exist - in order;
    "messages": one line per difference; "synced": no difference at all}.
    A STATE without files (nothing read yet, as in a render for review) is
    never synced."""
    read: Optional[Mapping[str, Any]] = (state or {}).get("files")
    services: Mapping[str, Any] = (state or {}).get("services") or {}
    if read is None:
        return {"stale": [f["path"] for f in files], "messages": ["the host was not read"], "synced": False}
    stale: List[str] = []
    messages: List[str] = []
    for want in files:
        found = _file_differences(read, want)
        if found:
            stale.append(want["path"])
            messages.extend(found)
    for path in present:
        if not (read.get(path) or {}).get("exists"):
            messages.append("%s: missing" % path)
    for path in absent:
        if (read.get(path) or {}).get("exists"):
            stale.append(path)
            messages.append("%s: present, to be removed" % path)
    for name in running:
        svc = services.get(name) or {}
        if svc.get("active") != "active" or svc.get("enabled") != "enabled":
            messages.append("%s: %s and %s, not running and enabled" % (name, svc.get("active", "unknown"),
                                                                        svc.get("enabled", "unknown")))
    for name in stopped:
        if (services.get(name) or {}).get("active") == "active":
            messages.append("%s: running, to be stopped" % name)
    for name in disabled:
        if (services.get(name) or {}).get("enabled") == "enabled":
            messages.append("%s: enabled, to be disabled" % name)
    return {"stale": stale, "messages": messages, "synced": not messages}
