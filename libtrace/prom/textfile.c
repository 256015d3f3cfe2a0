// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "textfile.h"

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sets *step and returns -errno for the caller's error path. */
static int failed(const char **step, const char *what)
{
	*step = what;
	return -errno;
}

/* Writes and syncs the temporary file. */
static int write_tmp(const char *tmp, const char *data, size_t len, const char *tail,
		     const char **step)
{
	int fd, err;

	/* No symlink following: the directory may be writable by others. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return failed(step, "create");
	/* node_exporter runs as another user: readable whatever our umask. */
	if (fchmod(fd, 0644)) {
		err = failed(step, "chmod");
	} else {
		err = write_all(fd, data, len);
		if (!err && tail)
			err = write_all(fd, tail, strlen(tail));
		if (err)
			*step = "write";
		else if (fsync(fd))
			err = failed(step, "fsync");
	}
	/* close() reports deferred write errors (NFS, quota). */
	if (close(fd) && !err)
		err = failed(step, "close");
	return err;
}

int kmt_textfile_write(const char *dir, const char *name, const char *data, size_t len,
		       const char *tail, const char **step)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int err, dfd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		*step = "name";
		return -ENAMETOOLONG;
	}
	err = write_tmp(tmp, data, len, tail, step);
	if (!err && rename(tmp, path))
		err = failed(step, "rename");
	if (err) {
		unlink(tmp);
		return err;
	}
	/* The rename is durable once the directory is synced. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return failed(step, "open directory");
	err = fsync(dfd) ? failed(step, "fsync directory") : 0;
	close(dfd);
	return err;
}
