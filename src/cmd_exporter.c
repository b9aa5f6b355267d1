// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpfcost exporter: per-program cost as Prometheus metrics over HTTP.
 * The command: options, the web config, the routes, and the main thread,
 * which waits for a stop signal (draining samples meanwhile) while the
 * HTTP server's threads answer scrapes. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "common.h"
#include "exporter.h"
#include "httpd.h"
#include "progs.h"
#include "promtext.h"
#include "webconfig.h"

#define EX_DEFAULT_LISTEN "127.0.0.1:9476"
#define EX_DEFAULT_MAX_CONNECTIONS 16
#define EX_IDLE_TIMEOUT_S 30
/* Scrapes closer together than this share one collection: two servers
 * scraping the same exporter do not double its cost. */
#define EX_MIN_COLLECT_AGE_S 0.2
/* A response never grows past this: at the default series cap a response
 * is about 1 MB; the cap guards against a pathological label set. */
#define EX_MAX_RESPONSE (16u << 20)
/* Samples are read this often between scrapes: at 49 Hz the per-CPU
 * rings hold about 15 s, so a scraper that stopped loses nothing. */
#define EX_DRAIN_S 1.0
/* On SIGTERM, responses in flight get this long to finish. */
#define EX_STOP_GRACE_S 10.0
#define EX_MAX_PEM (1u << 20)

static const char exporter_help[] =
	"Usage: bpfcost exporter [PROG...] [OPTIONS]\n\n"
	"Serve per-program cost as Prometheus metrics: /metrics in the Prometheus text\n"
	"format, or OpenMetrics when the scraper asks for it (Prometheus does), / a\n"
	"page with links, /healthz. Each scrape reads the programs afresh (scrapes\n"
	"closer than 0.2 s share one reading). With no PROG every loaded program is\n"
	"exported and new ones are added; with PROG (id N | tag HEX | name NAME |\n"
	"pinned PATH | pid N | comm NAME) only those selected at start. A program\n"
	"that goes away is gone from the next scrape; every series of a program\n"
	"carries id and load_time, so an id the kernel reuses starts new series.\n"
	"bpf_program_info's owner_comm names the processes holding the program\n"
	"(program, link or perf event fds), found at each scrape.\n\n"
	"Modes:\n"
	"  stats      hold run-time stats on (BPF_ENABLE_STATS) for as long as we run,\n"
	"             export run_cnt, run_time_ns, recursion_misses per program; stats\n"
	"             add two clock reads to every run of every program on the host\n"
	"  sampling   never switch stats on: cpu-clock samples on every CPU (--freq)\n"
	"             charged to the program on the kernel stack, exported as sampled\n"
	"             CPU seconds; no per-run cost\n"
	"  both       the two together\n\n"
	"Probes: prog_iter (the program reader; bpf() syscalls when it fails) and\n"
	"owner_iter (the owners reader; /proc when it fails).\n\n"
	"Options:\n"
	"  --listen ADDR:PORT   where to listen (default " EX_DEFAULT_LISTEN ": loopback\n"
	"                       only); numeric IPv4 or [IPv6], port 0 = any free port\n"
	"  --mode M             stats | sampling | both (default stats)\n"
	"  --freq HZ            samples per second per CPU, 1..100000 (default 49;\n"
	"                       sampling and both only)\n"
	"  --web-config FILE    TLS and basic auth from a Prometheus exporter-toolkit\n"
	"                       web config (tls_server_config: cert_file, key_file,\n"
	"                       min_version, max_version; basic_auth_users with bcrypt\n"
	"                       hashes); certificates are read once, at start\n"
	"  --max-programs N     series cap: export at most N programs, the costliest;\n"
	"                       the rest are counted in bpfcost_programs_left_out_total\n"
	"                       (default 2000)\n"
	"  --max-connections N  concurrent HTTP connections, 1..1024 (default 16)\n"
	"  -h, --help           this help\n\n"
	"The first line on stdout says where it listens (JSON with -j). SIGTERM or\n"
	"SIGINT: responses in flight finish, stats and perf events are released,\n"
	"exit 0.\n\n"
	"METRICS (per program: labels id, load_time):\n"
	"  bpf_program_info{tag,name,type,attach,owner_comm}  1 per loaded program\n"
	"  bpf_program_runs_total, bpf_program_run_time_seconds_total,\n"
	"  bpf_program_recursion_misses_total               stats and both\n"
	"  bpf_program_sampled_cpu_seconds_total, bpf_program_samples_total\n"
	"                                                   sampling and both\n"
	"  bpfcost_exporter_info, bpfcost_programs, bpfcost_programs_left_out_total,\n"
	"  bpfcost_scrape_duration_seconds, bpfcost_errors_total{kind},\n"
	"  bpfcost_samples_total, bpfcost_samples_outside_bpf_total,\n"
	"  bpfcost_samples_lost_total\n"
	"  bpfcost_stats_bias_seconds{estimate}             stats and both: the stats'\n"
	"                                                   own cost per run (point,\n"
	"                                                   lower, upper of its 95%\n"
	"                                                   interval), measured at start\n"
	"  bpf_program_tail_call_info{caller_id,callee_id,map_id,index}\n"
	"                                                   1 per tail-call slot with an\n"
	"                                                   exported program at one end,\n"
	"                                                   at most --max-programs series\n\n"
	"CAVEATS:\n"
	"  - run_time_ns includes the stats' own clock reads: subtract\n"
	"    runs_total * bpfcost_stats_bias_seconds (programs run through\n"
	"    bpf_prog_run, not trampolines) for the corrected run time;\n"
	"  - a tail-called program's time is inside its caller's run time (the\n"
	"    bpf_program_tail_call_info says which; its runs_total stays 0);\n"
	"  - sampled seconds at 49 Hz are rough below about 100 samples per program\n"
	"    (bpf_program_samples_total says how many).\n\n"
	"EXAMPLES:\n"
	"  bpfcost exporter                                   # stats, 127.0.0.1:9476\n"
	"  bpfcost exporter --mode sampling --freq 49\n"
	"  bpfcost exporter --listen [::1]:9476 --mode both name sysmon_cnt_enter\n"
	"  bpfcost exporter --listen 0.0.0.0:9476 --web-config /etc/bpfcost/web.yml\n"
	"  curl -s 127.0.0.1:9476/metrics | promtool check metrics\n";

