/* A program instrumented for l1top: records the L1 it places, holds it, exits.
 * Build: cc instrument.c $(pkg-config --cflags --libs --static l1top) */
#include <l1top.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    l1top_writer *w = l1top_open(NULL);                  /* $L1TOP_SHM or /l1top */
    if (!w || l1top_declare_device(w, 0, "wormhole_b0", 8, 8) != 0) {
        perror("l1top");
        return 1;
    }
    l1top_range all = { 0, 0, 7, 7 };                    /* every core of the 8x8 grid */
    l1top_record(w, 0, L1TOP_KERNEL_CODE, &all, 1, 0x8D80, 32 * 1024, "matmul kernels");
    l1top_record(w, 0, L1TOP_CIRCULAR_BUFFER, &all, 1, 0x19400, 256 * 1024, "matmul cb in0");
    l1top_record_interleaved(w, 0, 0x100000, 2 << 20, 2048, "activations"); /* 2 MiB, 2 KiB pages */
    printf("recorded\n");
    fflush(stdout);
    sleep(argc > 1 ? (unsigned)atoi(argv[1]) : 30);      /* look at it with: l1top --once */
    l1top_close(w);                                      /* releases everything */
    return 0;
}
