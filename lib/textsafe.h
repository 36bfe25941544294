/*
 * Text from input on a terminal (DESIGN.md section 6): names, labels and
 * paths come from the capture, and a capture can hold any bytes. The text
 * output's one escaping rule: every byte of a control character (C0, DEL,
 * C1) and every byte that is not part of valid UTF-8 prints as \xHH, the
 * rest as itself. The JSON output escapes by JSON's rules instead, the DOT
 * output by DOT's on top of this one; pprof and .gsnap keep the bytes.
 */
#ifndef TEXTSAFE_H
#define TEXTSAFE_H

#include <stddef.h>

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), 0 if it is
 * not one (overlong, surrogate, past U+10FFFF, cut short). */
size_t utf8_seq(const unsigned char *s, size_t n);

/* Bytes of the character at s (n > 0 bytes left) that print as
 * themselves: its length, or 0 for a control character or a byte of no
 * valid character. */
size_t text_printable(const unsigned char *s, size_t n);

/* Whether s[0..n) prints as itself under the rule above. */
int text_plain(const char *s, size_t n);

/* s[0..n) under the rule above into out (room for 4 n + 1), NUL-ended;
 * returns its length. */
size_t text_escape(const char *s, size_t n, char *out);

#endif
