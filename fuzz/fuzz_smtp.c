/* fuzz_smtp.c - libFuzzer target: SMTP line assembly, state machine and
 * AUTH over one clean TCP flow to port 25 (input format: fuzz_lines.h). */
#include "fuzz_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_lines(data, size, 25);
    return 0;
}
