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
override CFLAGS  += -std=c11 $(WARN) -Iinclude -Isrc -D_FILE_OFFSET_BITS=64
LDFLAGS ?=
SAN     ?=
override CFLAGS  += $(SAN)
override LDFLAGS += $(SAN)

NCURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
NCURSES_LIBS   := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null || echo -lncursesw)
JANSSON_LIBS   := $(shell $(PKG_CONFIG) --libs jansson 2>/dev/null || echo -ljansson)
YAML_LIBS      := $(shell $(PKG_CONFIG) --libs yaml-0.1 2>/dev/null || echo -lyaml)
CRITERION_LIBS := $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null || echo -lcriterion)

LIB_SRC  := src/writer.c src/arch.c src/proc.c src/shm_name.c
CORE_SRC := src/snapshot.c src/shm_reader.c src/accounting.c src/format.c \
            src/output_text.c src/output_json.c src/output_prometheus.c src/output_csv.c src/cli.c src/demo.c src/tui_layout.c \
            src/config.c src/alerts.c src/yaml_walk.c src/theme.c src/ttmetal_stats.c src/collect.c src/telemetry.c src/trace.c
TUI_SRC  := src/tui.c src/render_common.c src/render_device.c src/render_core.c src/render_lists.c

LIB_OBJ     := $(LIB_SRC:src/%.c=$(B)/pic/%.o)
LIB_OBJ_STATIC := $(LIB_SRC:src/%.c=$(B)/obj/%.o)
CORE_OBJ    := $(CORE_SRC:src/%.c=$(B)/obj/%.o)
TUI_OBJ     := $(TUI_SRC:src/%.c=$(B)/obj/%.o)

STATIC_LIB := $(B)/libl1top.a
SHARED_LIB := $(B)/libl1top.so.$(VERSION)
BINS := $(B)/l1top $(B)/l1sim

