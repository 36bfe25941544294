/* goroscope trend: see analyze_main() and man/goroscope.1. */
#include "cmd/analyze.h"
#include "cmd/cmd.h"
#include "lib/banned.h"

int
cmd_trend(int argc, char **argv)
{
	return analyze_main(command_find("trend"), VIEW_TREND, argc, argv);
}
