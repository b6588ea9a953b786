# l1top - build, test and install.
#   make            library, l1top, l1sim
#   make check      unit + end-to-end tests
#   make install    PREFIX=/usr/local DESTDIR=
VERSION   := 0.1.0
SOVERSION := 0
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
PKG_CONFIG ?= pkg-config

B ?= build
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
override CFLAGS  += -std=c11 $(WARN) -Iinclude -Ilib -Isrc -D_FILE_OFFSET_BITS=64
LDFLAGS ?=
SAN     ?=
override CFLAGS  += $(SAN)
override LDFLAGS += $(SAN)

NCURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
NCURSES_LIBS   := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)
JANSSON_LIBS   := $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null || echo -ljansson)
YAML_LIBS      := $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml)
MHD_LIBS       := $(shell $(PKG_CONFIG) --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
ZSTD_LIBS      := $(shell $(PKG_CONFIG) --libs libzstd 2>/dev/null || echo -lzstd)
CRITERION_LIBS := $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null || echo -lcriterion)

# The three layers (docs/architecture.md): sources fill the model, views read it.
# lib/ is libl1top (what writer processes link); sim/ is the simulator.
LIB_SRC     := $(wildcard lib/*.c)
MODEL_SRC   := $(wildcard src/model/*.c)
SOURCES_SRC := $(wildcard src/sources/*.c)
# The TUI's ncurses code: tui*.c and render_*.c, less its pure (unit-tested) parts.
TUI_PURE    := src/views/tui_layout.c src/views/tui_state.c
TUI_SRC     := $(filter-out $(TUI_PURE),$(wildcard src/views/tui*.c)) $(wildcard src/views/render_*.c)
VIEWS_SRC   := $(filter-out $(TUI_SRC),$(wildcard src/views/*.c))
CLI_SRC     := $(filter-out src/cli/l1top.c,$(wildcard src/cli/*.c))
CORE_SRC := $(MODEL_SRC) $(SOURCES_SRC) $(VIEWS_SRC) $(CLI_SRC)
ALL_SRC_DIRS := lib src/model src/sources src/views src/cli sim
vpath %.c $(ALL_SRC_DIRS)

LIB_OBJ     := $(patsubst %.c,$(B)/pic/%.o,$(notdir $(LIB_SRC)))
LIB_OBJ_STATIC := $(patsubst %.c,$(B)/obj/%.o,$(notdir $(LIB_SRC)))
CORE_OBJ    := $(patsubst %.c,$(B)/obj/%.o,$(notdir $(CORE_SRC)))
TUI_OBJ     := $(patsubst %.c,$(B)/obj/%.o,$(notdir $(TUI_SRC)))

STATIC_LIB := $(B)/libl1top.a
SHARED_LIB := $(B)/libl1top.so.$(VERSION)
BINS := $(B)/l1top $(B)/l1sim

# The TT-Metal stand-in and the adapter built against it (rules below).
TTS := $(B)/ttmetal-standin
TTS_ALL := $(TTS)/libtt_metal.so $(TTS)/libttnn.so $(TTS)/libl1top_ttmetal.so $(TTS)/libl1top_ttmetal_preload.so \
           $(TTS)/host $(TTS)/host-linked

TEST_UNIT_SRC := $(wildcard tests/unit/*.c)
TEST_E2E_SRC  := $(wildcard tests/e2e/*.c)

all: $(STATIC_LIB) $(SHARED_LIB) $(B)/l1top.pc $(BINS)

$(B)/obj/%.o: %.c | $(B)/obj
	$(CC) $(CFLAGS) $(NCURSES_CFLAGS) -DL1TOP_DATADIR='"$(PREFIX)/share/l1top"' -MMD -MP -c $< -o $@

$(B)/pic/%.o: %.c | $(B)/pic
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden -DL1TOP_BUILDING_SHARED -MMD -MP -c $< -o $@

$(B)/obj $(B)/pic $(B)/tests:
	mkdir -p $@

$(STATIC_LIB): $(LIB_OBJ_STATIC)
	rm -f $@ && ar rcs $@ $^

$(SHARED_LIB): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libl1top.so.$(SOVERSION) $(LDFLAGS) -o $@ $^ -pthread -lrt
	ln -sf libl1top.so.$(VERSION) $(B)/libl1top.so.$(SOVERSION)
	ln -sf libl1top.so.$(VERSION) $(B)/libl1top.so

$(B)/l1top.pc: l1top.pc.in Makefile | $(B)/obj
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

$(B)/l1top: $(B)/obj/l1top.o $(CORE_OBJ) $(TUI_OBJ) $(STATIC_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(NCURSES_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(MHD_LIBS) $(ZSTD_LIBS) -pthread -lrt -lm

TRACE_OBJ := $(B)/obj/trace.o $(B)/obj/trace_parse.o $(B)/obj/trace_board.o $(B)/obj/trace_replay.o
# The whole model: accounting's internals are files of their own (placement, sweep, clash).
MODEL_OBJ := $(patsubst %.c,$(B)/obj/%.o,$(notdir $(MODEL_SRC)))
$(B)/l1sim: $(B)/obj/l1sim.o $(TRACE_OBJ) $(MODEL_OBJ) $(STATIC_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(JANSSON_LIBS) -pthread -lrt

# ---- tests ----
# The units drive the TUI's key table and help screen on an off-screen terminal: ncurses too.
$(B)/tests/unit: $(TEST_UNIT_SRC) $(CORE_OBJ) $(TUI_OBJ) $(STATIC_LIB) tests/unit/*.h | $(B)/tests
	$(CC) $(CFLAGS) $(NCURSES_CFLAGS) -D_GNU_SOURCE -Itests/unit -o $@ $(TEST_UNIT_SRC) $(CORE_OBJ) $(TUI_OBJ) \
	    $(STATIC_LIB) $(CRITERION_LIBS) $(NCURSES_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(MHD_LIBS) $(ZSTD_LIBS) -pthread -lrt -lm

$(B)/tests/e2e: $(TEST_E2E_SRC) $(CORE_OBJ) $(STATIC_LIB) | $(B)/tests
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Itests/e2e -Itests/unit -o $@ $(TEST_E2E_SRC) $(CORE_OBJ) $(STATIC_LIB) \
	    $(CRITERION_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(MHD_LIBS) $(ZSTD_LIBS) -pthread -lrt -lm

# A client built only from the public header, linked with -ll1top (like users do).
$(B)/tests/fixture_writer: tests/fixture_writer.c include/l1top.h $(SHARED_LIB) | $(B)/tests
	$(CC) $(CFLAGS) -o $@ $< -L$(B) -Wl,-rpath,$(abspath $(B)) -ll1top

# Every fuzz target replayed over its corpus (seeds and past crashes), no libFuzzer needed.
$(B)/tests/replay_%: fuzz/fuzz_%.c fuzz/replay_main.c $(CORE_OBJ) $(STATIC_LIB) | $(B)/tests
	$(CC) $(CFLAGS) -D_GNU_SOURCE -o $@ $< fuzz/replay_main.c $(CORE_OBJ) $(STATIC_LIB) \
	    $(JANSSON_LIBS) $(YAML_LIBS) $(MHD_LIBS) $(ZSTD_LIBS) -pthread -lrt -lm

REPLAYS := $(B)/tests/replay_config $(B)/tests/replay_theme $(B)/tests/replay_segment $(B)/tests/replay_trace \
           $(B)/tests/replay_ttmetal $(B)/tests/replay_writer $(B)/tests/replay_snapshot $(B)/tests/replay_fitspec
REPLAYS += $(B)/tests/replay_recording

TEST_JOBS ?= 2
check: all $(B)/tests/unit $(B)/tests/e2e $(B)/tests/fixture_writer $(REPLAYS) $(TTS_ALL)
	bash tests/layers.sh
	$(B)/tests/replay_config tests/corpus/config
	$(B)/tests/replay_theme tests/corpus/theme
	$(B)/tests/replay_segment tests/corpus/segment
	$(B)/tests/replay_trace tests/corpus/trace
	$(B)/tests/replay_ttmetal tests/corpus/ttmetal
	$(B)/tests/replay_writer tests/corpus/writer
	$(B)/tests/replay_snapshot tests/corpus/snapshot
	$(B)/tests/replay_fitspec tests/corpus/fitspec
	$(B)/tests/replay_recording tests/corpus/recording
	$(B)/tests/unit --jobs $(TEST_JOBS)
	L1TOP_BUILD=$(abspath $(B)) $(B)/tests/e2e --jobs 1
	B=$(B) SAN="$(SAN)" bash tests/pkgconfig_client.sh
	B=$(B) bash tests/prometheus_files.sh
	B=$(B) TTM_PRELOAD_FIRST="$(TTM_SAN_RUNTIME)" bash tests/ttmetal/run.sh
	$(if $(SAN),@echo "valgrind: skipped under sanitizers",B=$(B) bash tests/valgrind_once.sh)

# ---- install ----
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(B)/l1top $(B)/l1sim $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(STATIC_LIB) $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(SHARED_LIB) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libl1top.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libl1top.so.$(SOVERSION)
	ln -sf libl1top.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libl1top.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' l1top.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/l1top.pc
	chmod 644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/l1top.pc
	install -m 644 include/l1top.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 man/l1top.1 man/l1sim.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/l1top/themes
	install -m 644 themes/*.yaml $(DESTDIR)$(PREFIX)/share/l1top/themes/
	install -m 644 config.example.yaml $(DESTDIR)$(PREFIX)/share/l1top/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/l1top $(DESTDIR)$(PREFIX)/bin/l1sim \
	    $(DESTDIR)$(PREFIX)/lib/libl1top.a $(DESTDIR)$(PREFIX)/lib/libl1top.so* \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/l1top.pc $(DESTDIR)$(PREFIX)/include/l1top.h \
	    $(DESTDIR)$(PREFIX)/share/man/man1/l1top.1 $(DESTDIR)$(PREFIX)/share/man/man1/l1sim.1
	rm -rf $(DESTDIR)$(PREFIX)/share/l1top

clean:
	rm -rf $(B)

.PHONY: all check install uninstall clean
-include $(wildcard $(B)/obj/*.d $(B)/pic/*.d)

# ---- analysis ----
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan-check:
	$(MAKE) B=build-asan SAN="$(ASAN_FLAGS)" CFLAGS="-O1 -g" check

# ThreadSanitizer over what runs threads: the writer's unit tests and a
# stress driver (writer threads, writer processes, one SIGKILLed, a reader
# thread). Criterion cannot run under TSan (Snaipe/Criterion#274), so this
# is a plain-C driver doing what the Criterion stress test and the writer's
# threaded unit tests do. clang: gcc refuses
# atomic_thread_fence under -fsanitize=thread (-Wtsan).
TSAN_B := build-tsan
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
# tsan_stress: writer processes (one SIGKILLed) and threads beside a reader;
# tsan_threads: threads of one process recording and releasing at once.
TSAN_TESTS := $(TSAN_B)/tests/tsan_stress $(TSAN_B)/tests/tsan_threads
$(TSAN_B)/tests/tsan_%: tests/tsan/tsan_%.c $(CORE_SRC) $(LIB_SRC) $(wildcard lib/*.h src/*/*.h)
	@mkdir -p $(TSAN_B)/tests
	clang -std=c11 -g -O1 $(WARN) -Wno-unused-command-line-argument $(TSAN_FLAGS) -Iinclude -Ilib -Isrc \
	    $(NCURSES_CFLAGS) -o $@ $< $(CORE_SRC) $(LIB_SRC) \
	    $(JANSSON_LIBS) $(YAML_LIBS) $(MHD_LIBS) $(ZSTD_LIBS) -pthread -lrt -lm

