/*
 * Stress and faults: 8 writer processes x 4 threads recording and
 * releasing at random while a reader snapshots without pause; writers
 * killed with SIGKILL at random moments and replaced. Every snapshot must
 * satisfy the per-core invariant, no region may ever be seen torn, and at
 * the end every surviving writer's own count of what it holds must equal
 * what l1top reports for it.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "model/accounting.h"
#include "l1top.h"
#include "proc_util.h"
#include "sources/shm_reader.h"

#define WRITERS 8
#define THREADS 4
#define GRID 8
#define SLOTS_PER_THREAD 24

static char seg[64];

static void stress_setup(void)
{
    snprintf(seg, sizeof seg, "/l1top-stress-%d", (int)getpid());
    shm_unlink(seg);
}

static void stress_teardown(void)
{
    kill_started();
    shm_unlink(seg);
}

TestSuite(stress, .init = stress_setup, .fini = stress_teardown, .timeout = 120);

/* ---- the writer process ---- */

static volatile sig_atomic_t stop_mutating;
static void on_usr1(int sig) { (void)sig; stop_mutating = 1; }

typedef struct {
    l1top_writer *w;
    int id;
    uint64_t handle[SLOTS_PER_THREAD];
    uint64_t bytes[SLOTS_PER_THREAD]; /* bytes held by that slot, all cores */
    uint64_t seed;
} worker;

static uint32_t rnd(uint64_t *s, uint32_t n)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((*s >> 33) % n);
}

static void *worker_main(void *arg)
{
    worker *k = arg;
    for (unsigned ops = 0; !stop_mutating; ops++) {
        if ((ops & 255) == 0)
            sched_yield(); /* 32 writer threads on 2 cores: let the reader in now and then */
        int slot = (int)rnd(&k->seed, SLOTS_PER_THREAD);
        if (k->handle[slot]) {
            if (l1top_release(k->w, k->handle[slot]) != 0)
                _exit(3);
            k->handle[slot] = 0;
            k->bytes[slot] = 0;
            continue;
        }
        char tag[40];
        uint32_t addr = 0x19180 + 64 * rnd(&k->seed, 16000);
        if (rnd(&k->seed, 4) == 0) {
            uint32_t pages = 1 + rnd(&k->seed, 200);
            snprintf(tag, sizeof tag, "I%x:%x", addr, pages * 2048);
            uint64_t h = l1top_record_interleaved(k->w, 0, addr, (uint64_t)pages * 2048, 2048, tag);
            if (h) {
                k->handle[slot] = h;
                k->bytes[slot] = (uint64_t)pages * 2048;
            }
        } else {
            l1top_range r[6];
            size_t n = 1 + rnd(&k->seed, 6); /* more than 4 ranges: chained records */
            uint64_t cells = 0;
            for (size_t i = 0; i < n; i++) {
                uint16_t x0 = (uint16_t)rnd(&k->seed, GRID), y0 = (uint16_t)rnd(&k->seed, GRID);
                r[i] = (l1top_range){ x0, y0, (uint16_t)(x0 + rnd(&k->seed, GRID - x0)),
                                      (uint16_t)(y0 + rnd(&k->seed, GRID - y0)) };
                cells += (uint64_t)(r[i].x1 - r[i].x0 + 1) * (r[i].y1 - r[i].y0 + 1);
            }
            uint32_t size = 16 * (1 + rnd(&k->seed, 2000));
            snprintf(tag, sizeof tag, "R%x:%x:%zx", addr, size, n);
            uint64_t h = l1top_record(k->w, 0, (l1top_kind)(1 + rnd(&k->seed, 6)), r, n, addr, size, tag);
            if (h) {
                k->handle[slot] = h;
                k->bytes[slot] = cells * size;
            }
        }
    }
    return NULL;
}

/* Runs until SIGUSR1 (then reports what it holds on `report`) or SIGKILL. */
static void writer_process(int id, int report)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &usr1, NULL); /* blocked by the parent until the handler was in place */
    l1top_writer *w = l1top_open(seg);
    if (!w || l1top_declare_device(w, 0, "wormhole_b0", GRID, GRID) != 0)
        _exit(2);
    static worker k[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        memset(&k[i], 0, sizeof k[i]);
        k[i].w = w;
        k[i].id = i;
        k[i].seed = (uint64_t)(id * 131 + i * 7 + 1) * 0x9E3779B97F4A7C15ull;
        pthread_create(&t[i], NULL, worker_main, &k[i]);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    uint64_t held = 0;
    for (int i = 0; i < THREADS; i++)
        for (int s = 0; s < SLOTS_PER_THREAD; s++)
            held += k[i].bytes[s];
    if (write(report, &held, sizeof held) != (ssize_t)sizeof held)
        _exit(4);
    pause(); /* hold still for the final check; SIGKILLed by the test */
    _exit(0);
}

