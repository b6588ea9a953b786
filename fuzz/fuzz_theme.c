/* libFuzzer target: the theme loader, on any input. */
#include <stddef.h>
#include <stdint.h>

#include "cli/theme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    theme t;
    char err[512];
    theme_default(&t);
    if (theme_load_string(&t, "fuzz.yaml", (const char *)data, size, err, sizeof err) == 0) {
        rgb ramp[12];
        theme_ramp(&t, 12, ramp);
    }
    return 0;
}
