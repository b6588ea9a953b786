/* libFuzzer target: the YAML configuration loader must reject or accept any
 * input without crashing, leaking or reading out of bounds. */
#include <stddef.h>
#include <stdint.h>

#include "cli/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static l1top_config c;
    char err[CONFIG_ERR_LEN];
    config_defaults(&c);
    config_load_string(&c, "fuzz.yaml", (const char *)data, size, err, sizeof err);
    return 0;
}
