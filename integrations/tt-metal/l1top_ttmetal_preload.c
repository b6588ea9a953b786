/*
 * l1top_ttmetal_preload - the library to LD_PRELOAD: safe in any process.
 *
 * It has no TT-Metal dependency (libc only), so a shell, python3 before
 * `import ttnn`, or the compilers TT-Metal's JIT spawns load it and nothing
 * happens. It loads the real adapter (libl1top_ttmetal.so, linked against
 * libtt_metal) only once libtt_metal is in the process:
 *   - at start-up, for programs linked against libtt_metal;
 *   - at the first pthread_create after libtt_metal arrived by dlopen (as
 *     with Python's `import ttnn`): TT-Metal starts threads when it opens a
 *     device, before it places any L1 (docs/tt-metal.md, "Two libraries").
 * Processors are per thread upstream, so every thread started after that
 * runs l1top_ttmetal_attach_thread() before its own code.
 *
 * dlopen is deliberately not wrapped: glibc resolves a dlopen'ed name with
 * the RUNPATH of the *calling* object, and a wrapper would become that
 * caller and change which library a program gets.
 *
 * Environment: L1TOP_TTMETAL=0 disables it; L1TOP_TTMETAL_ADAPTER names the
 * adapter (default: libl1top_ttmetal.so next to this file).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TTMETAL_SONAME "libtt_metal.so"
#define ADAPTER_NAME "libl1top_ttmetal.so"

typedef void (*attach_fn)(void);
typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

enum { ADAPTER_NONE, ADAPTER_LOADING, ADAPTER_DONE };

static _Atomic int adapter_state = ADAPTER_NONE;
static _Atomic(attach_fn) attach_thread;

static int is_ttmetal(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strncmp(base, TTMETAL_SONAME, strlen(TTMETAL_SONAME)) == 0;
}

static int find_ttmetal(struct dl_phdr_info *info, size_t size, void *found)
{
    (void)size;
    if (info->dlpi_name && is_ttmetal(info->dlpi_name)) {
        *(int *)found = 1;
        return 1;
    }
    return 0;
}

static int ttmetal_present(void)
{
    int found = 0;
    dl_iterate_phdr(find_ttmetal, &found);
    return found;
}

/* The adapter next to this library, unless L1TOP_TTMETAL_ADAPTER says. */
static int adapter_path(char *out, size_t n)
{
    const char *env = getenv("L1TOP_TTMETAL_ADAPTER");
    if (env && *env)
        return snprintf(out, n, "%s", env) < (int)n ? 0 : -1;
    Dl_info self;
    if (!dladdr((void *)adapter_path, &self) || !self.dli_fname)
        return -1;
    const char *slash = strrchr(self.dli_fname, '/');
    int dir = slash ? (int)(slash - self.dli_fname) : 0;
    int len = slash ? snprintf(out, n, "%.*s/%s", dir, self.dli_fname, ADAPTER_NAME)
                    : snprintf(out, n, "%s", ADAPTER_NAME);
    return len > 0 && len < (int)n ? 0 : -1;
}

/* Load the adapter once, if TT-Metal is here; its constructor registers the
 * processor on the calling thread. */
static void load_adapter_if_ttmetal(void)
{
    if (atomic_load(&adapter_state) != ADAPTER_NONE || !ttmetal_present())
        return;
    int expected = ADAPTER_NONE;
    if (!atomic_compare_exchange_strong(&adapter_state, &expected, ADAPTER_LOADING))
        return;
    char path[PATH_MAX];
    void *h = adapter_path(path, sizeof path) == 0 ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
    if (!h) {
        const char *why = dlerror();
        fprintf(stderr, "l1top: TT-Metal found but the adapter did not load (%s); running unobserved\n",
                why ? why : "no adapter path");
    } else {
        atomic_store(&attach_thread, (attach_fn)dlsym(h, "l1top_ttmetal_attach_thread"));
    }
    atomic_store(&adapter_state, ADAPTER_DONE);
}

typedef struct {
    void *(*start)(void *);
    void *arg;
} thread_start;

static void *attached_start(void *p)
{
    thread_start t = *(thread_start *)p;
    free(p);
    attach_fn attach = atomic_load(&attach_thread);
    if (attach)
        attach();
    return t.start(t.arg);
}

__attribute__((visibility("default"))) int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
    static _Atomic(create_fn) real;
    create_fn create = atomic_load(&real);
    if (!create) {
        create = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
        atomic_store(&real, create);
    }
    if (!create)
        return EAGAIN;
    load_adapter_if_ttmetal();
    if (!atomic_load(&attach_thread))
        return create(thread, attr, start, arg); /* no TT-Metal: untouched */
    thread_start *t = malloc(sizeof *t);
    if (!t)
        return create(thread, attr, start, arg);
    t->start = start;
    t->arg = arg;
    int rc = create(thread, attr, attached_start, t);
    if (rc != 0)
        free(t);
    return rc;
}

__attribute__((constructor)) static void l1top_preload_init(void)
{
    const char *off = getenv("L1TOP_TTMETAL");
    if (off && strcmp(off, "0") == 0) {
        atomic_store(&adapter_state, ADAPTER_DONE);
        return;
    }
    load_adapter_if_ttmetal();
}