tsan-check: $(TSAN_TESTS)
	for t in $(TSAN_TESTS); do TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" $$t || exit 1; done

.PHONY: tsan-check

LINT_SRC := $(LIB_SRC) $(wildcard src/*/*.c) sim/l1sim.c integrations/tt-metal/l1top_ttmetal_preload.c
lint:
	@cppcheck --quiet --std=c11 --enable=warning,performance,portability --error-exitcode=1 \
	    --inline-suppr --suppress=missingIncludeSystem -Iinclude -Ilib -Isrc $(LINT_SRC)
	@# clang-tidy counts the (suppressed) warnings of system headers on stderr: drop that line only.
	@bash -o pipefail -c 'clang-tidy --quiet $(LINT_SRC) -- -std=c11 -Iinclude -Ilib -Isrc -D_GNU_SOURCE $(NCURSES_CFLAGS) 2>&1 \
	    | { grep -vE "^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$$" || true; }'

.PHONY: asan-check lint

# ---- fuzzing (clang libFuzzer) ----
FUZZ_SECONDS ?= 60
# FUZZ_SEED 0 lets libFuzzer pick a seed (exploration, `make fuzz`); the CI's
# smoke run fixes the seed and the number of runs, so that what it finds is
# reproducible and a green run stays green (a random seed found the segment
# target's NULL + 0 on a CI machine that the same commit had passed twice).
FUZZ_SEED ?= 0
FUZZ_RUNS ?= -1
# The smoke run's runs per target: about 10 s each here (the writer target
# maps a segment per input, ~150 runs/s; the segment target ~25k runs/s).
FUZZ_SMOKE_RUNS := config=50000 theme=100000 segment=200000 trace=30000 ttmetal=100000 \
                   writer=1500 snapshot=30000 fitspec=100000 recording=6000
FUZZ_TARGETS := config theme segment trace ttmetal writer snapshot fitspec recording
FUZZ_B := build-fuzz
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
              -Werror=implicit-function-declaration -Werror=int-conversion
FUZZ_SRC := $(CORE_SRC) $(LIB_SRC)

$(FUZZ_B)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_SRC) $(wildcard lib/*.h src/*/*.h)
	@mkdir -p $(FUZZ_B)
	clang -std=c11 -Iinclude -Ilib -Isrc $(FUZZ_FLAGS) -o $@ $< $(FUZZ_SRC) \
	    $(JANSSON_LIBS) $(YAML_LIBS) $(MHD_LIBS) $(ZSTD_LIBS) -pthread -lrt -lm

