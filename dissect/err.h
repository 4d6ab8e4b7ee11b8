/* err.h - error codes returned by fallible functions. */
#ifndef MS_ERR_H
#define MS_ERR_H

#define ERRBUF_LEN 512

enum err {
    ERR_OK = 0,
    ERR_SHORT = -1,     /* input ended before the field */
    ERR_BAD = -2,       /* bytes contradict the format */
    ERR_NOMEM = -3,     /* memcap refused */
    ERR_SYS = -4,       /* system call failed; errbuf says why */
    ERR_LIMIT = -5,     /* a limit was reached */
    ERR_UNSUP = -6,     /* valid but not supported */
};

#endif
