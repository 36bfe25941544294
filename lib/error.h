/*
 * Errors as values: a function that fails fills a caller-supplied struct
 * error and returns -1 (jansson's json_error_t, libgit2's out-parameters).
 */
#ifndef ERROR_H
#define ERROR_H

#include <stddef.h>
#include <stdint.h>

enum error_where {
	ERROR_NOWHERE = 0, /* about the file as a whole */
	ERROR_LINE,	   /* at a 1-based line */
	ERROR_OFFSET,	   /* at a byte offset */
};

struct error {
	char file[512]; /* the input's name; set by the loader or a command */
	enum error_where where;
	uint64_t line;	 /* with ERROR_LINE */
	uint64_t offset; /* with ERROR_OFFSET */
	char text[512];	 /* lowercase, no final period */
};

/* Clears every field. */
void error_clear(struct error *err);

/*
 * Set the message (printf-style) and return -1, so that a failure is
 * `return error_set(err, "...")`. The _line and _offset forms also say
 * where in the input the problem is. err may be NULL.
 */
int error_set(struct error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int error_set_line(struct error *err, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int error_set_offset(struct error *err, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Name the input the error is about, unless one is named already. */
void error_set_file(struct error *err, const char *file);

/*
 * Write "file:line: text", "file: offset 0x1f: text" or "file: text" (without
 * a file when none is set) into buf, always NUL-terminated.
 */
void error_format(const struct error *err, char *buf, size_t size);

#endif
