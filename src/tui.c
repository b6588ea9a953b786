/*
 * tui.c - placeholder until the interactive monitor lands (issue 4).
 */
#include <stdio.h>

#include "tui.h"

int tui_run(const cli_options *o, const char *shm)
{
    (void)o;
    (void)shm;
    fprintf(stderr, "l1top: the interactive view is not built yet; use --once\n");
    return EXIT_USAGE;
}
