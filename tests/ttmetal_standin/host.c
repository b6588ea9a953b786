/*
 * The test host: a program with no TT-Metal at start-up that dlopen()s the
 * stand-in libttnn.so (which pulls in libtt_metal.so), as Python's
 * `import ttnn` does, then runs each model phase on a worker thread. After
 * each phase it prints "phase N" and waits for a line on stdin, so the test
 * can look at the segment in between.
 *   host /path/to/libttnn.so
 * Built with -DHOST_LINKED (host-linked), it is instead linked against
 * libttnn.so (so libtt_metal.so is there from start-up, like a C++ model),
 * takes no argument, and runs phase 1 on the main thread.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

typedef int (*phase_fn)(int);

static phase_fn run_phase;

static void *worker(void *arg)
{
    int *phase = arg;
    if (run_phase(*phase) != 0)
        *phase = -1;
    return NULL;
}

#ifdef HOST_LINKED
int standin_model_phase(int phase);
void standin_model_close(void);
#endif

int main(int argc, char **argv)
{
#ifdef HOST_LINKED
    (void)argv;
    if (argc != 1)
        return 2;
    run_phase = standin_model_phase;
    void (*close_model)(void) = standin_model_close;
#else
    if (argc != 2) {
        fprintf(stderr, "usage: %s libttnn.so\n", argv[0]);
        return 2;
    }
    void *ttnn = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
    if (!ttnn) {
        fprintf(stderr, "host: %s\n", dlerror());
        return 1;
    }
    run_phase = (phase_fn)dlsym(ttnn, "standin_model_phase");
    void (*close_model)(void) = (void (*)(void))dlsym(ttnn, "standin_model_close");
    if (!run_phase || !close_model)
        return 1;
#endif
    char line[16];
    for (int phase = 1; phase <= 2; phase++) {
        int arg = phase;
#ifdef HOST_LINKED
        /* Phase 1 on the main thread before any thread exists: only a load
         * at start-up can see it. */
        if (phase == 1) {
            if (run_phase(phase) != 0)
                return 1;
        } else
#endif
        {
            pthread_t t;
            if (pthread_create(&t, NULL, worker, &arg) != 0 || pthread_join(t, NULL) != 0 || arg < 0)
                return 1;
        }
        printf("phase %d\n", phase);
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin))
            break;
    }
    close_model();
    return 0;
}
