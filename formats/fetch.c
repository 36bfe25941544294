/*
 * HTTP(S) fetches with libcurl's multi interface. libcurl is loaded with
 * dlopen(3) on the first fetch, not linked: with the TLS, Kerberos and LDAP
 * libraries it pulls in, linking it cost every command 7 ms of start-up (of
 * 10) though only capture and URL arguments use it.
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "formats/fetch.h"
#include "formats/input.h"
#include "lib/error.h"
#include "lib/xalloc.h"
#include "lib/banned.h"

/* The soname of libcurl's ABI since 7.16 (2006); the -dev package's
 * libcurl.so need not be installed. */
#define CURL_SONAME "libcurl.so.4"

/* The libcurl functions fetch uses, resolved by load_curl(). */
static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	void (*easy_cleanup)(CURL *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned, int,
				int *);
	CURLMcode (*multi_cleanup)(CURLM *);
} cu;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int curl_ok;
/* Why libcurl could not be loaded, for the message of every fetch. */
static char curl_why[256];

/* Resolves name in lib into *fp (a function pointer of any type). */
static int
resolve(void *lib, const char *name, void *fp, size_t size)
{
	void *sym = dlsym(lib, name);

	if (sym == NULL) {
		snprintf(curl_why, sizeof(curl_why),
			 "%s has no %s (libcurl 7.66 or newer is needed)",
			 CURL_SONAME, name);
		return -1;
	}
	/* POSIX makes dlsym's pointer a function pointer; ISO C has no
	 * cast between the two, so the bytes are copied. */
	memcpy(fp, &sym, size);
	return 0;
}

#define RESOLVE(field, name) \
	(resolve(lib, name, (void *)&cu.field, sizeof(cu.field)) == 0)

static void
load_curl(void)
{
	void *lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (lib == NULL) {
		const char *e = dlerror();

		snprintf(curl_why, sizeof(curl_why),
			 "cannot load libcurl (%s); install libcurl4",
			 e ? e : CURL_SONAME);
		return;
	}
	if (!(RESOLVE(global_init, "curl_global_init") &&
	      RESOLVE(easy_init, "curl_easy_init") &&
	      RESOLVE(easy_setopt, "curl_easy_setopt") &&
	      RESOLVE(easy_getinfo, "curl_easy_getinfo") &&
	      RESOLVE(easy_strerror, "curl_easy_strerror") &&
	      RESOLVE(easy_cleanup, "curl_easy_cleanup") &&
	      RESOLVE(slist_append, "curl_slist_append") &&
	      RESOLVE(slist_free_all, "curl_slist_free_all") &&
	      RESOLVE(multi_init, "curl_multi_init") &&
	      RESOLVE(multi_add_handle, "curl_multi_add_handle") &&
	      RESOLVE(multi_remove_handle, "curl_multi_remove_handle") &&
	      RESOLVE(multi_perform, "curl_multi_perform") &&
	      RESOLVE(multi_info_read, "curl_multi_info_read") &&
	      RESOLVE(multi_poll, "curl_multi_poll") &&
	      RESOLVE(multi_cleanup, "curl_multi_cleanup")))
		return; /* the library stays loaded: dlclose buys nothing */
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(curl_why, sizeof(curl_why),
			 "cannot start libcurl (curl_global_init failed)");
		return;
	}
	curl_ok = 1;
}

int
fetch_is_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 ||
	       strncasecmp(s, "https://", 8) == 0;
}

/* Where the authority of url starts and ends (after "scheme://"). */
static void
authority(const char *url, const char **from, const char **to)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	*from = p;
	while (*p && *p != '/' && *p != '?' && *p != '#')
		p++;
	*to = p;
}

char *
fetch_resolve(const char *url, const char *path, const char *query)
{
	const char *a = NULL, *b = NULL, *rest = NULL;
	size_t n;
	char *out = NULL;
	int has_query = 0, bare = 0;

	authority(url, &a, &b);
	rest = b;
	bare = *rest == '\0' || strcmp(rest, "/") == 0 ||
	       (rest[0] == '/' && rest[1] == '?') || rest[0] == '?';
	has_query = strchr(rest, '?') != NULL;
	if (path == NULL)
		path = FETCH_DEFAULT_PATH;
	n = strlen(url) + strlen(path) + (query ? strlen(query) : 0) + 4;
	out = xmalloc(n);
	if (bare) {
		const char *q = strchr(rest, '?');

		snprintf(out, n, "%.*s%s%s", (int)(b - url), url, path,
			 q ? q : "");
	} else {
		snprintf(out, n, "%s", url);
	}
	if (query != NULL && !has_query) {
		size_t l = strlen(out);

		snprintf(out + l, n - l, "?%s", query);
	}
	return out;
}