# Each target for FUZZ_SECONDS from the corpus in tests/corpus/<target>, with
# fuzz/<target>.dict when there is one (big numbers, long strings, nesting); new
# findings go to build-fuzz/<target>-new, crashes to build-fuzz/<target>-crash-*.
fuzz: $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_B)/$$t-new; \
	    runs=$(FUZZ_RUNS); \
	    test "$$runs" != smoke || runs=$$(printf '%s\n' $(FUZZ_SMOKE_RUNS) | sed -n "s/^$$t=//p"); \
	    echo "fuzz $$t: seed $(FUZZ_SEED), runs $$runs, at most $(FUZZ_SECONDS)s"; \
	    $(FUZZ_B)/fuzz_$$t -seed=$(FUZZ_SEED) -runs=$$runs -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	        $$(test -f fuzz/$$t.dict && echo -dict=fuzz/$$t.dict) \
	        -artifact_prefix=$(FUZZ_B)/$$t- $(FUZZ_B)/$$t-new tests/corpus/$$t >$(FUZZ_B)/$$t.log 2>&1 \
	        || { tail -30 $(FUZZ_B)/$$t.log; exit 1; }; \
	    grep -E 'Done [0-9]+ runs' $(FUZZ_B)/$$t.log; \
	done

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SEED=1 FUZZ_RUNS=smoke FUZZ_SECONDS=120

