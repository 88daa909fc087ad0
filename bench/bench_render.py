#!/usr/bin/env python3
"""Benchmark: check and render a large site, against a plain Jinja template.

Reports, in one run, wall time (best of five) and peak memory of dhcpd_config (checks plus
rendering) for sites of 100 to 1,000 subnets (20 reservations per subnet,
so 20,000 at the top), the ratio to a bare Jinja template that writes the
same subnets, pools and hosts with no checks, and how time grows with size.
Nothing is asserted: this is a report.  Usage: python3 bench/bench_render.py
"""

import ipaddress
import os
import sys
import time
import tracemalloc

import jinja2

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import tests.conftest  # noqa: E402,F401  (puts the collection on sys.path)

from ansible_collections.netboot.dhcp_failover.plugins.plugin_utils._dhcpd_render import render_config  # noqa: E402

PLAIN = jinja2.Template(
    """failover peer "{{ f.name }}" { primary; address {{ f.primary.address }}; port 647;
peer address {{ f.secondary.address }}; peer port 647; mclt {{ f.mclt }}; split {{ f.split }}; }
{% for s in subnets %}subnet {{ s.net }} netmask {{ s.mask }} {
{% for k, v in s.options.items() %}  option {{ k }} {{ v }};
{% endfor %}{% for p in s.pools %}  pool { range {{ p.range }}; failover peer "{{ f.name }}"; }
{% endfor %}}
{% endfor %}{% for h in hosts %}host {{ h.name }} { hardware ethernet {{ h.mac }}; fixed-address {{ h.address }}; }
{% endfor %}"""
)


def site(n_subnets, hosts_per_subnet=20):
    subnets, hosts = [], []
    for i in range(n_subnets):
        net = ipaddress.IPv4Network("10.%d.%d.0/24" % (100 + i // 256, i % 256))
        base = net.network_address
        subnets.append(
            {
                "network": str(net),
                "options": {"routers": str(base + 1), "domain-name-servers": ["10.4.7.7", "10.4.7.29"]},
                "pools": [{"range": "%s %s" % (base + 100, base + 250)}],
            }
        )
        for j in range(hosts_per_subnet):
            hosts.append({"name": "h%d-%d" % (i, j), "mac": "52:54:%02x:%02x:%02x:%02x" % (i >> 8, i & 255, j, 1), "address": str(base + 10 + j)})
    return {
        "dhcpd_failover": {
            "name": "fo",
            "primary": {"host": "dhcp1", "address": "10.4.7.9"},
            "secondary": {"host": "dhcp2", "address": "10.4.7.210"},
            "mclt": 1800,
            "split": 128,
        },
        "dhcpd_subnets": subnets,
        "dhcpd_hosts": hosts,
        "dhcpd_pxe": {"next_server": "10.4.7.9"},
    }


def plain_data(model):
    subnets = []
    for s in model["dhcpd_subnets"]:
        net = ipaddress.IPv4Network(s["network"])
        subnets.append(
            {
                "net": net.network_address,
                "mask": net.netmask,
                "options": {"routers": s["options"]["routers"], "domain-name-servers": ", ".join(s["options"]["domain-name-servers"])},
                "pools": s["pools"],
            }
        )
    return {"f": model["dhcpd_failover"], "subnets": subnets, "hosts": model["dhcpd_hosts"]}


def measure(fn, repeat=5):
    best = None
    for dummy in range(repeat):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak


def main():
    hosts = {"dhcp1": "10.4.7.9", "dhcp2": "10.4.7.210"}
    print("%8s %8s %12s %10s %12s %10s %9s %9s" % ("subnets", "hosts", "checked_s", "peak_MiB", "jinja_s", "jinja_MiB", "t_ratio", "per_sub_ms"))
    rows = []
    for n in (100, 250, 500, 1000):
        model = site(n)
        data = plain_data(model)
        t, peak = measure(lambda: render_config(model, "primary", hosts))
        tj, peakj = measure(lambda: PLAIN.render(**data))
        rows.append((n, t))
        print("%8d %8d %12.3f %10.1f %12.3f %10.1f %9.1f %9.3f" % (n, len(model["dhcpd_hosts"]), t, peak / 2**20, tj, peakj / 2**20, t / tj, 1000 * t / n))
    (n0, t0), (n1, t1) = rows[0], rows[-1]
    print("growth 100 -> 1000 subnets: time x%.1f for size x%.0f (linear would be x10)" % (t1 / t0, n1 / n0))
    print("large site (1000 subnets, 20000 reservations): %.3f s, goal < 1 s" % t1)


if __name__ == "__main__":
    main()
