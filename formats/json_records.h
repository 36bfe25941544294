/*
 * `convert --to json`: the goroutine records of snapshots as one JSON
 * document ("schema": 1), streamed: begin, one call per snapshot, end.
 * Fields in man/goroscope.1 (CONVERT TO JSON).
 */
#ifndef JSON_RECORDS_H
#define JSON_RECORDS_H

#include <stdio.h>

struct snapshot;
struct error;

void json_records_begin(FILE *fp);
/* first: whether this is the first snapshot of the document. */
int json_records_snapshot(FILE *fp, const struct snapshot *s, int first,
			  struct error *err);
int json_records_end(FILE *fp, struct error *err);

#endif
