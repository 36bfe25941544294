/* Decoding of Go's quoted strings (\n, \xNN, \uNNNN, \UNNNNNNNN, ...). */
#include <stdint.h>
#include <string.h>

#include "lib/gostr.h"
#include "lib/banned.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t
put_utf8(char *out, uint32_t r)
{
	if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
		r = 0xfffd;
	if (r < 0x80) {
		out[0] = (char)r;
		return 1;
	}
	if (r < 0x800) {
		out[0] = (char)(0xc0 | (r >> 6));
		out[1] = (char)(0x80 | (r & 0x3f));
		return 2;
	}
	if (r < 0x10000) {
		out[0] = (char)(0xe0 | (r >> 12));
		out[1] = (char)(0x80 | ((r >> 6) & 0x3f));
		out[2] = (char)(0x80 | (r & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (r >> 18));
	out[1] = (char)(0x80 | ((r >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((r >> 6) & 0x3f));
	out[3] = (char)(0x80 | (r & 0x3f));
	return 4;
}

static int
hexrun(const char *p, size_t avail, size_t digits, uint32_t *v)
{
	size_t i;

	if (avail < digits)
		return -1;
	*v = 0;
	for (i = 0; i < digits; i++) {
		int h = hexval(p[i]);

		if (h < 0)
			return -1;
		*v = (*v << 4) | (uint32_t)h;
	}
	return 0;
}

/* The one-character escapes of Go string literals. */
static int
simple_escape(char c, char *out)
{
	static const char from[] = "abfnrtv\\\"'";
	static const char to[] = "\a\b\f\n\r\t\v\\\"'";
	const char *k = c ? strchr(from, c) : NULL;

	if (k == NULL)
		return 0;
	*out = to[k - from];
	return 1;
}

size_t
gostr_unquote(const char *p, size_t n, char *out, size_t *outlen)
{
	size_t i = 1, o = 0;

	if (n == 0 || p[0] != '"')
		return 0;
	while (i < n) {
		char c = p[i];
		uint32_t v = 0;

		if (c == '"') {
			*outlen = o;
			return i + 1;
		}
		if (c != '\\') {
			out[o++] = c;
			i++;
			continue;
		}
		if (i + 1 >= n)
			return 0;
		c = p[i + 1];
		i += 2;
		if (simple_escape(c, &out[o])) {
			o++;
			continue;
		}
		switch (c) {
		case 'x':
			if (hexrun(p + i, n - i, 2, &v) < 0)
				return 0;
			out[o++] = (char)v;
			i += 2;
			break;
		case 'u':
		case 'U': {
			size_t d = c == 'u' ? 4 : 8;

			/* \uNNNN is 6 input bytes and at most 3 output
			 * bytes; \UNNNNNNNN 10 and 4: out stays within n. */
			if (hexrun(p + i, n - i, d, &v) < 0)
				return 0;
			o += put_utf8(out + o, v);
			i += d;
			break;
		}
		default:
			if (c >= '0' && c <= '7' && i + 1 < n) {
				/* octal \NNN */
				v = (uint32_t)(c - '0');
				if (p[i] < '0' || p[i] > '7' ||
				    p[i + 1] < '0' || p[i + 1] > '7')
					return 0;
				v = v * 64 + (uint32_t)(p[i] - '0') * 8 +
				    (uint32_t)(p[i + 1] - '0');
				out[o++] = (char)v;
				i += 2;
				break;
			}
			return 0;
		}
	}
	return 0;
}