typedef struct {
    pid_t pid;
    int report;
} writer_proc;

static writer_proc spawn_writer(int id)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old); /* a stop request that comes early waits for the handler */
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        writer_process(id, fds[1]);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(fds[1]);
    if (nstarted < 512)
        started[nstarted++] = pid;
    return (writer_proc){ pid, fds[0] };
}

/* ---- the reader ---- */

static void check_snapshot(const snapshot *s, const accounting *a, unsigned long *regions_checked)
{
    for (size_t d = 0; d < a->ndevices; d++)
        for (uint32_t c = 0; c < a->devices[d].ncores; c++) {
            uint64_t sum = 0;
            for (int k = 0; k < CAT_COUNT; k++)
                sum += a->devices[d].cores[c].bytes[k];
            cr_assert_eq(sum, s->devices[d].l1_size, "core %u sums to %llu", c, (unsigned long long)sum);
        }
    /* Each tag restates its region: a torn read would disagree with it. */
    for (size_t i = 0; i < s->nregions; i++) {
        const snap_region *r = &s->regions[i];
        unsigned addr, size;
        size_t n;
        if (r->tag[0] == 'I') {
            cr_assert_eq(sscanf(r->tag, "I%x:%x", &addr, &size), 2, "tag '%s'", r->tag);
            cr_assert(r->interleaved && r->address == addr && r->total_size == size, "torn interleaved '%s'", r->tag);
        } else {
            cr_assert_eq(sscanf(r->tag, "R%x:%x:%zx", &addr, &size, &n), 3, "tag '%s'", r->tag);
            cr_assert(!r->interleaved && r->address == addr && r->size_per_core == size && r->nranges == n,
                      "torn region '%s': address 0x%x size %u ranges %u", r->tag, r->address, r->size_per_core,
                      r->nranges);
        }
        (*regions_checked)++;
    }
}

Test(stress, writers_threads_kills_and_a_busy_reader)
{
    writer_proc w[WRITERS + 8];
    int nw = 0;
    for (int i = 0; i < WRITERS; i++)
        w[nw++] = spawn_writer(i);
    shm_reader *r = NULL;
    char err[256];
    /* Up to 10 s: on a loaded 2-core machine the writers' exec and the
     * segment's ftruncate can take seconds (seen: "truncated: 0 bytes"). */
    for (int i = 0; i < 1000 && shm_reader_open(seg, &r, err, sizeof err) != SHM_OK; i++)
        usleep(10000);
    cr_assert_not_null(r, "segment never appeared: %s", err);
    snapshot s;
    snapshot_init(&s);
    unsigned long snapshots = 0, regions_checked = 0;
    int killed = 0;
    pid_t dead[16];
    int ndead = 0;
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t seed = 42;
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        double el = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
        /* 8 s and six kills; on a loaded machine a frame can take a second
         * or more, so the kills (one a second) may need longer: up to 60 s. */
        if ((el > 8.0 && killed >= 6) || el > 60.0)
            break;
        cr_assert_eq(shm_reader_snapshot(r, &s, err, sizeof err), SHM_OK, "%s", err);
        accounting a;
        cr_assert_eq(accounting_compute(&s, &a), 0);
        check_snapshot(&s, &a, &regions_checked);
        accounting_free(&a);
        snapshots++;
        /* Every ~second, kill a random writer mid-flight and start another. */
        if (el > 1.0 + killed && killed < 6) {
            int victim = (int)rnd(&seed, (uint32_t)nw);
            if (w[victim].pid > 0) {
                kill(w[victim].pid, SIGKILL);
                waitpid(w[victim].pid, NULL, 0);
                dead[ndead++] = w[victim].pid;
                close(w[victim].report);
                w[victim].pid = -1;
                w[nw++] = spawn_writer(100 + killed);
            }
            killed++;
        }
    }
    cr_assert_eq(s.bad_records, 0, "no record failed validation");
    /* Stop the survivors; each reports what it holds. */
    uint64_t expect[WRITERS + 8] = { 0 };
    for (int i = 0; i < nw; i++)
        if (w[i].pid > 0)
            kill(w[i].pid, SIGUSR1);
    for (int i = 0; i < nw; i++)
        if (w[i].pid > 0)
            cr_assert_eq(read(w[i].report, &expect[i], sizeof expect[i]), (ssize_t)sizeof expect[i],
                         "writer %d did not report", i);
    cr_assert_eq(shm_reader_snapshot(r, &s, err, sizeof err), SHM_OK, "%s", err);
    accounting a;
    cr_assert_eq(accounting_compute(&s, &a), 0);
    check_snapshot(&s, &a, &regions_checked);
    int survivors = 0;
    for (int i = 0; i < nw; i++) {
        if (w[i].pid <= 0)
            continue;
        survivors++;
        uint64_t got = 0;
        for (size_t p = 0; p < a.devices[0].nprocesses; p++)
            if (s.processes[a.devices[0].processes[p].process].pid == w[i].pid)
                for (int k = 0; k < CAT_RECORDED; k++)
                    got += a.devices[0].processes[p].bytes[k];
        cr_assert_eq(got, expect[i], "writer %d (pid %d): l1top sees %llu B, it holds %llu B", i, (int)w[i].pid,
                     (unsigned long long)got, (unsigned long long)expect[i]);
    }
    /* A writer started late may hold nothing yet (no entry); a killed one must have none. */
    cr_assert_leq(a.devices[0].nprocesses, (size_t)survivors);
    for (size_t p = 0; p < a.devices[0].nprocesses; p++)
        for (int k = 0; k < ndead; k++)
            cr_assert_neq(s.processes[a.devices[0].processes[p].process].pid, dead[k],
                          "killed writer %d still has records", (int)dead[k]);
    cr_assert_geq(killed, 6);
    cr_assert_geq(snapshots, 20, "the reader kept up: %lu snapshots in 8 s", snapshots);
    fprintf(stderr, "stress: %lu snapshots, %lu regions checked, %d writers killed and replaced\n", snapshots,
            regions_checked, killed);
    accounting_free(&a);
    snapshot_free(&s);
    shm_reader_close(r);
    for (int i = 0; i < nw; i++)
        if (w[i].pid > 0) {
            kill(w[i].pid, SIGKILL);
            waitpid(w[i].pid, NULL, 0);
            close(w[i].report);
        }
    nstarted = 0;
}

