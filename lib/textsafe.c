/* The text output's escaping of bytes from input. */
#include <stdint.h>

#include "lib/textsafe.h"
#include "lib/banned.h"

size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

size_t
text_printable(const unsigned char *s, size_t n)
{
	size_t k;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	k = utf8_seq(s, n);
	if (k == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return 0; /* C1: U+0080 to U+009F, CSI among them */
	return k;
}

int
text_plain(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (u[i] >= 0x20 && u[i] < 0x7f) {
			i++;
			continue;
		}
		if ((k = text_printable(u + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

size_t
text_escape(const char *s, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, k;

	while (i < n) {
		k = text_printable(u + i, n - i);
		if (k == 0) {
			/* A control character is escaped whole (C1 is two
			 * bytes), anything else byte by byte. */
			size_t m = u[i] == 0xc2 && utf8_seq(u + i, n - i) == 2
					   ? 2
					   : 1;

			while (m-- > 0) {
				out[o++] = '\\';
				out[o++] = 'x';
				out[o++] = hex[u[i] >> 4];
				out[o++] = hex[u[i] & 15];
				i++;
			}
			continue;
		}
		while (k-- > 0)
			out[o++] = (char)u[i++];
	}
	out[o] = '\0';
	return o;
}
