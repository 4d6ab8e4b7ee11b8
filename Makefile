# mailsift - SMTP/POP3 packet analyzer. See README.md.
# make            build ./mailsift (gcc: with its profile, see PGO below;
#                 make PGO=0: one plain build, quicker while editing)
# make run        build (installing missing Debian packages) and show the lab trace
# make test       unit, golden, filter and live tests, then all again under ASan+UBSan
# make asan       the suite under -fsanitize=address,undefined only
# make fuzz       run each libFuzzer target for FUZZ_SECONDS (default 60)
# make bench      the benchmark in bench/ (not part of make test)
# make bench-live replay into a veth pair: live capture drops (root)
# make lint       grep for calls that have bitten parsers
# make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
CC      ?= cc
PKG_CONFIG ?= pkg-config
VERSION := 0.1

WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes -Wvla
STD     := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
# $(call cc_flag,FLAG): FLAG if the compiler builds and links a program
# with it, else nothing.
cc_flag = $(shell printf 'int main(void){return 0;}\n' | $(CC) $(1) -x c -o /dev/null - 2>/dev/null && echo $(1))
# Fixed-size memset/memcpy (a record, a line) as calls to libc, which
# picks the store strategy for the CPU it runs on: gcc's inline
# "rep stos" for them cost 17% of a run over a million short sessions
# (bench/README.md).
STRINGOP := $(call cc_flag,-mstringop-strategy=libcall)
# Link-time optimization where the compiler and linker can do it: the
# hot path crosses modules (capture, TCP, lines, protocol, printer) and
# inlining across them took 6% off -T json over a million short
# sessions (bench/README.md).
# With gcc the whole program is one unit, so that the hot path is not
# cut where LTO's partitions fall: another 2-4% (the link is serial).
LTO     := $(or $(call cc_flag,-flto=auto -flto-partition=one),$(call cc_flag,-flto=auto))
OPT     ?= $(OLEVEL) -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong $(STRINGOP) $(LTO)
# Profile-guided optimization with gcc: the objects are built once
# instrumented, scripts/pgo-train.sh runs that build over
# generated and bundled captures, and the objects of $(B) are compiled
# with the profile it left: branches laid out for the paths taken, hot
# code inlined, cold code kept apart. On -T json over a million short
# sessions, with -O3 below: 15% fewer instructions and 10% less time
# (bench/README.md).
# On by default for gcc when OPT and B are the defaults; PGO=0 builds
# once (quicker while editing). -fprofile-partial-training: code the
# training run did not reach is optimized as without a profile.
PGO_GCC = $(shell $(CC) -dM -E -x c /dev/null 2>/dev/null | grep -q __clang__ || echo 1)
PGO_CAN = $(and $(PGO_GCC),$(call cc_flag,-fprofile-update=single -fprofile-partial-training))
PGO     ?= $(if $(and $(filter file,$(origin OPT)),$(filter build/rel,$(B)),$(PGO_CAN)),1,0)
PGO_USE  = $(if $(filter 1,$(PGO)),-fprofile-use -fprofile-partial-training -Wno-missing-profile)
# -O3 only with the profile: then it expands the paths the training took
# (-9% instructions on top of PGO at -O2, 3.53 -> 3.27 s on short-1M
# -T json); without one it made the same run slower than -O2 (3.64 ->
# 3.83 s), its unrolling and inlining spread over cold code too.
OLEVEL   = $(if $(filter 1,$(PGO)),-O3,-O2)
PCAP_CFLAGS  = $(shell $(PKG_CONFIG) --cflags libpcap 2>/dev/null)
PCAP_LIBS    = $(shell $(PKG_CONFIG) --libs libpcap 2>/dev/null || echo -lpcap)
CURSES_CFLAGS = $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS   = $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)
PCRE2_CFLAGS  = $(shell $(PKG_CONFIG) --cflags libpcre2-8 2>/dev/null)
PCRE2_LIBS    = $(shell $(PKG_CONFIG) --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)
# TLS decryption: OpenSSL 3 libcrypto (libssl-dev).
CRYPTO_CFLAGS = $(shell $(PKG_CONFIG) --cflags libcrypto 2>/dev/null)
CRYPTO_LIBS   = $(shell $(PKG_CONFIG) --libs libcrypto 2>/dev/null || echo -lcrypto)
CFLAGS  ?=
ALL_CFLAGS = $(STD) $(WARN) $(OPT) $(PGO_USE) $(CFLAGS) $(PCAP_CFLAGS) $(CURSES_CFLAGS) $(PCRE2_CFLAGS) \
             $(CRYPTO_CFLAGS) -DMAILSIFT_VERSION='"$(VERSION)"'
