# netboot.dhcp_failover: set-up, tests, lab and demo on a Debian 12 machine (as root).
#   make demo   build the lab, run playbooks/site.yml against it, PXE-boot a VM, summarise
#   make test   lint, unit tests (real dhcpd -t), integration tests (real daemons, playbooks) and the Molecule lab (what CI runs)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV ?= $(CURDIR)/.venv
export NETBOOT_COLLECTIONS_PATH ?= $(CURDIR)/.cache/collections
export ANSIBLE_COLLECTIONS_PATH := $(NETBOOT_COLLECTIONS_PATH)
export PATH := $(VENV)/bin:$(PATH)
export NETBOOT_LAB_SSH_DIR ?= $(CURDIR)/.cache/lab-ssh
export ANSIBLE_FORCE_COLOR ?= false
export PY_COLORS ?= 0

APT_PACKAGES := isc-dhcp-server isc-dhcp-client tftpd-hpa tftp-hpa pxelinux syslinux-common \
	grub-efi-amd64-signed shim-signed qemu-system-x86 ipxe-qemu ovmf seabios \
	podman runc netavark aardvark-dns iptables mmdebstrap uidmap \
	iproute2 procps git make python3-venv python3-pip bind9 bind9-dnsutils openssh-client \
	kea-dhcp4-server kea-ctrl-agent kea-dhcp-ddns-server openssl prometheus prometheus-node-exporter \
	chromium chromium-driver

.PHONY: help deps venv collection image ee lint unit integration lab lab-long lab-debian13 test demo bench bench-render bench-status bench-converge bench-fleet clean

help:
	@sed -n '1,4p' Makefile

# System packages (apt). Services are not started on this machine while installing.
deps:
	bash tests/lab/install-deps.sh $(APT_PACKAGES)

$(VENV)/.installed: test-requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r test-requirements.txt
	touch $@

venv: $(VENV)/.installed

# The repository as ansible_collections/netboot/dhcp_failover for Ansible.
collection:
	mkdir -p $(NETBOOT_COLLECTIONS_PATH)/ansible_collections/netboot
	ln -sfn $(CURDIR) $(NETBOOT_COLLECTIONS_PATH)/ansible_collections/netboot/dhcp_failover

image: deps
	bash tests/lab/setup-host.sh
	bash tests/lab/build-image.sh
	bash tests/lab/lab-ssh.sh

# The lab's execution environment image (ansible-builder, tests/lab/ee/);
# the fleet lab builds it too and runs site.yml from it.
ee: deps venv
	bash tests/lab/build-ee.sh

# Nothing here writes to the user's home: Ansible, ansible-lint, Molecule
# and ansible-test keep their state under .cache (or /var/tmp for
# ansible-test's virtual environments, tests/sanity/run.sh).
lint: export ANSIBLE_HOME := $(CURDIR)/.cache/ansible-home
lint: export XDG_CACHE_HOME := $(CURDIR)/.cache/xdg
lint: venv collection
	ansible-lint --offline
	yamllint -s .
	for p in playbooks/*.yml; do ansible-playbook -i inventories/example --syntax-check $$p >/dev/null; done
	for p in playbooks/*.yml; do ansible-playbook -i inventories/example-primary-only --syntax-check $$p >/dev/null; done
	for f in plugins/filter/*.py plugins/modules/*.py plugins/lookup/*.py; do \
	  t=$$(basename $$(dirname $$f)); t=$${t%s}; ansible-doc -t $${t/modules/module} netboot.dhcp_failover.$$(basename $$f .py) >/dev/null; done
	antsibull-changelog lint
	python tests/docs_defaults.py
	molecule syntax -s almalinux9 >/dev/null
	molecule syntax -s default >/dev/null
	molecule syntax -s fleet >/dev/null
	rm -rf .cache/build && ansible-galaxy collection build --output-path .cache/build >/dev/null
	! tar tzf .cache/build/netboot-dhcp_failover-*.tar.gz | grep -E '^(\.ansible|\.venv|\.cache|molecule|bench)/'
	bash tests/sanity/run.sh
	@echo "lint: ok"

# Unit tests: plain Python, each rendered file through dhcpd -t / kea-dhcp4 -t.
unit: venv collection
	python -m pytest tests/unit

# Integration tests: real daemons in network namespaces the tests make, and
# ansible-playbook, ansible-galaxy and ansible-builder runs on this machine.
integration: venv collection
	bash tests/lab/build-kea-root.sh
	python -m pytest tests/integration

# The Molecule labs on Debian 12 containers (create, converge, idempotence,
# verify, destroy): the site lab and the fleet lab (two sites, ISC and Kea,
# in one inventory) at the same time (tests/lab/run-labs.sh); each cleans
# up even when interrupted.
lab: venv collection image
	bash tests/lab/build-ee.sh
	bash tests/lab/run-labs.sh

# The fleet lab on Debian 13 containers (ISC dhcpd 4.4.3 and Kea 2.6.3), with
# a part of its tests (about 12 minutes): not in make test, which would then
# pass CI's 90 minutes on these 2-core machines (docs/lab.md).
lab-debian13: venv collection image
	LAB_OS=debian13 bash tests/lab/build-image.sh
	bash tests/lab/lab-ssh.sh
	LAB_SCENARIO=fleet LAB_OS=debian13 bash tests/lab/run-lab.sh test

# The same with the longer PXE runs: Secure Boot through shim, SeaBIOS + iPXE.
lab-long: venv collection image
	LAB_PXE_FIRMWARE=uefi,secureboot,bios bash tests/lab/run-lab.sh test

# The checks (lint, unit, integration) beside the labs, at the same time
# (tests/lab/run-all.sh prints each stage's time).
test:
	bash tests/lab/run-all.sh

demo: deps venv collection image
	bash tests/lab/demo.sh

bench: bench-render bench-status bench-converge

bench-render: venv collection
	python bench/bench_render.py

# Counting the pools of a 100 MB lease file: time and peak memory (bench/bench_status.py).
bench-status: venv collection
	python bench/bench_status.py

# The lab's converges against Ansible's floor, then the fleet row: 1, 2 and
# 4 pairs (bench/bench_fleet.py).
bench-converge: venv collection image
	bash tests/lab/run-lab.sh bench
	python bench/bench_fleet.py

# N failover pairs against one (its own containers and networks, removed at the end).
bench-fleet: venv collection image
	python bench/bench_fleet.py

clean:
	bash tests/lab/run-lab.sh destroy || true
	rm -rf .cache .pytest_cache