void
fetch_authority(const char *url, char *buf, size_t size)
{
	const char *a = NULL, *b = NULL, *at = NULL, *p = NULL;
	int https = strncasecmp(url, "https://", 8) == 0;

	authority(url, &a, &b);
	/* user:password@ is no part of the name. */
	for (p = a; p < b; p++)
		if (*p == '@')
			at = p;
	if (at)
		a = at + 1;
	/* A port is given after the host, or after "[v6 address]". */
	for (p = a < b && *a == '[' ? a : b; p < b && *p != ']'; p++)
		;
	for (p = p < b && *p == ']' ? p : a; p < b && *p != ':'; p++)
		;
	if (p < b)
		snprintf(buf, size, "%.*s", (int)(b - a), a);
	else
		snprintf(buf, size, "%.*s:%s", (int)(b - a), a,
			 https ? "443" : "80");
}

/* One transfer under way. */
struct xfer {
	CURL *h;
	struct curl_slist *headers;
	unsigned char *buf;
	size_t len, cap;
	int too_large;
	char errbuf[CURL_ERROR_SIZE];
	int done;
};

static size_t
on_data(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t n = size * nmemb;

	if (n > INPUT_MAX_BYTES - x->len) {
		x->too_large = 1;
		return 0; /* aborts the transfer */
	}
	if (x->len + n > x->cap)
		x->buf = xgrow(x->buf, 1, x->len + n, &x->cap);
	memcpy(x->buf + x->len, p, n);
	x->len += n;
	return n;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * A profile that takes time to make (/debug/pprof/trace?seconds=N, the CPU
 * profile) needs its N seconds on top of the timeout.
 */
static long
timeout_for(const char *url, long timeout)
{
	const char *q = strchr(url, '?'), *p = NULL;
	long secs = 0;

	for (p = q; p != NULL; p = strchr(p + 1, '&')) {
		if (strncmp(p + 1, "seconds=", 8) == 0) {
			secs = strtol(p + 9, NULL, 10);
			break;
		}
	}
	if (secs > 0 && secs < 86400)
		timeout += secs * 1000;
	return timeout;
}

static void
setup(struct xfer *x, const char *url, const struct fetch_opts *o)
{
	long timeout = timeout_for(url, o && o->timeout_ms > 0
						? o->timeout_ms
						: FETCH_DEFAULT_TIMEOUT_MS);
	unsigned i;

	x->h = cu.easy_init();
	if (x->h == NULL)
		return;
	cu.easy_setopt(x->h, CURLOPT_URL, url);
	cu.easy_setopt(x->h, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(x->h, CURLOPT_FOLLOWLOCATION, 1L);
	cu.easy_setopt(x->h, CURLOPT_MAXREDIRS, FETCH_MAX_REDIRECTS);
	cu.easy_setopt(x->h, CURLOPT_TIMEOUT_MS, timeout);
	cu.easy_setopt(x->h, CURLOPT_CONNECTTIMEOUT_MS,
		       timeout < 10000 ? timeout : 10000L);
	cu.easy_setopt(x->h, CURLOPT_USERAGENT, "goroscope/" GOROSCOPE_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500
	cu.easy_setopt(x->h, CURLOPT_PROTOCOLS_STR, "http,https");
	cu.easy_setopt(x->h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
	cu.easy_setopt(x->h, CURLOPT_WRITEFUNCTION, on_data);
	cu.easy_setopt(x->h, CURLOPT_WRITEDATA, x);
	cu.easy_setopt(x->h, CURLOPT_ERRORBUFFER, x->errbuf);
	for (i = 0; o && i < o->nheaders; i++)
		x->headers = cu.slist_append(x->headers, o->headers[i]);
	if (x->headers)
		cu.easy_setopt(x->h, CURLOPT_HTTPHEADER, x->headers);
}

/* The first line of a text body, for the message of an HTTP error. */
static void
body_line(const struct xfer *x, char *buf, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < x->len && n + 1 < size && n < 80; i++) {
		unsigned char c = x->buf[i];

		if (c == '\n' || c == '\r')
			break;
		buf[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	buf[n] = '\0';
}

/* Whether s starts with a capitalised word that has no other capital
 * ("Failed", not "OpenSSL"): one a message may lowercase. */
static int
plain_word(const char *s)
{
	size_t i;

	if (!(s[0] >= 'A' && s[0] <= 'Z'))
		return 0;
	for (i = 1; s[i] && s[i] != ' '; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z'))
			return 0;
	return 1;
}

/* The outcome of transfer x (curl's code rc) into r or err. */
static int
finish(struct xfer *x, const char *url, CURLcode rc, struct fetch_result *r,
       struct error *err)
{
	char *ct = NULL;
	long status = 0;

	r->done_ns = now_ns();
	cu.easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	r->status = status;
	if (rc != CURLE_OK) {
		if (x->too_large)
			error_set(err, "the response is larger than %llu bytes",
				  (unsigned long long)INPUT_MAX_BYTES);
		else if (rc == CURLE_TOO_MANY_REDIRECTS)
			error_set(err, "too many redirects (more than %ld)",
				  FETCH_MAX_REDIRECTS);
		else {
			/* curl's own words, which say the most ("failed to
			 * connect to 127.0.0.1 port 1 ..."), lowercased. */
			char why[CURL_ERROR_SIZE];

			snprintf(why, sizeof(why), "%s",
				 x->errbuf[0] ? x->errbuf
					      : cu.easy_strerror(rc));
			if (plain_word(why))
				why[0] = (char)(why[0] - 'A' + 'a');
			error_set(err, "cannot fetch: %s%s", why,
				  rc == CURLE_OPERATION_TIMEDOUT
					  ? " (see --timeout)"
					  : "");
		}
		error_set_file(err, url);
		return -1;
	}
	if (cu.easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		snprintf(r->content_type, sizeof(r->content_type), "%s", ct);
	if (status >= 400) {
		char line[100];

		body_line(x, line, sizeof(line));
		error_set(err, "HTTP %ld%s%s%s", status, line[0] ? " (" : "",
			  line, line[0] ? ")" : "");
		error_set_file(err, url);
		return -1;
	}
	r->body = x->buf;
	r->len = x->len;
	x->buf = NULL;
	return 0;
}

size_t
fetch_all(const char *const *urls, size_t n, const struct fetch_opts *o,
	  struct fetch_result *r, struct error *err)
{
	struct xfer *x = xcalloc(n ? n : 1, sizeof(*x));
	CURLM *m = NULL;
	size_t i, ok = 0, left = 0;
	int running = 0;

	memset(r, 0, n * sizeof(*r));
	pthread_once(&once, load_curl);
	m = curl_ok ? cu.multi_init() : NULL;
	for (i = 0; i < n; i++) {
		error_clear(&err[i]);
		if (m != NULL)
			setup(&x[i], urls[i], o);
		if (m == NULL || x[i].h == NULL) {
			error_set(&err[i], "%s",
				  m == NULL && curl_why[0]
					  ? curl_why
					  : "cannot start libcurl");
			error_set_file(&err[i], urls[i]);
			x[i].done = 1;
			continue;
		}
		cu.easy_setopt(x[i].h, CURLOPT_PRIVATE, (void *)&x[i]);
		cu.multi_add_handle(m, x[i].h);
		left++;
	}
	while (left > 0) {
		CURLMsg *msg = NULL;
		int q = 0;

		if (cu.multi_perform(m, &running) != CURLM_OK)
			break;
		while ((msg = cu.multi_info_read(m, &q)) != NULL) {
			struct xfer *t = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			cu.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
					(char **)&t);
			i = (size_t)(t - x);
			if (finish(t, urls[i], msg->data.result, &r[i],
				   &err[i]) == 0)
				ok++;
			t->done = 1;
			left--;
		}
		if (left > 0 &&
		    cu.multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK)
			break;
	}
	for (i = 0; i < n; i++) {
		if (!x[i].done && x[i].h != NULL) {
			error_set(&err[i], "the transfer did not finish");
			error_set_file(&err[i], urls[i]);
		}
		if (x[i].h != NULL) {
			cu.multi_remove_handle(m, x[i].h);
			cu.easy_cleanup(x[i].h);
		}
		if (x[i].headers != NULL) /* never without libcurl */
			cu.slist_free_all(x[i].headers);
		free(x[i].buf);
	}
	if (m != NULL)
		cu.multi_cleanup(m);
	free(x);
	return ok;
}

void
fetch_result_release(struct fetch_result *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}
