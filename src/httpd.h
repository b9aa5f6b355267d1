/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* A small HTTP(S) server on libmicrohttpd for the exporter: a thread per
 * connection under a connection limit and an idle timeout, optional TLS
 * and bcrypt basic auth from an exporter-toolkit web config, and a stop
 * that lets responses in flight finish. The application answers each GET
 * through one handler; nothing here knows about metrics. */
#ifndef BPFCOST_HTTPD_H
#define BPFCOST_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include "webconfig.h"

struct xh_request {
	const char *path;	/* "/metrics" */
	const char *accept;	/* Accept header value, or NULL */
};

struct xh_reply {
	unsigned status;	/* 200, 404, 500, ... */
	const char *content_type;
	char *body;		/* malloc'd; the server frees it */
	size_t len;
};

/* Runs on the connection's thread. It must fill rp (body may be NULL for
 * an empty body); it must not block on anything but its own work. */
typedef void (*xh_handler_fn)(void *arg, const struct xh_request *rq, struct xh_reply *rp);
/* A request ended badly on the network side (client gone, timeout). */
typedef void (*xh_error_fn)(void *arg);

struct xh_opts {
	struct sockaddr_storage addr;	/* from xh_parse_listen */
	socklen_t addrlen;
	unsigned max_connections;
	unsigned timeout_s;		/* idle connections are closed after this */
	const char *cert_pem, *key_pem;	/* both or neither: TLS */
	const char *tls_priorities;	/* GnuTLS priority string, with TLS */
	const struct web_config *auth;	/* users for basic auth, or NULL */
	xh_handler_fn handler;
	xh_error_fn on_error;
	void *arg;
	bool verbose;			/* pass libmicrohttpd's own messages on */
};

struct xh_server;

/* Strict: "A.B.C.D:PORT" or "[IPv6]:PORT", numeric addresses only, port
 * 0..65535 in decimal (0: any free port). 0 or -EINVAL after a one-line
 * error naming what. */
int xh_parse_listen(const char *what, const char *s, struct sockaddr_storage *ss,
		    socklen_t *len);
/* Printable "127.0.0.1:9476" / "[::1]:9476". */
void xh_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len);
/* Bind, listen and start serving. One-line error and a negative errno on
 * failure (address in use, TLS not built in, bad certificate). */
int xh_start(const struct xh_opts *o, struct xh_server **out);
/* The address actually bound (port 0 resolved). */
void xh_bound(const struct xh_server *s, struct sockaddr_storage *ss);
/* Stop accepting, wait up to grace_s for requests in flight to finish,
 * then close every connection and free s. */
void xh_stop(struct xh_server *s, double grace_s);

#endif
