# make install [PREFIX=/usr/local] [DESTDIR=staging root]: the binary, the
# man page (when docs/kvm-mmio-top.8 exists), bash completion, the systemd
# unit for exporter mode with the system user it runs as (sysusers.d;
# created now unless DESTDIR is set), and the Prometheus docs with the
# Grafana dashboard.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/kvm-mmio-trace
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
# Units of locally installed software belong in /etc, whatever the prefix.
UNITDIR ?= /etc/systemd/system
SYSUSERSDIR ?= /etc/sysusers.d

.PHONY: install

install: $(BUILD)/kvm-mmio-top
	install -D -m 0755 $(BUILD)/kvm-mmio-top $(DESTDIR)$(BINDIR)/kvm-mmio-top
	$(if $(wildcard docs/kvm-mmio-top.8),install -D -m 0644 docs/kvm-mmio-top.8 \
		$(DESTDIR)$(MANDIR)/man8/kvm-mmio-top.8)
	install -D -m 0644 scripts/kvm-mmio-top.bash-completion \
		$(DESTDIR)$(COMPLETIONDIR)/kvm-mmio-top
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/bin/|$(BINDIR)/|' scripts/kvm-mmio-top.service \
		>$(DESTDIR)$(UNITDIR)/kvm-mmio-top.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/kvm-mmio-top.service
	install -D -m 0644 scripts/kvm-mmio-top.sysusers $(DESTDIR)$(SYSUSERSDIR)/kvm-mmio-top.conf
	$(if $(DESTDIR),,-systemd-sysusers $(SYSUSERSDIR)/kvm-mmio-top.conf)
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR) docs/prometheus.md docs/security.md docs/grafana-dashboard.json
