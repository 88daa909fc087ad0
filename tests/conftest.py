"""Make the repository importable as ansible_collections.netboot.dhcp_failover."""

import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _collection_path():
    base = os.environ.get("NETBOOT_COLLECTIONS_PATH")
    if not base:
        base = os.path.join(tempfile.gettempdir(), "netboot-dhcp-failover-collections")
    link = os.path.join(base, "ansible_collections", "netboot", "dhcp_failover")
    os.makedirs(os.path.dirname(link), exist_ok=True)
    if os.path.realpath(link) != ROOT:
        if os.path.islink(link):
            os.unlink(link)
        os.symlink(ROOT, link)
    return base


COLLECTIONS = _collection_path()
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