LDLIBS  = $(PCAP_LIBS) $(CURSES_LIBS) $(PCRE2_LIBS) $(CRYPTO_LIBS)

DISSECT := dissect/anom.c dissect/mem.c dissect/record.c dissect/cred.c \
           dissect/ip.c dissect/tunnel.c dissect/flow.c \
           dissect/tcp.c dissect/line.c \
           dissect/telnet.c dissect/b64.c dissect/sess.c dissect/acc.c \
           dissect/auth.c dissect/smtp.c dissect/pop3.c dissect/imap.c \
           dissect/proto.c \
           dissect/dec.c dissect/dec_tls.c dissect/stream.c dissect/dissect.c dissect/field.c \
           dissect/filter.c dissect/mime.c \
           dissect/keylog.c dissect/tls.c dissect/tls_crypto.c dissect/tls_cert.c \
           dissect/tls_names.c
CAPTURE := capture/cap.c capture/link.c capture/pump.c
UI      := ui/esc.c ui/fmt.c ui/text.c ui/json.c ui/ek.c ui/report.c ui/export.c \
           ui/tui.c ui/tui_bar.c ui/tui_keys.c ui/tui_table.c ui/tui_pane.c \
           ui/tui_view.c ui/tui_ladder.c ui/rows.c ui/ucol.c ui/zstat.c ui/ladder.c ui/labrep.c \
           ui/zrep.c
