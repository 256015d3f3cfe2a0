# Least privilege and hostile input (docs/security.md): the systemd unit's
# exposure score and system call filter, the tool run with only the unit's
# capabilities, TLS and basic auth on /metrics.

TESTS += $(sort $(wildcard tests/security/*.t))