.PHONY: fuzz fuzz-smoke

# ---- benchmarks (not part of check) ----
$(B)/bench:
	mkdir -p $@

$(B)/bench/bench_writer: bench/bench_writer.c $(STATIC_LIB) | $(B)/bench
	$(CC) $(CFLAGS) -o $@ $< $(STATIC_LIB) -pthread -lrt

$(B)/bench/bench_reader: bench/bench_reader.c $(CORE_OBJ) $(TUI_OBJ) $(STATIC_LIB) | $(B)/bench
	$(CC) $(CFLAGS) $(NCURSES_CFLAGS) -o $@ $< $(TUI_OBJ) $(CORE_OBJ) \
	    $(STATIC_LIB) $(NCURSES_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) $(MHD_LIBS) $(ZSTD_LIBS) -pthread -lrt -lm

$(B)/bench/bench_trace: bench/bench_trace.c $(CORE_OBJ) $(STATIC_LIB) | $(B)/bench
	$(CC) $(CFLAGS) -o $@ $< $(CORE_OBJ) $(STATIC_LIB) $(JANSSON_LIBS) $(YAML_LIBS) $(MHD_LIBS) $(ZSTD_LIBS) -pthread -lrt -lm

$(B)/bench/bench_peaks: bench/bench_peaks.c $(CORE_OBJ) $(STATIC_LIB) | $(B)/bench
	$(CC) $(CFLAGS) -o $@ $< $(CORE_OBJ) $(STATIC_LIB) $(JANSSON_LIBS) $(YAML_LIBS) $(MHD_LIBS) $(ZSTD_LIBS) -pthread -lrt -lm

