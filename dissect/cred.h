/* cred.h - credential masking policy, decided once from --mask. */
#ifndef MS_CRED_H
#define MS_CRED_H

#include "record.h"

void cred_set_mask(int on);
int cred_masked(void);
/* Replace every secret in r by "****" when masking is on. */
void cred_apply(struct rec *r);

#endif
