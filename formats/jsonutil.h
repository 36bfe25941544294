/* jansson helpers shared by the JSON writers. */
#ifndef JSONUTIL_H
#define JSONUTIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* A JSON string of arbitrary bytes: invalid UTF-8 becomes \xNN (never
 * NULL). */
json_t *json_bytes(const char *s, size_t n);

struct intern;
struct snapshot_meta;

/* An input as in the reports' inputs[]: path, format, kind, capture_time,
 * goroutines, go_version, meta. */
json_t *json_input(const struct intern *in, const struct snapshot_meta *s);

/* A label set (or --meta pairs) as an object of strings. */
json_t *json_labelset(const struct intern *in, uint32_t set);

#endif
