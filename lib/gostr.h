/*
 * Go string literals as the runtime and fmt print them: %q (strconv.Quote)
 * in debug=1 label lines, the runtime's printquoted in traceback headers.
 */
#ifndef GOSTR_H
#define GOSTR_H

#include <stddef.h>

/*
 * Decode the double-quoted literal at p[0..n) (p[0] must be '"') into out,
 * which must hold at least n bytes. On success return the number of input
 * bytes consumed (through the closing quote) and set *outlen; return 0 when
 * the literal is malformed or unterminated.
 */
size_t gostr_unquote(const char *p, size_t n, char *out, size_t *outlen);

#endif
