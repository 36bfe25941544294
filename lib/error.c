/* Error values with a location in the input. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/error.h"
#include "lib/banned.h"

void
error_clear(struct error *err)
{
	memset(err, 0, sizeof(*err));
}

__attribute__((format(printf, 4, 0))) static int
vset(struct error *err, enum error_where where, uint64_t pos, const char *fmt,
     va_list ap)
{
	if (err == NULL)
		return -1;
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	err->where = where;
	err->line = where == ERROR_LINE ? pos : 0;
	err->offset = where == ERROR_OFFSET ? pos : 0;
	return -1;
}

int
error_set(struct error *err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vset(err, ERROR_NOWHERE, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int
error_set_line(struct error *err, uint64_t line, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vset(err, ERROR_LINE, line, fmt, ap);
	va_end(ap);
	return ret;
}

int
error_set_offset(struct error *err, uint64_t offset, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vset(err, ERROR_OFFSET, offset, fmt, ap);
	va_end(ap);
	return ret;
}

void
error_set_file(struct error *err, const char *file)
{
	if (err == NULL || err->file[0] != '\0')
		return;
	snprintf(err->file, sizeof(err->file), "%s", file);
}

void
error_format(const struct error *err, char *buf, size_t size)
{
	char where[64] = "";

	if (err->where == ERROR_LINE)
		snprintf(where, sizeof(where), "%s%llu",
			 err->file[0] ? ":" : "line ",
			 (unsigned long long)err->line);
	else if (err->where == ERROR_OFFSET)
		snprintf(where, sizeof(where), "%soffset 0x%llx",
			 err->file[0] ? ": " : "",
			 (unsigned long long)err->offset);
	snprintf(buf, size, "%s%s%s%s", err->file, where,
		 err->file[0] || where[0] ? ": " : "", err->text);
}
