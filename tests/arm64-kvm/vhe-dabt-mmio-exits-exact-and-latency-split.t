#!/usr/bin/env bash
# The same proof as nvhe-dabt-mmio-exits-exact-and-latency-split.t with KVM
# in VHE mode (the host kernel itself runs at EL2, the default on CPUs with
# VHE): guest exits reach the host without a switch from EL2 to EL1.
. "$(dirname "$0")/lib.sh"
run_mmio_scenario vhe
