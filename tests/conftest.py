"""Import the collection as ansible_collections.netboot.dhcp_failover, the
way Ansible loads it: from the collections folder this checkout sits in
(ansible_collections/netboot/dhcp_failover, as after ansible-galaxy install
or for ansible-test), else from NETBOOT_COLLECTIONS_PATH, where
`make collection` links the checkout. Nothing is created here."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _collections_root():
    parts = ROOT.split(os.sep)
    if parts[-3:] == ["ansible_collections", "netboot", "dhcp_failover"]:
        return os.sep.join(parts[:-3])
    base = os.environ.get("NETBOOT_COLLECTIONS_PATH") or os.path.join(ROOT, ".cache", "collections")
    link = os.path.join(base, "ansible_collections", "netboot", "dhcp_failover")
    if os.path.realpath(link) != ROOT:
        raise RuntimeError(
            "%s is not this checkout (%s): run `make collection`, or set NETBOOT_COLLECTIONS_PATH to a folder "
            "whose ansible_collections/netboot/dhcp_failover is this checkout" % (link, ROOT)
        )
    return base


COLLECTIONS = _collections_root()
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
