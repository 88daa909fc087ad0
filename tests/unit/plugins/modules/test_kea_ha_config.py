"""kea_ha config=: the HA peers of the Kea configuration on a host, with the
file of the channel's password it includes, give the URLs and the channel
(the dhcpd role hands a host's Kea clients to the partner this way)."""

import json

import pytest

from ansible_collections.netboot.dhcp_failover.plugins.modules.kea_ha import from_config
from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._kea_render import render_kea

from tests.helpers import example

HOSTS = {"dhcp1.example.com": "10.4.7.9", "dhcp2.example.com": "10.4.7.210"}


def test_the_partner_and_the_channel_come_from_the_rendered_configuration(tmp_path):
    auth = tmp_path / "netboot-ha-auth.json"
    auth.write_text('"basic-auth-password": "not-shown-anywhere"\n')
    settings = {"auth_user": "kea-ha"}
    conf = json.dumps(render_kea(example(), "secondary", HOSTS, settings), indent=2)
    # The role writes the include directive where the password goes.
    text = conf.replace('"basic-auth-password": "netboot:include-ha-password"', '<?include "%s"?>' % auth)
    assert "<?include" in text
    path = tmp_path / "kea-dhcp4.conf"
    path.write_text("// written by the kea role\n" + text)
    url, partner, channel = from_config(str(path))
    assert (url, partner) == ("http://10.4.7.210:8000/", "http://10.4.7.9:8000/")
    assert channel["user"] == "kea-ha" and channel["password"] == "not-shown-anywhere"


def test_a_configuration_without_the_ha_hook_is_refused(tmp_path):
    path = tmp_path / "kea-dhcp4.conf"
    path.write_text(json.dumps({"Dhcp4": {"subnet4": []}}))
    with pytest.raises(ValueError, match="no high-availability hook"):
        from_config(str(path))
