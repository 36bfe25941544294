/* goroscope diff: see analyze_main() and man/goroscope.1. */
#include "cmd/analyze.h"
#include "cmd/cmd.h"
#include "lib/banned.h"

int
cmd_diff(int argc, char **argv)
{
	return analyze_main(command_find("diff"), VIEW_DIFF, argc, argv);
}
