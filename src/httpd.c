// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* HTTP(S) on libmicrohttpd.
 *
 * Thread per connection: the handler's own work (a collection and a
 * render under the exporter's lock, or a bcrypt check) never holds up
 * another connection's I/O, and a client that reads slowly ties up only
 * its own thread, until the idle timeout. The connection limit bounds the
 * threads. We make the listening socket ourselves, so an address in use
 * is a plain one-line error and port 0 can be read back. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include "common.h"
#include "httpd.h"

/* Request headers beyond this are refused by libmicrohttpd (431/413). */
#define XH_CONN_MEMORY (32 * 1024)
#define XH_REALM "bpfcost"

struct xh_server {
	struct MHD_Daemon *d;
	int fd;
	struct sockaddr_storage bound;
	struct xh_opts o;
	int in_flight;			/* requests between first call and completion */
	pthread_mutex_t auth_lock;
	char **verified;		/* per user: last password that passed bcrypt */
};

/* ---- addresses ---- */

static int parse_port(const char *s, in_port_t *port)
{
	unsigned long v = 0;
	const char *c;

	if (!*s || strlen(s) > 5)
		return -EINVAL;
	for (c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*c - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*port = htons((in_port_t)v);
	return 0;
}

int xh_parse_listen(const char *what, const char *s, struct sockaddr_storage *ss,
		    socklen_t *len)
{
	char host[64];
	const char *colon;
	in_port_t port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1 || parse_port(close + 2, &port))
			goto bad;
		a->sin6_family = AF_INET6;
		a->sin6_port = port;
		*len = sizeof(*a);
		return 0;
	}
	colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		goto bad;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	{
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1 || parse_port(colon + 1, &port))
			goto bad;
		a->sin_family = AF_INET;
		a->sin_port = port;
		*len = sizeof(*a);
	}
	return 0;
bad:
	bc_err("invalid %s '%s': expected ADDR:PORT with a numeric address, like "
	       "127.0.0.1:9476 or [::1]:9476 (port 0..65535)", what, s);
	return -EINVAL;
}

void xh_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const void *)ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(a->sin_port));
	}
}

