/* Diagnostics on stderr: errors and warnings, in the house style. */
#ifndef DIAG_H
#define DIAG_H

struct error;
struct snapshot;

/* "goroscope: FILE:LINE: text" */
void diag_error(const struct error *err);

/* What a reader skipped or noticed in s, one line each. */
void diag_warnings(const struct snapshot *s);

#endif
