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

__attribute__((format(printf, 2, 0))) static void
set_text(struct error *err, const char *fmt, va_list ap)
{
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
}

int
error_set(struct error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	set_text(err, fmt, ap);
	va_end(ap);
	err->where = ERROR_NOWHERE;
	return -1;
}

int
error_set_line(struct error *err, uint64_t line, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	set_text(err, fmt, ap);
	va_end(ap);
	err->where = ERROR_LINE;
	err->line = line;
	return -1;
}

int
error_set_offset(struct error *err, uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	set_text(err, fmt, ap);
	va_end(ap);
	err->where = ERROR_OFFSET;
	err->offset = offset;
	return -1;
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
	const char *file = err->file[0] ? err->file : NULL;

	switch (err->where) {
	case ERROR_LINE:
		if (file)
			snprintf(buf, size, "%s:%llu: %s", file,
				 (unsigned long long)err->line, err->text);
		else
			snprintf(buf, size, "line %llu: %s",
				 (unsigned long long)err->line, err->text);
		break;
	case ERROR_OFFSET:
		if (file)
			snprintf(buf, size, "%s: offset 0x%llx: %s", file,
				 (unsigned long long)err->offset, err->text);
		else
			snprintf(buf, size, "offset 0x%llx: %s",
				 (unsigned long long)err->offset, err->text);
		break;
	default:
		if (file)
			snprintf(buf, size, "%s: %s", file, err->text);
		else
			snprintf(buf, size, "%s", err->text);
		break;
	}
}
