# -*- coding: utf-8 -*-
# Copyright: (c) 2026, netboot.dhcp_failover contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the tftp_server role puts on a host: folders, loaders, menus and
configuration files, and every path it reads to compare the host with that.

Plain Python over the role's per-OS values (roles/tftp_server/vars/<OS>.yml,
the mapping ``__tftp_server_os``) and its settings (the ``tftp_server_*``
variables). The role's one-round-trip comparison reads ``paths``; with the
distribution left out, the paths are those of every distribution the OS file
serves, so the comparison can read them before the facts are known.
"""

from __future__ import annotations

import posixpath

VENDOR = "{efi_vendor}"
OS_KEYS = ("binary", "service", "default_root", "defaults_file", "dropin", "module_dir",
           "bios_loaders", "uefi_loaders", "grub_cfg_paths")
PXELINUX_MENU = "pxelinux.cfg/default"


class PlanError(ValueError):
    """The per-OS values or the settings cannot make a plan."""


def _relative(path, what):
    """A path inside the TFTP root: relative, without '..'."""
    if not isinstance(path, str) or not path or path.startswith("/") or ".." in path.split("/"):
        raise PlanError("%s must be a path relative to the TFTP root without '..', got %r" % (what, path))
    return path


def efi_vendors(os_values, distribution=None):
    """The EFI vendor folders whose loaders the plan copies: the one of
    ``distribution`` (the OS file's map, else the distribution in lower
    case), or every one the map names when the distribution is left out."""
    known = os_values.get("efi_vendors") or {}
    if distribution:
        return [known.get(distribution, distribution.lower())]
    return sorted(set(known.values()))


def _copies(os_values, settings, distribution, bios, uefi):
    """The loaders of the OS packages (UEFI ones for each EFI vendor folder)
    and the BIOS modules the user names: [{src, dest}]."""
    loaders = list(os_values["bios_loaders"]) if bios else []
    vendors = efi_vendors(os_values, distribution)
    for loader in os_values["uefi_loaders"] if uefi else []:
        if VENDOR in loader["src"]:
            loaders += [dict(loader, src=loader["src"].replace(VENDOR, vendor)) for vendor in vendors]
        else:
            loaders.append(dict(loader))
    copies = [{"src": item["src"], "dest": item["dest"]} for item in loaders]
    for module in (settings.get("bios_modules") or []) if bios else []:
        name = _relative(module, "tftp_server_bios_modules entry")
        copies.append({"src": posixpath.join(os_values["module_dir"], name), "dest": name})
    return copies


def tftp_plan(os_values, settings, distribution=None, contents=None):
    """Return the plan for one OS: ``root``, ``default_root``, ``dirs`` and the
    ``copies`` ({src, dest}), ``menus`` ({dest, menu}) and ``config_files``
    ({path, kind}) to write, and ``paths``, every absolute path to read.

    With ``contents`` (see ``expectations``) the menus and configuration
    files carry their ``content`` and the plan its ``expect``."""
    missing = [key for key in OS_KEYS if key not in os_values]
    if missing:
        raise PlanError("the per-OS values lack %s" % ", ".join(missing))
    default_root = os_values["default_root"]
    root = (settings.get("root") or default_root).rstrip("/") or "/"
    if not root.startswith("/"):
        raise PlanError("tftp_server_root must be an absolute path, got %r" % root)
    bios, uefi = bool(settings.get("bios", True)), bool(settings.get("uefi", True))
    copies = _copies(os_values, settings, distribution, bios, uefi)
    menus = ([{"dest": PXELINUX_MENU, "menu": "pxelinux"}] if bios else []) + (
        [{"dest": _relative(path, "grub_cfg_paths entry"), "menu": "grub"} for path in os_values["grub_cfg_paths"]] if uefi else [])
    user = [_relative(item.get("dest"), "tftp_server_files dest") for item in settings.get("files") or []]
    fetched = [_relative(item.get("dest"), "tftp_server_downloads dest") for item in settings.get("downloads") or []]
    dirs = list(dict.fromkeys(folder for folder in (posixpath.dirname(path) for path in [m["dest"] for m in menus] + user + fetched) if folder))
    config_files = []
    if os_values["defaults_file"]:
        config_files.append({"path": os_values["defaults_file"], "kind": "defaults"})
    if os_values["dropin"] and root != default_root:
        config_files.append({"path": os_values["dropin"], "kind": "dropin"})

    def under(rel):
        return posixpath.join(root, rel)

    paths = [os_values["binary"], root] + [under(d) for d in dirs]
    paths += [c["src"] for c in copies] + [under(c["dest"]) for c in copies]
    paths += [under(m["dest"]) for m in menus] + [under(f) for f in user] + [f["path"] for f in config_files]
    plan = {
        "root": root,
        "default_root": default_root,
        "dirs": dirs,
        "copies": copies,
        "menus": menus,
        "config_files": config_files,
        "paths": list(dict.fromkeys(paths)),
    }
    if contents is not None:
        plan = expectations(plan, os_values, settings, contents)
    return plan


def expectations(plan, os_values, settings, contents):
    """The plan with what the host must hold, as the host_differences filter
    takes it: ``expect.server`` (tftpd, the loaders' packages, the
    configuration files, the service running) and ``expect.boot`` (the boot
    tree: folders, copies, menus, the user's files).

    ``contents`` maps each menu (``grub``, ``pxelinux``) and configuration
    file kind (``defaults``, ``dropin``) to its text, and ``file_sha1`` to the
    checksums of the user's files (settings ``files``), in order."""
    root = plan["root"]
    try:
        menus = [dict(menu, content=contents[menu["menu"]]) for menu in plan["menus"]]
        config_files = [dict(item, content=contents[item["kind"]]) for item in plan["config_files"]]
    except KeyError as exc:
        raise PlanError("no content given for %s" % exc) from None
    user = settings.get("files") or []
    sums = list(contents.get("file_sha1") or [])
    if len(sums) != len(user):
        raise PlanError("%d checksums given for %d files" % (len(sums), len(user)))

    def under(rel):
        return posixpath.join(root, rel)

    root_dir = {"path": root, "type": "directory"}
    boot = [root_dir]
    boot += [{"path": under(d), "type": "directory", "mode": "0755"} for d in plan["dirs"]]
    boot += [{"path": under(c["dest"]), "same_as": c["src"], "mode": "0644", "owner": "root"} for c in plan["copies"]]
    boot += [{"path": under(m["dest"]), "content": m["content"], "mode": "0644"} for m in menus]
    boot += [{"path": under(f["dest"]), "sha1": s or "-", "mode": f.get("mode") or "0644"} for f, s in zip(user, sums)]
    server = {
        "files": [root_dir] + [{"path": f["path"], "content": f["content"], "mode": "0644"} for f in config_files],
        "present": [os_values["binary"]] + [c["src"] for c in plan["copies"]],
        "running": [os_values["service"]],
    }
    return dict(plan, menus=menus, config_files=config_files, expect={"server": server, "boot": {"files": boot}})