Test(stress, full_segment_is_counted_and_shown_by_once)
{
    setenv("L1TOP_CAPACITY", "64", 1);
    char fixture[512];
    snprintf(fixture, sizeof fixture, "%s/tests/fixture_writer", build_dir());
    char *argv[] = { fixture, "declare", "0", "wormhole_b0", "8", "8", "flood", "0", "100", NULL };
    pid_t p = start_ready(seg, argv);
    unsetenv("L1TOP_CAPACITY");
    json_t *root = l1top_json(seg);
    json_t *dev = device_by_id(root, 0);
    cr_assert_eq(json_integer_value(json_object_get(dev, "dropped_records")), 36, "100 tried, 64 fit");
    json_decref(root);
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv2[] = { bin, "--once", "--shm", seg, NULL };
    char *out;
    run_capture(argv2, &out, NULL);
    cr_assert(strstr(out, "dropped records: 36") != NULL, "%s", out);
    free(out);
    stop_process(p, SIGTERM);
}

Test(stress, loose_permissions_are_reported)
{
    setenv("L1TOP_SHM_MODE", "0666", 1);
    char fixture[512];
    snprintf(fixture, sizeof fixture, "%s/tests/fixture_writer", build_dir());
    char *argv[] = { fixture, "declare", "0", "wormhole_b0", "8", "8", NULL };
    pid_t p = start_ready(seg, argv);
    unsetenv("L1TOP_SHM_MODE");
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv2[] = { bin, "--once", "--shm", seg, NULL };
    char *out;
    cr_assert_eq(run_capture(argv2, &out, NULL), 0);
    cr_assert(strstr(out, "warning: segment is world-writable (mode 666)") != NULL, "%s", out);
    free(out);
    stop_process(p, SIGTERM);
}

Test(stress, a_segment_owned_by_another_user_is_reported)
{
    if (geteuid() != 0) {
        cr_skip_test("needs root to give the segment away");
    }
    char fixture[512];
    snprintf(fixture, sizeof fixture, "%s/tests/fixture_writer", build_dir());
    char *argv[] = { fixture, "declare", "0", "wormhole_b0", "8", "8", NULL };
    pid_t p = start_ready(seg, argv);
    char path[128];
    snprintf(path, sizeof path, "/dev/shm%s", seg);
    cr_assert_eq(chown(path, 65534, 65534), 0);
    char bin[512];
    bin_path(bin, sizeof bin, "l1top");
    char *argv2[] = { bin, "--once", "--shm", seg, NULL };
    char *out;
    cr_assert_eq(run_capture(argv2, &out, NULL), 0);
    cr_assert(strstr(out, "warning: segment owned by uid 65534, not by you") != NULL, "%s", out);
    free(out);
    stop_process(p, SIGTERM);
}
