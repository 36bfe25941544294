/*
 * Fetching captures from live services over HTTP(S) with libcurl, for the
 * read path (a URL is one more kind of source: formats/source.h) and for
 * `goroscope capture` and `watch`. Several URLs are fetched at the same
 * moment, concurrently.
 */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>
#include <stdint.h>

struct error;

/* The path a URL without one stands for: the binary goroutine profile. */
#define FETCH_DEFAULT_PATH "/debug/pprof/goroutine"
/* Per request, unless told otherwise. */
#define FETCH_DEFAULT_TIMEOUT_MS 30000L
/* Redirects followed before giving up (a loop ends there). */
#define FETCH_MAX_REDIRECTS 5L
/* Most --header options. */
#define FETCH_MAX_HEADERS 32

struct fetch_opts {
	long timeout_ms;	    /* whole request; 0: the default */
	const char *const *headers; /* "Key: value", borrowed */
	unsigned nheaders;
};

struct fetch_result {
	unsigned char *body; /* the caller frees it */
	size_t len;
	long status;		/* HTTP status */
	char content_type[128]; /* or "" */
	int64_t done_ns;	/* Unix ns when the response completed */
};

/* Whether s is an http:// or https:// URL. */
int fetch_is_url(const char *s);

/*
 * The URL to fetch for what the user named: a URL without a path (or with
 * "/") gets path (FETCH_DEFAULT_PATH when NULL); query, when not NULL and
 * the URL has none, is added ("debug=2"). The caller frees the result.
 */
char *fetch_resolve(const char *url, const char *path, const char *query);

/* "host:port" of url (the port the scheme implies when none is given). */
void fetch_authority(const char *url, char *buf, size_t size);

/*
 * Fetch every url at once: r[i] and err[i] for each (err[i] names the URL
 * and says why: refused, timed out, HTTP 404, too many redirects, TLS).
 * A response is at most INPUT_MAX_BYTES. Returns how many succeeded.
 */
size_t fetch_all(const char *const *urls, size_t n, const struct fetch_opts *o,
		 struct fetch_result *r, struct error *err);

void fetch_result_release(struct fetch_result *r);

#endif
