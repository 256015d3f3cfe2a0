# Live tests of the Prometheus export (docs/prometheus.md). Its unit tests
# (tests/unit/test_prom_*.c, test_textfile.c, test_metrics_http.c) are built
# and run by mk/tests.mk like every other unit test.

TESTS += $(sort $(wildcard tests/prom/*.t))