$(B)/bench/bench_recording: bench/bench_recording.c $(CORE_OBJ) $(STATIC_LIB) | $(B)/bench
	$(CC) $(CFLAGS) -o $@ $< $(CORE_OBJ) $(STATIC_LIB) $(JANSSON_LIBS) $(YAML_LIBS) $(MHD_LIBS) $(ZSTD_LIBS) -pthread -lrt -lm

# Not part of `make bench` (it runs for minutes): bench/record.sh SECONDS.
RECORD_SECONDS ?= 30
bench-record: all $(B)/bench/bench_recording
	B=$(B) bash bench/record.sh $(RECORD_SECONDS)

bench: all $(B)/bench/bench_writer $(B)/bench/bench_reader $(B)/bench/bench_trace $(B)/bench/bench_peaks
	B=$(B) bash bench/run.sh
	$(B)/bench/bench_trace $(B)/l1top
	$(B)/bench/bench_peaks

.PHONY: bench bench-record

# ---- valgrind on the batch view ----
valgrind-check: all $(B)/tests/fixture_writer
	B=$(B) bash tests/valgrind_once.sh

.PHONY: valgrind-check

# ---- TT-Metal integration (docs/tt-metal.md) ----
CXX ?= c++
TTM_WARN     := -Wall -Wextra -Werror -Wshadow
TTM_CXXFLAGS := -std=c++20 -O2 -g $(TTM_WARN) -fPIC -fvisibility=hidden -Iinclude $(SAN)
# Under ASan its runtime must be first in LD_PRELOAD, before the shim.
TTM_SAN_RUNTIME := $(if $(findstring address,$(SAN)),$(shell $(CC) -print-file-name=libasan.so))
TTM_SHIM_SRC := integrations/tt-metal/l1top_ttmetal_preload.c
TTM_ADAPTER  := integrations/tt-metal/l1top_ttmetal.cpp
TTM_LDFLAGS  := -shared -Wl,-z,defs
TTM_EXPORTS  := -Wl,--version-script=integrations/tt-metal/adapter.map

# The preload shim: C, libc only, so it can be preloaded into anything.
$(B)/%/libl1top_ttmetal_preload.so: $(TTM_SHIM_SRC)
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -g $(WARN) -fPIC -fvisibility=hidden $(TTM_LDFLAGS) -o $@ $< -ldl -pthread