struct exp_cli {
	struct ex_opts ex;
	struct xh_opts http;
	const char *listen;
	const char *web_config;
	bool freq_given;
	int nsel;
	char **sel_argv;
};

static int parse_opt(int c, const char *arg, void *opts)
{
	struct exp_cli *o = opts;
	uint64_t v;
	int err;

	switch (c) {
	case 'l':
		o->listen = arg;
		return 0;
	case 'm':
		return ex_mode_parse(arg, &o->ex.mode);
	case 'f':
		err = parse_u64("--freq", arg, SMP_FREQ_MIN, SMP_FREQ_MAX, &v);
		o->ex.freq = (unsigned)v;
		o->freq_given = true;
		return err;
	case 'w':
		o->web_config = arg;
		return 0;
	case 'P':
		err = parse_u64("--max-programs", arg, 1, 1000000, &v);
		o->ex.max_programs = (size_t)v;
		return err;
	case 'C':
		err = parse_u64("--max-connections", arg, 1, 1024, &v);
		o->http.max_connections = (unsigned)v;
		return err;
	}
	return -EINVAL;
}

/* Returns 1 when --help was printed, 0 to run, < 0 on bad input. */
static int parse_args(int argc, char **argv, struct exp_cli *o)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "mode", required_argument, NULL, 'm' },
		{ "freq", required_argument, NULL, 'f' },
		{ "web-config", required_argument, NULL, 'w' },
		{ "web.config.file", required_argument, NULL, 'w' },	/* exporter-toolkit's */
		{ "max-programs", required_argument, NULL, 'P' },
		{ "max-connections", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int err;

	o->listen = EX_DEFAULT_LISTEN;
	o->ex = (struct ex_opts){ .mode = EX_MODE_STATS, .freq = EX_DEFAULT_FREQ,
				  .max_programs = EX_DEFAULT_MAX_PROGRAMS };
	o->http.max_connections = EX_DEFAULT_MAX_CONNECTIONS;
	o->http.timeout_s = EX_IDLE_TIMEOUT_S;
	err = bc_parse_opts(argc, argv, "h", opts, exporter_help, parse_opt, o, false);
	if (err)
		return err;
	if (o->freq_given && !(o->ex.mode & EX_MODE_SAMPLING)) {
		bc_err("--freq needs --mode sampling or both");
		return -EINVAL;
	}
	o->nsel = argc - optind;
	o->sel_argv = argv + optind;
	return xh_parse_listen("--listen", o->listen, &o->http.addr, &o->http.addrlen);
}

