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


def tftp_plan(os_values, settings, distribution=None):
    """Return the plan for one OS: ``root``, ``default_root``, ``dirs`` and the
    ``copies`` ({src, dest}), ``menus`` ({dest, menu}) and ``config_files``
    ({path, kind}) to write, and ``paths``, every absolute path to read."""
    missing = [key for key in OS_KEYS if key not in os_values]
    if missing:
        raise PlanError("the per-OS values lack %s" % ", ".join(missing))
    default_root = os_values["default_root"]
    root = (settings.get("root") or default_root).rstrip("/") or "/"
    if not root.startswith("/"):
        raise PlanError("tftp_server_root must be an absolute path, got %r" % root)
    bios, uefi = bool(settings.get("bios", True)), bool(settings.get("uefi", True))

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

    menus = ([{"dest": PXELINUX_MENU, "menu": "pxelinux"}] if bios else []) + (
        [{"dest": _relative(path, "grub_cfg_paths entry"), "menu": "grub"} for path in os_values["grub_cfg_paths"]] if uefi else [])
    user = [_relative(item.get("dest"), "tftp_server_files dest") for item in settings.get("files") or []]
    fetched = [_relative(item.get("dest"), "tftp_server_downloads dest") for item in settings.get("downloads") or []]

    dirs = []
    for path in [menu["dest"] for menu in menus] + user + fetched:
        folder = posixpath.dirname(path)
        if folder and folder not in dirs:
            dirs.append(folder)

    config_files = []
    if os_values["defaults_file"]:
        config_files.append({"path": os_values["defaults_file"], "kind": "defaults"})
    if os_values["dropin"] and root != default_root:
        config_files.append({"path": os_values["dropin"], "kind": "dropin"})

    def under(rel):
        return posixpath.join(root, rel)

    paths = [os_values["binary"], root]
    paths += [under(d) for d in dirs]
    paths += [c["src"] for c in copies] + [under(c["dest"]) for c in copies]
    paths += [under(m["dest"]) for m in menus] + [under(f) for f in user]
    paths += [f["path"] for f in config_files]
    return {
        "root": root,
        "default_root": default_root,
        "dirs": dirs,
        "copies": copies,
        "menus": menus,
        "config_files": config_files,
        "paths": list(dict.fromkeys(paths)),
    }
