/* libFuzzer target: the segment validator and snapshot reader, then the
 * accounting, on hostile segment images. The first byte picks the mode:
 * even = the input is the whole image (header included); odd = a valid
 * header for a 16-record segment with one ring of 64 slots, the input laid
 * over everything after it (writer slots, devices, stripes, records, the
 * ring): the event rings are then replayed on the peak model from position
 * 0 (the reader marked them while the image was still empty). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/accounting.h"
#include "model/peaks.h"
#include "shm_format.h"
#include "sources/shm_events.h"
#include "sources/shm_reader.h"

static int all_alive(int32_t pid, uint64_t start) { (void)pid; (void)start; return 1; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint32_t cap = L1TOP_SHM_MIN_CAPACITY;
    uint64_t full = shm_total_size(cap, 1, L1TOP_SHM_MIN_RING_SLOTS);
    unsigned char *img;
    uint64_t img_size;
    shm_events *ev = NULL;
    shm_view view = { NULL, cap, 1, L1TOP_SHM_MIN_RING_SLOTS };
    if (data[0] & 1) {
        img_size = full;
        img = calloc(1, full);
        struct l1top_shm_header *h = (void *)img;
        memcpy(h->magic, L1TOP_SHM_MAGIC, L1TOP_SHM_MAGIC_LEN);
        shm_header_layout(h, cap, 1, L1TOP_SHM_MIN_RING_SLOTS); /* total_size: full */
        atomic_store(&h->high_water, cap);
        view.base = img;
        ev = shm_events_new();
        if (ev)
            shm_events_mark(ev, &view); /* positions 0: the input's events are all replayed */
        size_t body = size - 1 < full - sizeof *h ? size - 1 : (size_t)(full - sizeof *h);
        memcpy(img + sizeof *h, data + 1, body);
    } else {
        img_size = size - 1;
        img = malloc(img_size ? img_size : 1);
        memcpy(img, data + 1, img_size);
    }
    snapshot s;
    snapshot_init(&s);
    char err[256];
    if (shm_image_snapshot(img, img_size, all_alive, &s, err, sizeof err) == SHM_OK) {
        accounting a;
        if (accounting_compute(&s, &a) == 0)
            accounting_free(&a);
        if (ev && shm_events_start(ev, &view, &s) == EVENTS_OK)
            shm_events_drain(ev, &view, &s);
    }
    shm_events_free(ev);
    snapshot_free(&s);
    free(img);
    return 0;
}
