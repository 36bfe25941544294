/* Work split into parts, one thread each. */
#include <pthread.h>
#include <unistd.h>

#include "lib/par.h"
#include "lib/banned.h"

unsigned
par_parts(unsigned threads, size_t n, size_t min)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t parts = min ? n / min : n;

	if (threads == 0)
		threads = cpus > 0 ? (unsigned)cpus : 1;
	if (parts > threads)
		parts = threads;
	if (parts > PAR_MAX)
		parts = PAR_MAX;
	return parts < 1 ? 1 : (unsigned)parts;
}

void
par_range(size_t n, unsigned k, unsigned parts, size_t *lo, size_t *hi)
{
	*lo = n / parts * k + (k < n % parts ? k : n % parts);
	*hi = *lo + n / parts + (k < n % parts);
}

struct par_arg {
	void (*fn)(void *ctx, unsigned k);
	void *ctx;
	unsigned k;
};

static void *
par_start(void *p)
{
	struct par_arg *a = p;

	a->fn(a->ctx, a->k);
	return NULL;
}

void
par_run(unsigned parts, void (*fn)(void *ctx, unsigned k), void *ctx)
{
	pthread_t th[PAR_MAX];
	struct par_arg arg[PAR_MAX];
	int started[PAR_MAX];
	unsigned k;

	if (parts > PAR_MAX)
		parts = PAR_MAX;
	for (k = 1; k < parts; k++) {
		arg[k].fn = fn;
		arg[k].ctx = ctx;
		arg[k].k = k;
		started[k] =
			pthread_create(&th[k], NULL, par_start, &arg[k]) == 0;
	}
	fn(ctx, 0);
	for (k = 1; k < parts; k++) {
		if (started[k])
			pthread_join(th[k], NULL);
		else
			fn(ctx, k);
	}
}

static void *
task_start(void *p)
{
	struct par_task *t = p;

	t->fn(t->ctx, 0);
	return NULL;
}

void
par_begin(struct par_task *t, void (*fn)(void *ctx, unsigned k), void *ctx)
{
	t->fn = fn;
	t->ctx = ctx;
	t->state = pthread_create(&t->thread, NULL, task_start, t) == 0 ? 1 : 2;
}

void
par_end(struct par_task *t)
{
	if (t->state == 1)
		pthread_join(t->thread, NULL);
	else if (t->state == 2)
		t->fn(t->ctx, 0);
	t->state = 0;
}
