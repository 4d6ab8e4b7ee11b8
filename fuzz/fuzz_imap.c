/* fuzz_imap.c - libFuzzer target: IMAP line assembly, tags, literals in
 * both directions, LOGIN/AUTHENTICATE, IDLE, COMPRESS, STARTTLS and
 * telnet-typed lines over one clean TCP flow to port 143 (input format:
 * fuzz_lines.h). */
#include "fuzz_lines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_lines(data, size, 143);
    return 0;
}
