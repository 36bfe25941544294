/* jansson helpers shared by the JSON writers. */
#ifndef JSONUTIL_H
#define JSONUTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* A JSON string of arbitrary bytes: invalid UTF-8 becomes \xNN (never
 * NULL). */
json_t *json_bytes(const char *s, size_t n);

/*
 * What the report's own writer prints where jansson would (formats/json.c
 * writes the groups without jansson; tests check it agrees): s[0..n) as a
 * quoted JSON string, NUL-terminated, *len bytes (free() it); and a real
 * as JSON_REAL_PRECISION(6) prints it.
 */
char *json_quote(const char *s, size_t n, size_t *len);
void json_real_text(char *buf, size_t size, double v);

struct intern;
struct snapshot_meta;

/* An input as in the reports' inputs[]: path, format, kind, capture_time,
 * goroutines, go_version, meta. */
json_t *json_input(const struct intern *in, const struct snapshot_meta *s);

/* A label set (or --meta pairs) as an object of strings. */
json_t *json_labelset(const struct intern *in, uint32_t set);

#endif
