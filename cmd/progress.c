/* The progress bar. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/progress.h"
#include "lib/banned.h"

#define BAR_WIDTH 30

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds before the first draw: short work shows nothing. The variable
 * GOROSCOPE_PROGRESS_DELAY (seconds) is for the tests. */
static double
delay(void)
{
	const char *d = getenv("GOROSCOPE_PROGRESS_DELAY");
	char *end = NULL;
	double v;

	if (d == NULL || *d == '\0')
		return 0.3;
	v = strtod(d, &end);
	return end != d && v >= 0 ? v : 0.3;
}

void
progress_init(struct progress *p, int want)
{
	memset(p, 0, sizeof(*p));
	p->enabled = want && isatty(STDERR_FILENO);
	p->start = now();
	p->what = "reading";
}

void
progress_what(struct progress *p, const char *what)
{
	p->what = what;
}

void
progress_update(struct progress *p, uint64_t done, uint64_t total)
{
	double t;
	int fill, i;
	char bar[BAR_WIDTH + 1];

	if (!p->enabled || total == 0)
		return;
	t = now();
	if (t - p->start < delay() || (p->drawn && t - p->last < 0.1))
		return;
	if (done > total)
		done = total;
	fill = (int)((double)done / (double)total * BAR_WIDTH);
	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r\033[Kgoroscope: [%s] %3d%% %.60s", bar,
		(int)((double)done * 100 / (double)total), p->what);
	fflush(stderr);
	p->drawn = 1;
	p->last = t;
}

void
progress_cb(void *ctx, uint64_t done, uint64_t total)
{
	progress_update(ctx, done, total);
}

void
progress_done(struct progress *p)
{
	if (p->drawn) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->drawn = 0;
}