SRC     := $(DISSECT) $(CAPTURE) $(UI) main.c
HDR     := $(wildcard dissect/*.h capture/*.h ui/*.h)

B       ?= build/rel
FLAGFILE ?= $(B)/flags
PGO     := $(PGO)
OBJ     := $(SRC:%.c=$(B)/%.o)

UNIT    := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))

.PHONY: all run test unit golden filter-tests live-tests asan fuzz bench bench-live lint \
        man-check install clean deps deps-test golden-update check-fast FORCE

all: mailsift

# $(FLAGFILE) holds the compiler and flags the objects in $(B) were built
# with; it changes only when they do, and everything built in $(B)
# depends on it. So `make run` after `make test` (-Werror) or `make
# CFLAGS=...` rebuilds instead of linking objects made with other flags.
BUILD_FLAGS = $(CC) $(ALL_CFLAGS) | $(LDFLAGS) | $(LDLIBS)
$(FLAGFILE): FORCE
	$(shell mkdir -p $(B))$(file >$@.new,$(BUILD_FLAGS))
	@if cmp -s $@.new $@; then rm -f $@.new; else \
	    [ -f $@ ] && echo "$(B): build flags changed, rebuilding"; mv $@.new $@; fi
FORCE:

# The binary, its sanitizer build (make asan) and the instrumented one
# the profile is trained with (PGO): the objects of $(B), linked.
mailsift mailsift-asan $(B)/mailsift-gen: $(OBJ) $(FLAGFILE)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

# The profile (PGO=1): remade when any source is, since a profile of
# other code does not fit. The instrumented objects are built where the
# final ones go, with their own flags file, so that gcc finds each
# object's counts (.gcda beside it) under the same name; all of them,
# since the binary trained must be instrumented throughout.
ifeq ($(PGO),1)
$(OBJ): $(B)/trained
$(B)/trained: $(SRC) $(HDR) Makefile scripts/pgo-train.sh bench/gen.c $(FLAGFILE)
	@echo "PGO: instrumented build and training run (PGO=0: one plain build)"
	@mkdir -p $(B) && rm -f $(FLAGFILE)-gen && find $(B) -name '*.gcda' -delete
	@$(MAKE) --no-print-directory PGO=0 FLAGFILE=$(FLAGFILE)-gen \
	    OPT="$(OPT) -fprofile-generate -fprofile-update=single" $(B)/mailsift-gen
	$(CC) -std=c11 -O2 -o $(B)/gen bench/gen.c
	scripts/pgo-train.sh $(B)/mailsift-gen $(B)/gen $(B)/train
	@touch $@
endif

$(B)/%.o: %.c $(HDR) Makefile $(FLAGFILE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Unit tests link against every module but main.c; a test that includes
# its module's .c (to reach static stages) leaves that object out.
LIBOBJ  = $(filter-out $(B)/main.o $(B)/ui/tui%.o,$(OBJ))
.SECONDEXPANSION:
$(B)/tests/%: tests/unit/%.c $(LIBOBJ) tests/unit/t.h $(FLAGFILE)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Idissect -Iui -Icapture -Itests/unit -o $@ $< \
	    $(filter-out $(patsubst test_%,$(B)/dissect/%.o,$*),$(LIBOBJ)) $(LDLIBS) -lm

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

run: deps
	@$(MAKE) --no-print-directory mailsift
	./mailsift -r samples/lab-pop3-telnet.pcap -T text
	./mailsift -r samples/lab-pop3-telnet.pcap -q -z creds

unit: $(addprefix $(B)/tests/,$(UNIT))
	@fail=0; for t in $^; do ./$$t || fail=1; done; exit $$fail

golden: mailsift
	@tests/run-golden.sh ./mailsift

filter-tests: mailsift
	@tests/run-filter.sh ./mailsift

live-tests: mailsift
	@tests/run-live.sh ./mailsift

# The quick suite: what every commit must pass.
check-fast: unit golden filter-tests man-check

# The whole suite: warnings fatal, then again under the sanitizers.
# run-all.sh runs unit, golden and filter itself (once), with the same
# CFLAGS, so the unit tests link against these objects.
test: deps-test
	@$(MAKE) --no-print-directory CFLAGS="-Werror" mailsift
	@MAILSIFT_CFLAGS="-Werror" tests/run-all.sh

asan:
	@$(MAKE) --no-print-directory B=build/asan CC=clang \
	    OPT="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	    LDFLAGS="-fsanitize=address,undefined" mailsift-asan check-asan

check-asan: mailsift-asan unit
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 tests/run-golden.sh ./mailsift-asan
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 tests/run-filter.sh ./mailsift-asan

fuzz:
	@fuzz/run.sh $(FUZZ_SECONDS)

bench: mailsift
	@scripts/deps.sh bench
	@bench/run.sh
	@bench/tls.sh
	@bench/robust.sh
	@if [ "$$(id -u)" = 0 ] && command -v tcpreplay >/dev/null; then bench/live.sh; \
	else echo "== live: skipped (bench/live.sh needs root and tcpreplay; make bench-live)"; fi

# Live capture without drops (root: a network namespace and tcpreplay).
bench-live: mailsift
	@scripts/deps.sh bench
	@bench/live.sh

# the man page's field table is --list-fields
man-check: mailsift
	@scripts/man-sync.sh --check ./mailsift

lint:
	@scripts/lint.sh

# fuzz/run.sh and tests read the module lists from here.
print-%:
	@echo $($*)

golden-update: mailsift
	@tests/run-golden.sh ./mailsift --update $(T)

install: mailsift
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 mailsift $(DESTDIR)$(BINDIR)/mailsift
	install -m 644 mailsift.1 $(DESTDIR)$(MANDIR)/man1/mailsift.1

clean:
	rm -rf build mailsift mailsift-asan