# -- against the stand-in (tests/ttmetal_standin): a separate libtt_metal.so,
#    a libttnn.so on top, and a host that dlopen()s it after start-up.
TTS_HDR := $(wildcard tests/ttmetal_standin/tt-metalium/*.hpp)
TTS_FLAGS := -std=c++20 -O2 -g $(TTM_WARN) -fPIC -Itests/ttmetal_standin $(SAN)

$(TTS)/libtt_metal.so: tests/ttmetal_standin/libtt_metal.cpp $(TTS_HDR)
	@mkdir -p $(@D)
	$(CXX) $(TTS_FLAGS) $(TTM_LDFLAGS) -Wl,-soname,libtt_metal.so -o $@ $< -pthread

$(TTS)/libttnn.so: tests/ttmetal_standin/model.cpp $(TTS_HDR) $(TTS)/libtt_metal.so
	$(CXX) $(TTS_FLAGS) -fvisibility=hidden $(TTM_LDFLAGS) -o $@ $< -L$(TTS) -ltt_metal -Wl,-rpath,'$$ORIGIN'

$(TTS)/libl1top_ttmetal.so: $(TTM_ADAPTER) integrations/tt-metal/adapter.map $(TTS_HDR) include/l1top.h $(LIB_OBJ) $(TTS)/libtt_metal.so
	$(CXX) $(TTM_CXXFLAGS) -Itests/ttmetal_standin $(TTM_LDFLAGS) $(TTM_EXPORTS) -o $@ $< $(LIB_OBJ) \
	    -L$(TTS) -ltt_metal -Wl,-rpath,'$$ORIGIN' -pthread -lrt

$(TTS)/host: tests/ttmetal_standin/host.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -ldl -pthread

$(TTS)/host-linked: tests/ttmetal_standin/host.c $(TTS)/libttnn.so
	$(CC) $(CFLAGS) $(LDFLAGS) -DHOST_LINKED -o $@ $< -L$(TTS) -lttnn -Wl,-rpath,'$$ORIGIN' -pthread

ttmetal-standin: $(TTS_ALL)
ttmetal-check: all $(TTS_ALL)
	B=$(B) bash tests/ttmetal/run.sh

# -- against real TT-Metal: make tt-metal TT_METAL_HOME=/path/to/tt-metal
# Headers of a checkout, as -isystem (their warnings are not ours); the CPM
# cache's third-party headers when present; TT_METAL_INCLUDES for more dirs.
TT_METAL_HOME ?=
TT_METAL_INCLUDES ?=
TTR := $(B)/ttmetal
TTR_INC := $(addprefix -isystem $(TT_METAL_HOME)/,tt_metal/api tt_stl tt_metal/hostdevcommon/api \
               tt_metal/third_party/umd/device/api) \
           $(addprefix -isystem ,$(wildcard $(TT_METAL_HOME)/.cpmcache/*/*/include) $(TT_METAL_INCLUDES))
# What TT-Metal's exported CMake targets define for their users.
TTR_DEFS := -DFMT_HEADER_ONLY=1 -DSPDLOG_COMPILED_LIB -DSPDLOG_FMT_EXTERNAL
TT_METAL_LIBDIR ?= $(patsubst %/,%,$(dir $(firstword $(wildcard $(TT_METAL_HOME)/build/lib/libtt_metal.so \
                       $(TT_METAL_HOME)/build_*/lib/libtt_metal.so))))

tt-metal-headers-check:
	@if [ -z "$(TT_METAL_HOME)" ] || [ ! -f "$(TT_METAL_HOME)/tt_metal/api/tt-metalium/graph_tracking.hpp" ]; then \
	    echo "make: set TT_METAL_HOME to a TT-Metal checkout (no tt_metal/api/tt-metalium/graph_tracking.hpp there)" >&2; \
	    exit 2; fi

# Compiles the adapter against the checkout's headers (no libtt_metal needed).
tt-metal-compile: tt-metal-headers-check
	@mkdir -p $(TTR)
	$(CXX) $(TTM_CXXFLAGS) $(TTR_DEFS) $(TTR_INC) -c -o $(TTR)/l1top_ttmetal.$(notdir $(firstword $(CXX))).o $(TTM_ADAPTER)

tt-metal: tt-metal-compile $(LIB_OBJ) $(TTR)/libl1top_ttmetal_preload.so
	@if [ ! -f "$(TT_METAL_LIBDIR)/libtt_metal.so" ]; then \
	    echo "make tt-metal: the adapter compiles, but no libtt_metal.so in TT_METAL_LIBDIR='$(TT_METAL_LIBDIR)'" \
	         "(build TT-Metal, or set TT_METAL_LIBDIR)" >&2; exit 2; fi
	$(CXX) $(TTM_LDFLAGS) $(TTM_EXPORTS) -o $(TTR)/libl1top_ttmetal.so $(TTR)/l1top_ttmetal.$(notdir $(firstword $(CXX))).o \
	    $(LIB_OBJ) -L$(TT_METAL_LIBDIR) -ltt_metal -Wl,-rpath,$(abspath $(TT_METAL_LIBDIR)) -pthread -lrt
	@echo "built $(TTR): LD_PRELOAD=$(abspath $(TTR))/libl1top_ttmetal_preload.so python your_model.py"

.PHONY: tt-metal tt-metal-compile tt-metal-headers-check ttmetal-standin ttmetal-check
