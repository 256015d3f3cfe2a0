# The fleet view (contrib/prometheus/): promtool unit tests of the shipped
# recording and alerting rules, and a real Prometheus server over three
# exporters on this host.

TESTS += $(sort $(wildcard tests/fleet/*.t))