/* ---- the web config ---- */

/* Up to max bytes of path, NUL-terminated; -EFBIG past max. */
static int read_file(const char *path, size_t max, char **out, size_t *len)
{
	char *buf = malloc(max + 2);
	ssize_t n;
	size_t got = 0;
	int fd, err = 0;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	while (got <= max && (n = read(fd, buf + got, max + 1 - got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		got += (size_t)n;
	}
	close(fd);
	if (!err && got > max)
		err = -EFBIG;
	if (err) {
		free(buf);
		return err;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

/* A path from the web config: relative ones are relative to the file's
 * directory, as exporter-toolkit resolves them. */
static int read_pem(const char *config, const char *path, const char *what, char **pem)
{
	char *dup = strdup(config), full[4096];
	size_t len;
	int err;

	if (!dup)
		return -ENOMEM;
	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "%s/%s", dirname(dup), path);
	free(dup);
	err = read_file(full, EX_MAX_PEM, pem, &len);
	if (err)
		bc_err("--web-config %s: tls_server_config.%s %s: %s", config, what, full,
		       strerror(-err));
	return err;
}

struct web {
	struct web_config wc;
	char *cert, *key;
	char prio[128];
};

static int load_web_config(const char *path, struct web *w, struct xh_opts *http)
{
	char *text, err_line[256];
	size_t len;
	int err;

	err = read_file(path, WC_MAX_INPUT, &text, &len);
	if (err) {
		bc_err("--web-config %s: %s", path, err == -EFBIG ? "larger than 1 MiB" : strerror(-err));
		return err == -EFBIG ? -EINVAL : err;
	}
	err = wc_parse(text, len, &w->wc, err_line, sizeof(err_line));
	free(text);
	if (err) {
		bc_err("--web-config %s: %s", path, err == -ENOMEM ? strerror(ENOMEM) : err_line);
		return err;
	}
	if (w->wc.tls) {
		err = read_pem(path, w->wc.cert_file, "cert_file", &w->cert);
		if (!err)
			err = read_pem(path, w->wc.key_file, "key_file", &w->key);
		if (err)
			return err;
		http->cert_pem = w->cert;
		http->key_pem = w->key;
		http->tls_priorities = wc_tls_priorities(&w->wc, w->prio, sizeof(w->prio));
	}
	http->auth = &w->wc;
	return 0;
}

static void web_free(struct web *w)
{
	wc_free(&w->wc);
	if (w->key)
		explicit_bzero(w->key, strlen(w->key));
	free(w->key);
	free(w->cert);
}

/* ---- routes ---- */

static const char index_page[] =
	"<!DOCTYPE html>\n<html><head><title>bpfcost exporter</title></head><body>\n"
	"<h1>bpfcost exporter</h1>\n<p>What BPF programs cost, per program.</p>\n"
	"<ul><li><a href=\"metrics\">metrics</a></li><li><a href=\"healthz\">healthz</a></li></ul>\n"
	"</body></html>\n";

static void reply_text(struct xh_reply *rp, unsigned status, const char *type, const char *text)
{
	rp->status = status;
	rp->content_type = type;
	rp->body = strdup(text);
	rp->len = rp->body ? strlen(rp->body) : 0;
}

/* Collect and print under the lock into a buffer of our own; the server
 * then sends it without the lock, so a slow reader holds up nobody. */
static void serve_metrics(struct exporter *ex, const struct xh_request *rq, struct xh_reply *rp)
{
	enum pt_format f = pt_negotiate(rq->accept);
	struct pt_buf b = { .max = EX_MAX_RESPONSE };
	int err;

	ex_lock(ex);
	err = ex_collect(ex, EX_MIN_COLLECT_AGE_S);
	if (!err)
		err = pt_render(&ex->m, f, &b);
	ex_unlock(ex);
	if (err == -E2BIG)
		ex_count_error(ex, EX_ERR_OVERSIZE);
	if (err) {
		pt_buf_free(&b);
		reply_text(rp, 500, "text/plain",
			   err == -E2BIG ? "response larger than the exporter's cap\n"
					 : "collection failed: see the exporter's stderr\n");
		return;
	}
	rp->status = 200;
	rp->content_type = pt_content_type(f);
	rp->body = b.p;
	rp->len = b.len;
}

static void on_request(void *arg, const struct xh_request *rq, struct xh_reply *rp)
{
	if (!strcmp(rq->path, "/metrics"))
		serve_metrics(arg, rq, rp);
	else if (!strcmp(rq->path, "/healthz"))
		reply_text(rp, 200, "text/plain", "ok\n");
	else if (!strcmp(rq->path, "/"))
		reply_text(rp, 200, "text/html; charset=utf-8", index_page);
	else
		reply_text(rp, 404, "text/plain", "not found: try /metrics\n");
}

static void on_http_error(void *arg)
{
	ex_count_error(arg, EX_ERR_CONNECTION);
}

/* ---- the run ---- */

static int print_start(struct bc_ctx *ctx, const struct exporter *ex, const struct xh_server *srv,
		       const struct exp_cli *o)
{
	struct sockaddr_storage ss;
	char where[80], url[128];

	xh_bound(srv, &ss);
	xh_addr_str(&ss, where, sizeof(where));
	snprintf(url, sizeof(url), "%s://%s/metrics", o->http.cert_pem ? "https" : "http", where);
	if (ctx->json)
		return bc_json_emit(ctx, bc_json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:b, s:b, s:I}",
						      "listen", where, "url", url, "mode",
						      ex_mode_name(ex->o.mode), "stats_via",
						      ex->m.stats_via, "reader", ex->m.reader,
						      "freq", (int)ex->m.freq, "tls",
						      o->http.cert_pem != NULL, "basic_auth",
						      o->http.auth && o->http.auth->nusers > 0,
						      "programs", (json_int_t)ex->m.nloaded));
	fprintf(ctx->out, "bpfcost exporter: serving %s (mode %s; stats via %s; programs read "
		"with %s; sampling %s%u Hz; %zu programs)\n", url, ex_mode_name(ex->o.mode),
		ex->m.stats_via, ex->m.reader, ex->m.freq ? "cpu-clock at " : "off, ",
		ex->m.freq, ex->m.nloaded);
	return fflush(ctx->out) == EOF ? -EIO : 0;
}

/* Wait for a stop signal, reading samples every EX_DRAIN_S meanwhile.
 * The stop signals stay blocked except inside ppoll, so one that arrives
 * between the flag check and the wait still ends the wait at once. */
static void wait_for_stop(struct exporter *ex)
{
	struct timespec drain = { (time_t)EX_DRAIN_S, 0 };
	sigset_t stop, old;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	while (!bc_stop_requested()) {
		ppoll(NULL, 0, ex->sampling ? &drain : NULL, &old);
		ex_drain(ex);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int cmd_exporter(struct bc_ctx *ctx, int argc, char **argv)
{
	struct exp_cli o = { 0 };
	struct xh_server *srv = NULL;
	struct exporter ex;
	struct web web = { 0 };
	uint32_t *ids = NULL;
	size_t nids = 0;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err < 0 ? err : 0;
	err = selectors_resolve_words(o.nsel, o.sel_argv, &ids, &nids);
	if (err)
		return err;
	if (o.web_config) {
		err = load_web_config(o.web_config, &web, &o.http);
		if (err)
			goto out_web;
	}
	o.ex.ids = ids;
	o.ex.nids = nids;
	err = ex_open(ctx, &ex, &o.ex);
	if (err)
		goto out;
	o.http.handler = on_request;
	o.http.on_error = on_http_error;
	o.http.arg = &ex;
	o.http.verbose = ctx->verbose > 0;
	err = xh_start(&o.http, &srv);
	if (!err)
		err = print_start(ctx, &ex, srv, &o);
	if (!err)
		wait_for_stop(&ex);
	xh_stop(srv, EX_STOP_GRACE_S);
out:
	ex_close(&ex);
out_web:
	web_free(&web);
	free(ids);
	return err;
}
