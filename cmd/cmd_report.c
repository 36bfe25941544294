/* goroscope report: see analyze_main() and man/goroscope.1. */
#include "cmd/analyze.h"
#include "cmd/cmd.h"
#include "lib/banned.h"

int
cmd_report(int argc, char **argv)
{
	return analyze_main(command_find("report"), VIEW_REPORT, argc, argv);
}
