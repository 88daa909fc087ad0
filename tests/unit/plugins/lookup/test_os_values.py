"""The os_values lookup over the roles' real per-OS values files."""

import os

import pytest
import yaml
from ansible.errors import AnsibleError

from ansible_collections.netboot.dhcp_failover.plugins.lookup.os_values import LookupModule

from tests.helpers import ROOT


def os_values(*role_paths):
    return LookupModule().run(list(role_paths), variables={})


@pytest.mark.parametrize("role,key,service,debian,redhat", [
    ("dhcpd", "__dhcpd_os", "service", "isc-dhcp-server", "dhcpd"),
    ("kea", "__kea_os", "dhcp4_service", "kea-dhcp4-server", "kea-dhcp4"),
    ("tftp_server", "__tftp_server_os", "service", "tftpd-hpa", "tftp.socket"),
])
def test_every_per_os_file_of_a_role_and_not_its_main(role, key, service, debian, redhat):
    values = os_values(os.path.join(ROOT, "roles", role))
    # Debian.yml, RedHat.yml: file name order; vars/main.yml is left out.
    # One shape for every role: each file holds one mapping, __<role>_os.
    assert [list(v) for v in values] == [[key], [key]]
    assert [v[key][service] for v in values] == [debian, redhat]
    with open(os.path.join(ROOT, "roles", role, "vars", "main.yml")) as fh:
        main_keys = set(yaml.safe_load(fh))
    assert main_keys and all(not main_keys & set(v) for v in values)


def test_a_values_file_that_is_not_a_mapping_is_refused(tmp_path):
    (tmp_path / "vars").mkdir()
    (tmp_path / "vars" / "Debian.yml").write_text("- a list\n")
    with pytest.raises(AnsibleError, match="is not a mapping"):
        os_values(str(tmp_path))
