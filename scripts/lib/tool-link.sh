# shellcheck shell=bash
# What a cross build of kvm-mmio-top links against, for the test beds that
# run it on a foreign architecture (tests/ppc, tests/arm64-kvm); sourced.
#   tool_sysroot_pkgs  the Debian packages of its sysroot: the build's link
#                      line plus the run-time closure of libmicrohttpd12
#                      (gnutls and its own dependencies, from apt-cache depends)
#   tool_libs          the libraries, given in full because the Makefile asks
#                      the build machine's pkg-config
tool_sysroot_pkgs=(libbpf-dev libbpf1 libelf-dev libelf1 zlib1g-dev zlib1g libjson-c-dev libjson-c5
	libcap-dev libcap2 libmicrohttpd-dev libmicrohttpd12 libgnutls30 libp11-kit0 libidn2-0
	libunistring2 libtasn1-6 libnettle8 libhogweed6 libgmp10 libffi8
	libncurses-dev libncursesw6 libtinfo6 libyaml-dev libyaml-0-2 libcrypt-dev libcrypt1)
# shellcheck disable=SC2034 # used by the scripts that source this file
tool_libs="-lbpf -lelf -lz -ljson-c -lncursesw -ltinfo -lmicrohttpd -lyaml -lcrypt -lcap -lm"
