/* cred.c - masking policy for secrets: one option, applied once when a
 * record is emitted, so every view, printer and the store agree. */
#include <string.h>

#include "cred.h"

static int mask_on;
static const uint8_t stars[] = "****";
/* Masked copies live until the next record is emitted. */
static uint8_t text_buf[LIM_TEXT + 8];

void
cred_set_mask(int on)
{
    mask_on = on;
}

int
cred_masked(void)
{
    return mask_on;
}

void
cred_apply(struct rec *r)
{
    size_t keep;

    if (!mask_on || !(r->flags & REC_F_CRED))
        return;
    r->cred.secret.p = stars;
    r->cred.secret.n = 4;
    if (r->cred.secret_typed.n) {
        r->cred.secret_typed.p = stars;
        r->cred.secret_typed.n = 4;
    }
    if (r->kind == REC_CMD || r->kind == REC_AUTH) {
        /* Keep "PASS " / "AUTH PLAIN ", hide the rest. */
        keep = r->secret_off < r->text.n ? r->secret_off : r->text.n;
        memcpy(text_buf, r->text.p, keep);
        memcpy(text_buf + keep, stars, 4);
        r->text.p = text_buf;
        r->text.n = (uint32_t)(keep + 4);
        if (r->arg.p) {
            r->arg.p = stars;
            r->arg.n = 4;
        }
        if (r->typed.n) {
            r->typed.p = stars;
            r->typed.n = 4;
        }
        r->raw.p = text_buf;
        r->raw.n = r->text.n;
        r->nmarks = 0;
    }
    r->flags |= REC_F_MASKED;
}