TEST_UNIT_SRC := $(wildcard tests/unit/*.c)
TEST_E2E_SRC  := $(wildcard tests/e2e/*.c)

all: $(STATIC_LIB) $(SHARED_LIB) $(B)/l1top.pc $(BINS)

$(B)/obj/%.o: src/%.c | $(B)/obj
	$(CC) $(CFLAGS) $(NCURSES_CFLAGS) -DL1TOP_DATADIR='"$(PREFIX)/share/l1top"' -MMD -MP -c $< -o $@

$(B)/pic/%.o: src/%.c | $(B)/pic
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
	$(CC) $(LDFLAGS) -o $@ $^ $(NCURSES_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) -pthread -lrt -lm

$(B)/l1sim: $(B)/obj/l1sim.o $(B)/obj/trace.o $(B)/obj/snapshot.o $(STATIC_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(JANSSON_LIBS) -pthread -lrt

# ---- tests ----
$(B)/tests/unit: $(TEST_UNIT_SRC) $(CORE_OBJ) $(STATIC_LIB) tests/unit/*.h | $(B)/tests
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Itests/unit -o $@ $(TEST_UNIT_SRC) $(CORE_OBJ) $(STATIC_LIB) \
	    $(CRITERION_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) -pthread -lrt -lm

$(B)/tests/e2e: $(TEST_E2E_SRC) $(CORE_OBJ) $(STATIC_LIB) | $(B)/tests
	$(CC) $(CFLAGS) -D_GNU_SOURCE -Itests/e2e -Itests/unit -o $@ $(TEST_E2E_SRC) $(CORE_OBJ) $(STATIC_LIB) \
	    $(CRITERION_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) -pthread -lrt -lm

# A client built only from the public header, linked with -ll1top (like users do).
$(B)/tests/fixture_writer: tests/fixture_writer.c include/l1top.h $(SHARED_LIB) | $(B)/tests
	$(CC) $(CFLAGS) -o $@ $< -L$(B) -Wl,-rpath,$(abspath $(B)) -ll1top

# Every fuzz target replayed over its corpus (seeds and past crashes), no libFuzzer needed.
$(B)/tests/replay_%: fuzz/fuzz_%.c fuzz/replay_main.c $(CORE_OBJ) $(STATIC_LIB) | $(B)/tests
	$(CC) $(CFLAGS) -D_GNU_SOURCE -o $@ $< fuzz/replay_main.c $(CORE_OBJ) $(STATIC_LIB) \
	    $(JANSSON_LIBS) $(YAML_LIBS) -pthread -lrt -lm

REPLAYS := $(B)/tests/replay_config $(B)/tests/replay_theme $(B)/tests/replay_segment $(B)/tests/replay_trace

TEST_JOBS ?= 2
check: all $(B)/tests/unit $(B)/tests/e2e $(B)/tests/fixture_writer $(REPLAYS) $(B)/tests/ttmetal_adapter \
       $(if $(SAN),,$(B)/tests/libl1top_ttmetal_standin.so)
	$(B)/tests/replay_config tests/corpus/config
	$(B)/tests/replay_theme tests/corpus/theme
	$(B)/tests/replay_segment tests/corpus/segment
	$(B)/tests/replay_trace tests/corpus/trace
	$(B)/tests/unit --jobs $(TEST_JOBS)
	L1TOP_BUILD=$(abspath $(B)) $(B)/tests/e2e --jobs 1
	B=$(B) SAN="$(SAN)" bash tests/pkgconfig_client.sh
	L1TOP_SHM=/l1top-ttmetal-test-$$$$ L1TOP_CONFIG=/dev/null $(B)/tests/ttmetal_adapter; rc=$$?; rm -f /dev/shm/l1top-ttmetal-test-*; exit $$rc
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
	install -m 644 man/l1top.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/l1top/themes
	install -m 644 themes/*.yaml $(DESTDIR)$(PREFIX)/share/l1top/themes/
	install -m 644 config.example.yaml $(DESTDIR)$(PREFIX)/share/l1top/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/l1top $(DESTDIR)$(PREFIX)/bin/l1sim \
	    $(DESTDIR)$(PREFIX)/lib/libl1top.a $(DESTDIR)$(PREFIX)/lib/libl1top.so* \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/l1top.pc $(DESTDIR)$(PREFIX)/include/l1top.h \
	    $(DESTDIR)$(PREFIX)/share/man/man1/l1top.1
	rm -rf $(DESTDIR)$(PREFIX)/share/l1top

clean:
	rm -rf $(B)

.PHONY: all check install uninstall clean
-include $(wildcard $(B)/obj/*.d $(B)/pic/*.d)

# ---- analysis ----
ASAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
asan-check:
	$(MAKE) B=build-asan SAN="$(ASAN_FLAGS)" CFLAGS="-O1 -g" check

LINT_SRC := $(wildcard src/*.c)
lint:
	cppcheck --quiet --std=c11 --enable=warning,performance,portability --error-exitcode=1 \
	    --inline-suppr --suppress=missingIncludeSystem -Iinclude -Isrc $(LINT_SRC)
	clang-tidy --quiet $(LINT_SRC) -- -std=c11 -Iinclude -Isrc -D_GNU_SOURCE $(NCURSES_CFLAGS)

# ThreadSanitizer (clang: gcc does not model fences under TSan) over the
# writer library: threads recording and releasing at once beside a reader
# thread (tests/tsan_stress.c; Criterion's runner does not start under TSan).
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
$(B)/tests/tsan_stress: tests/tsan_stress.c $(CORE_OBJ) $(STATIC_LIB) | $(B)/tests
	$(CC) $(CFLAGS) -D_GNU_SOURCE -o $@ $< $(CORE_OBJ) $(STATIC_LIB) $(JANSSON_LIBS) $(YAML_LIBS) -pthread -lrt -lm

tsan-check:
	$(MAKE) B=build-tsan CC=clang SAN="$(TSAN_FLAGS)" CFLAGS="-O1 -g" build-tsan/tests/tsan_stress
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 build-tsan/tests/tsan_stress

.PHONY: asan-check lint tsan-check

# ---- fuzzing (clang libFuzzer) ----
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := config theme segment trace
FUZZ_B := build-fuzz
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_SRC := $(CORE_SRC) $(LIB_SRC)

$(FUZZ_B)/fuzz_%: fuzz/fuzz_%.c $(FUZZ_SRC) $(wildcard src/*.h)
	@mkdir -p $(FUZZ_B)
	clang -std=c11 -Iinclude -Isrc $(FUZZ_FLAGS) -o $@ $< $(FUZZ_SRC) \
	    $(JANSSON_LIBS) $(YAML_LIBS) -pthread -lrt -lm

# Each target for FUZZ_SECONDS from the corpus in tests/corpus/<target>; new
# findings go to build-fuzz/<target>-new, crashes to build-fuzz/<target>-crash-*.
fuzz: $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_B)/$$t-new; \
	    echo "fuzz $$t for $(FUZZ_SECONDS)s"; \
	    $(FUZZ_B)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	        -artifact_prefix=$(FUZZ_B)/$$t- $(FUZZ_B)/$$t-new tests/corpus/$$t >$(FUZZ_B)/$$t.log 2>&1 \
	        || { tail -30 $(FUZZ_B)/$$t.log; exit 1; }; \
	    grep -E 'Done [0-9]+ runs' $(FUZZ_B)/$$t.log; \
	done

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=10

.PHONY: fuzz fuzz-smoke

# ---- benchmarks (not part of check) ----
$(B)/bench:
	mkdir -p $@

$(B)/bench/bench_writer: bench/bench_writer.c $(STATIC_LIB) | $(B)/bench
	$(CC) $(CFLAGS) -o $@ $< $(STATIC_LIB) -pthread -lrt

$(B)/bench/bench_reader: bench/bench_reader.c $(CORE_OBJ) $(TUI_OBJ) $(STATIC_LIB) | $(B)/bench
	$(CC) $(CFLAGS) $(NCURSES_CFLAGS) -o $@ $< $(filter-out $(B)/obj/tui.o,$(TUI_OBJ)) $(CORE_OBJ) \
	    $(STATIC_LIB) $(NCURSES_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) -pthread -lrt -lm

bench: all $(B)/bench/bench_writer $(B)/bench/bench_reader
	B=$(B) bash bench/run.sh

.PHONY: bench

# ---- valgrind on the batch view ----
valgrind-check: all $(B)/tests/fixture_writer
	B=$(B) bash tests/valgrind_once.sh

.PHONY: valgrind-check

# ---- TT-Metal integration ----
CXX ?= c++
TTM_CXXFLAGS := -std=c++20 -O2 -g -Wall -Wextra -Werror -fPIC -Iinclude

# The adapter against the stand-in interface, driven by interface tests.
$(B)/tests/ttmetal_adapter: integrations/tt-metal/l1top_ttmetal.cpp tests/ttmetal/test_adapter.cpp \
        tests/ttmetal_standin/tt-metalium/*.hpp $(CORE_OBJ) $(STATIC_LIB) | $(B)/tests
	$(CXX) $(TTM_CXXFLAGS) $(SAN) -Isrc -Itests/ttmetal_standin -o $@ integrations/tt-metal/l1top_ttmetal.cpp \
	    tests/ttmetal/test_adapter.cpp $(CORE_OBJ) $(STATIC_LIB) $(JANSSON_LIBS) $(YAML_LIBS) -pthread -lrt -lm

# The LD_PRELOAD library, against the stand-in: proves it builds and links as a .so.
$(B)/tests/libl1top_ttmetal_standin.so: integrations/tt-metal/l1top_ttmetal.cpp tests/ttmetal_standin/tt-metalium/*.hpp \
        $(LIB_OBJ) | $(B)/tests
	$(CXX) $(TTM_CXXFLAGS) -shared -Itests/ttmetal_standin -o $@ $< $(LIB_OBJ) -pthread -lrt

# The real thing: make tt-metal TT_METAL_HOME=/path/to/tt-metal
TT_METAL_HOME ?=
tt-metal: $(LIB_OBJ)
	@if [ -z "$(TT_METAL_HOME)" ] || [ ! -f "$(TT_METAL_HOME)/tt_metal/api/tt-metalium/graph_tracking.hpp" ]; then \
	    echo "make tt-metal: set TT_METAL_HOME to a TT-Metal checkout (tt_metal/api/tt-metalium/graph_tracking.hpp not found)"; \
	    exit 1; fi
	$(CXX) $(TTM_CXXFLAGS) -shared -o $(B)/libl1top_ttmetal.so integrations/tt-metal/l1top_ttmetal.cpp \
	    -I$(TT_METAL_HOME)/tt_metal/api -I$(TT_METAL_HOME) -I$(TT_METAL_HOME)/tt_metal \
	    -I$(TT_METAL_HOME)/tt_metal/third_party/umd -I$(TT_METAL_HOME)/tt_metal/hostdevcommon/api \
	    $(TT_METAL_INCLUDES) $(LIB_OBJ) -pthread -lrt
	@echo "built $(B)/libl1top_ttmetal.so: LD_PRELOAD=$(abspath $(B))/libl1top_ttmetal.so python your_model.py"

.PHONY: tt-metal