static int listen_on(const struct xh_opts *o, struct sockaddr_storage *bound)
{
	socklen_t blen = sizeof(*bound);
	int fd, one = 1, err;
	char where[80];

	xh_addr_str(&o->addr, where, sizeof(where));
	fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		err = -errno;
		bc_err("cannot listen on %s: socket: %s", where, strerror(-err));
		return err;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::]:P means IPv6 only, as written: IPv4 needs its own address. */
	if (o->addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&o->addr, o->addrlen) || listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)bound, &blen)) {
		err = -errno;
		bc_err("cannot listen on %s: %s", where, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

/* ---- basic auth ---- */

/* bcrypt is slow on purpose (tens of ms at cost 10): remember the last
 * password that passed per user, as exporter-toolkit caches, so a
 * scraper that authenticates every 15 s does not pay it each time. An
 * unknown user still pays one bcrypt, so the answer's timing does not
 * tell which users exist. */
static bool auth_ok(struct xh_server *s, const char *user, const char *pass)
{
	const struct web_config *c = s->o.auth;
	size_t i;
	bool ok;

	for (i = 0; i < c->nusers && strcmp(c->users[i].name, user); i++)
		;
	if (i == c->nusers) {
		wc_bcrypt_ok(c->users[0].hash, pass);
		return false;
	}
	pthread_mutex_lock(&s->auth_lock);
	ok = s->verified[i] && wc_secret_equal(s->verified[i], pass);
	pthread_mutex_unlock(&s->auth_lock);
	if (ok)
		return true;
	if (!wc_bcrypt_ok(c->users[i].hash, pass))
		return false;
	pthread_mutex_lock(&s->auth_lock);
	free(s->verified[i]);
	s->verified[i] = strdup(pass);
	pthread_mutex_unlock(&s->auth_lock);
	return true;
}

static bool authorized(struct xh_server *s, struct MHD_Connection *conn)
{
	char *pass = NULL, *user;
	bool ok;

	if (!s->o.auth || !s->o.auth->nusers)
		return true;
	user = MHD_basic_auth_get_username_password(conn, &pass);
	ok = user && pass && auth_ok(s, user, pass);
	if (pass)
		explicit_bzero(pass, strlen(pass));
	MHD_free(user);
	MHD_free(pass);
	return ok;
}

/* ---- requests ---- */

static enum MHD_Result queue(struct MHD_Connection *conn, unsigned status,
			     const char *type, char *body, size_t len, bool auth_fail)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body ? body : (char *)"",
					    body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	if (type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = auth_fail ? MHD_queue_basic_auth_fail_response(conn, XH_REALM, r)
			: MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static char *text_body(const char *msg, size_t *len)
{
	char *b = strdup(msg);

	*len = b ? strlen(b) : 0;
	return b;
}

static int in_flight_marker;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_len, void **con_cls)
{
	struct xh_server *s = cls;
	struct xh_request rq;
	struct xh_reply rp = { 0 };
	size_t len;
	char *b;

	if (!*con_cls) {
		/* First call, headers only: count it; answer on this call. */
		*con_cls = &in_flight_marker;
		__atomic_fetch_add(&s->in_flight, 1, __ATOMIC_SEQ_CST);
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		b = text_body("only GET and HEAD\n", &len);
		return queue(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", b, len, false);
	}
	if (!authorized(s, conn)) {
		b = text_body("Unauthorized\n", &len);
		return queue(conn, MHD_HTTP_UNAUTHORIZED, "text/plain", b, len, true);
	}
	rq.path = url;
	rq.accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	s->o.handler(s->o.arg, &rq, &rp);
	return queue(conn, rp.status, rp.content_type, rp.body, rp.len, false);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct xh_server *s = cls;

	if (*con_cls != &in_flight_marker)
		return;
	*con_cls = NULL;
	__atomic_fetch_sub(&s->in_flight, 1, __ATOMIC_SEQ_CST);
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK &&
	    toe != MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN && s->o.on_error)
		s->o.on_error(s->o.arg);
}

/* libmicrohttpd's error hook: its format strings are printf's. */
static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct xh_server *s = cls;

	if (!s->o.verbose)
		return;
	fputs("bpfcost: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

/* ---- life cycle ---- */

static void server_free(struct xh_server *s)
{
	size_t i;

	if (s->fd >= 0)
		close(s->fd);
	for (i = 0; s->verified && i < s->o.auth->nusers; i++)
		free(s->verified[i]);
	free(s->verified);
	pthread_mutex_destroy(&s->auth_lock);
	free(s);
}

static struct MHD_Daemon *start_daemon(struct xh_server *s)
{
	const struct xh_opts *o = &s->o;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_ITC | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)o->key_pem },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)o->cert_pem },
		{ MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)o->tls_priorities },
		{ MHD_OPTION_END, 0, NULL },
	};
	sigset_t stop, old;
	struct MHD_Daemon *d;

	if (o->cert_pem)
		flags |= MHD_USE_TLS;
	if (o->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* The server's threads inherit this mask: stop signals go to the
	 * main thread, which is the one waiting for them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
			     MHD_OPTION_LISTEN_SOCKET, s->fd,
			     MHD_OPTION_CONNECTION_LIMIT, o->max_connections,
			     MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)XH_CONN_MEMORY,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
			     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
			     MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1,
			     MHD_OPTION_ARRAY, o->cert_pem ? tls : tls + 3,
			     MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return d;
}

int xh_start(const struct xh_opts *o, struct xh_server **out)
{
	struct xh_server *s;

	*out = NULL;
	if (o->cert_pem && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		bc_err("TLS asked for, but this libmicrohttpd was built without it");
		return -EOPNOTSUPP;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->o = *o;
	pthread_mutex_init(&s->auth_lock, NULL);
	if (o->auth && o->auth->nusers) {
		s->verified = calloc(o->auth->nusers, sizeof(*s->verified));
		if (!s->verified) {
			s->fd = -1;
			server_free(s);
			return -ENOMEM;
		}
	}
	s->fd = listen_on(o, &s->bound);
	if (s->fd < 0) {
		int err = s->fd;

		server_free(s);
		return err;
	}
	s->d = start_daemon(s);
	if (!s->d) {
		bc_err("cannot start the HTTP server%s (run with -v for libmicrohttpd's reason)",
		       o->cert_pem ? ": is the certificate/key pair valid PEM?" : "");
		server_free(s);
		return -EINVAL;
	}
	*out = s;
	return 0;
}

void xh_bound(const struct xh_server *s, struct sockaddr_storage *ss)
{
	*ss = s->bound;
}

void xh_stop(struct xh_server *s, double grace_s)
{
	uint64_t deadline = bc_now_ns() + (uint64_t)(grace_s * 1e9);
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (!s)
		return;
	/* Stop accepting; the socket is then ours to close after the stop
	 * (when quiescing fails, the daemon still owns and closes it). */
	if (MHD_quiesce_daemon(s->d) == MHD_INVALID_SOCKET)
		s->fd = -1;
	while (__atomic_load_n(&s->in_flight, __ATOMIC_SEQ_CST) > 0 && bc_now_ns() < deadline)
		nanosleep(&tick, NULL);
	MHD_stop_daemon(s->d);
	server_free(s);
}
