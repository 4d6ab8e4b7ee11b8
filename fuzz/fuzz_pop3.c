/* fuzz_pop3.c - libFuzzer target: POP3 line assembly, state machine,
 * USER/PASS, APOP, AUTH and telnet-typed lines over one clean TCP flow to
 * port 110 (input format: fuzz_lines.h). */
#include "fuzz_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_lines(data, size, 110);
    return 0;
}
