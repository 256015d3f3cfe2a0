// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * --web-config files of any content: parsed or refused with a message,
 * never crashing or leaking; what is accepted is consistent.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "fuzz_check.h"
#include "web_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmt_web_config cfg;
	char err[256] = "";
	int rc = kmt_web_config_parse(&cfg, (const char *)data, size, "/etc/kmt", err, sizeof(err));

	if (rc) {
		FUZZ_CHECK(rc == -EINVAL || rc == -ENOMEM);
		FUZZ_CHECK(err[0]);
		return 0;
	}
	FUZZ_CHECK(!cfg.tls || (cfg.cert_file && cfg.key_file));
	FUZZ_CHECK(cfg.min_version == 12 || cfg.min_version == 13);
	for (size_t i = 0; i < cfg.nr_users; i++) {
		FUZZ_CHECK(cfg.users[i].name[0] && !strchr(cfg.users[i].name, ':'));
		FUZZ_CHECK(strlen(cfg.users[i].hash) == 60);
	}
	FUZZ_CHECK(kmt_web_config_tls_priorities(&cfg));
	kmt_web_config_free(&cfg);
	return 0;
}
