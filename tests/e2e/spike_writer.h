/*
 * spike_writer.h - a real writer process for the peak tests (issue #16
 * item 6): it declares device 0 (wormhole_b0 8x8) in a segment, says ready,
 * then runs a body that raises short-lived regions. Shared by the -n/JSON
 * test (test_peaks.c) and the TUI test in tmux (test_tui.c); each file's
 * started[] (proc_util.h) holds the pid, so its teardown ends it.
 */
#ifndef L1TOP_SPIKE_WRITER_H
#define L1TOP_SPIKE_WRITER_H

#include "proc_util.h"

#include "l1top.h"

#define SPIKES 5
#define SPIKE_BYTES (1u << 20)
#define SPIKE_ADDR 0x20000u
#define SPIKE_X 3
#define SPIKE_Y 4
#define SPIKE_FIRST_NS 500000000ull /* the first spike, after the writer starts */
#define SPIKE_PERIOD_NS 1000000000ull
#define SPIKE_LIFE_NS 2000000ull

static inline void sleep_until(uint64_t mono_ns)
{
    struct timespec ts = { (time_t)(mono_ns / 1000000000u), (long)(mono_ns % 1000000000u) };
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
    }
}

static inline uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A writer process on segment seg: declares device 0, says ready, runs `body`. */
static inline pid_t start_writer_on(const char *seg, void (*body)(l1top_writer *), const char *ring_slots)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        if (ring_slots)
            setenv("L1TOP_RING_SLOTS", ring_slots, 1);
        l1top_writer *w = l1top_open(seg);
        if (!w || l1top_declare_device(w, 0, "wormhole_b0", 8, 8) != 0)
            _exit(1);
        l1top_set_label(w, "spiker");
        if (write(fds[1], "ready", 5) != 5)
            _exit(1);
        close(fds[1]);
        body(w);
        l1top_close(w);
        _exit(0);
    }
    close(fds[1]);
    started[nstarted++] = pid;
    char buf[8] = "";
    cr_assert_eq(read(fds[0], buf, 5), 5, "the writer did not start");
    close(fds[0]);
    return pid;
}

/* From SPIKE_FIRST_NS after the call, every SPIKE_PERIOD_NS: a 1 MiB CB
 * tagged "spike" on core (SPIKE_X, SPIKE_Y) for 2 ms; n spikes. */
static inline void spike_n(l1top_writer *w, int n)
{
    l1top_range core = { SPIKE_X, SPIKE_Y, SPIKE_X, SPIKE_Y };
    uint64_t t0 = mono_ns();
    for (int i = 0; i < n; i++) {
        sleep_until(t0 + SPIKE_FIRST_NS + (uint64_t)i * SPIKE_PERIOD_NS);
        uint64_t h = l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &core, 1, SPIKE_ADDR, SPIKE_BYTES, "spike");
        if (!h)
            _exit(2);
        sleep_until(mono_ns() + SPIKE_LIFE_NS);
        if (l1top_release(w, h) != 0)
            _exit(3);
    }
}

/* Every 50 ms, 20 spikes of 1 MiB on one core: 40 events, fewer than a
 * 64-slot ring holds, but the ring laps many times between two frames or
 * scrapes unless the reader drains it in between. Runs until killed. */
static inline void steady_spikes(l1top_writer *w)
{
    l1top_range core = { SPIKE_X, SPIKE_Y, SPIKE_X, SPIKE_Y };
    for (;;) {
        for (int i = 0; i < 20; i++)
            l1top_release(w, l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &core, 1, SPIKE_ADDR, SPIKE_BYTES, "spike"));
        sleep_until(mono_ns() + 50000000u);
    }
}

#endif
