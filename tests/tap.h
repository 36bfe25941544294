/*
 * A tiny TAP producer for the unit tests, run by prove(1). Each check prints
 * "ok N - name" or "not ok N - name" with the file and line of a failure;
 * tap_done() prints the plan and returns the exit status.
 */
#ifndef TAP_H
#define TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count, tap_failures;

__attribute__((format(printf, 4, 5))) static int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failures++;
		printf("#   Failed at %s line %d\n", file, line);
	}
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                \
	do {                                                                  \
		long long got_ = (long long)(got), want_ = (long long)(want); \
		if (!ok(got_ == want_, __VA_ARGS__))                          \
			printf("#   got %lld, want %lld\n", got_, want_);     \
	} while (0)

#define is_str(got, want, ...)                                    \
	do {                                                      \
		const char *got_ = (got), *want_ = (want);        \
		if (!ok(got_ != NULL && strcmp(got_, want_) == 0, \
			__VA_ARGS__))                             \
			printf("#   got '%s', want '%s'\n",       \
			       got_ ? got_ : "(null)", want_);    \
	} while (0)

/* Skip the whole file: prints "1..0 # SKIP why". */
static inline int
tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	return 0;
}

/* Stop the test file: a fixture it needs is missing or broken. */
#define BAIL_OUT(...)                 \
	do {                          \
		printf("Bail out! "); \
		printf(__VA_ARGS__);  \
		printf("\n");         \
		exit(1);              \
	} while (0)

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failures ? 1 : 0;
}

#endif
