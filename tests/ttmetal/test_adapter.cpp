// Interface tests of the TT-Metal adapter (not hardware tests): the adapter
// is built against the stand-in headers in tests/ttmetal_standin, registered
// by its load-time constructor into the stand-in GraphTracker, and driven
// with fake devices, buffers and CB sets; what it records is read back from
// the real segment with l1top's own reader and accounting.
#include <tt-metalium/graph_tracking.hpp>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

extern "C" {
#include "accounting.h"
#include "shm_reader.h"
}

using namespace tt::tt_metal;

static int passed, failed;
#define CHECK(cond, ...)                                      \
    do {                                                      \
        if (cond) {                                           \
            passed++;                                         \
        } else {                                              \
            failed++;                                         \
            std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            std::fprintf(stderr, __VA_ARGS__);                \
            std::fprintf(stderr, "\n");                       \
        }                                                     \
    } while (0)

class FakeDevice : public IDevice {
public:
    FakeDevice(int id, tt::ARCH arch, size_t gx, size_t gy) : id_(id), arch_(arch), g_{gx, gy} {}
    ChipId id() const override { return id_; }
    tt::ARCH arch() const override { return arch_; }
    CoreCoord compute_with_storage_grid_size() const override { return g_; }

private:
    int id_;
    tt::ARCH arch_;
    CoreCoord g_;
};

static CoreRangeSet crs(std::initializer_list<CoreRange> r) { return CoreRangeSet(std::vector<CoreRange>(r)); }

static snapshot snap;
static accounting usage_now;

static void take() {
    accounting_free(&usage_now);
    shm_reader* r = nullptr;
    char err[256];
    if (shm_reader_open(nullptr, &r, err, sizeof err) != SHM_OK ||
        shm_reader_snapshot(r, &snap, err, sizeof err) != SHM_OK || accounting_compute(&snap, &usage_now) != 0) {
        std::fprintf(stderr, "cannot read the segment: %s\n", err);
        std::exit(2);
    }
    shm_reader_close(r);
}

static const device_usage* dev(uint32_t id) {
    for (size_t i = 0; i < usage_now.ndevices; i++)
        if (snap.devices[usage_now.devices[i].device].id == id)
            return &usage_now.devices[i];
    return nullptr;
}

static uint64_t core(uint32_t id, unsigned x, unsigned y, l1_category c) {
    const device_usage* d = dev(id);
    return d ? d->cores[y * snap.devices[d->device].grid_x + x].bytes[c] : ~0ull;
}

static const char* tag_at(uint32_t id, l1top_kind kind) {
    for (size_t i = 0; i < snap.nregions; i++)
        if (snap.devices[snap.regions[i].device].id == id && snap.regions[i].kind == kind)
            return snap.regions[i].tag;
    return "";
}

int main() {
    const auto& procs = GraphTracker::instance().get_processors();
    CHECK(procs.size() == 1, "the adapter registered itself at load time (%zu processors)", procs.size());
    if (procs.empty())
        return 1;
    IGraphProcessor& p = *procs[0];
    CHECK(!p.is_capture_processor(), "a background processor: GraphTracker::is_enabled() stays false");

    FakeDevice wh(0, tt::ARCH::WORMHOLE_B0, 8, 8), bh(1, tt::ARCH::BLACKHOLE, 11, 10);
    std::span<TrackedArgument> noargs;

    // An op with an interleaved L1 buffer, a sharded one, L1_SMALL and a CB set.
    p.track_function_start("ttnn::matmul", noargs);
    Buffer inter;
    inter.device_ = &wh;
    inter.size_ = 100 * 2048;
    inter.page_size_ = 2048;
    inter.address_ = 0x100000;
    p.track_allocate(&inter);
    Buffer shard;
    shard.device_ = &wh;
    shard.layout_ = TensorMemoryLayout::HEIGHT_SHARDED;
    shard.size_ = 16 * 32768;
    shard.aligned_size_per_bank_ = 32768;
    shard.address_ = 0x120000;
    shard.shard_ = ShardSpecBuffer(crs({{{0, 0}, {7, 1}}}));
    p.track_allocate(&shard);
    Buffer small;
    small.device_ = &wh;
    small.type_ = BufferType::L1_SMALL;
    small.size_ = 64 * 1024;
    small.aligned_size_per_bank_ = 1024;
    small.address_ = 0x16D000;
    p.track_allocate(&small);
    Buffer dram;
    dram.device_ = &wh;
    dram.type_ = BufferType::DRAM;
    dram.size_ = 1 << 20;
    p.track_allocate(&dram);
    p.track_allocate_cb(crs({{{0, 0}, {3, 3}}, {{4, 4}, {7, 7}}}), 0x19180, 65536, false, &wh);
    p.track_allocate_cb(crs({{{0, 0}, {7, 7}}}), 0x100000, 999999, true, &wh);  // tensor-backed
    take();
    CHECK(dev(0) != nullptr, "device 0 declared on first sight");
    CHECK(std::strcmp(snap.devices[dev(0)->device].arch_name, "wormhole_b0") == 0, "arch from IDevice::arch()");
    CHECK(core(0, 0, 0, CAT_L1_BUFFERS) == 2 * 2048 + 32768, "core (0,0): 2 interleaved pages + shard: %llu",
          (unsigned long long)core(0, 0, 0, CAT_L1_BUFFERS));
    CHECK(core(0, 7, 7, CAT_L1_BUFFERS) == 2048, "core (7,7): one interleaved page, no shard");
    CHECK(core(0, 5, 5, CAT_L1_SMALL) == 1024, "L1_SMALL on every core");
    CHECK(core(0, 1, 1, CAT_CIRCULAR_BUFFERS) == 65536 && core(0, 5, 5, CAT_CIRCULAR_BUFFERS) == 65536 &&
              core(0, 1, 5, CAT_CIRCULAR_BUFFERS) == 0,
          "CB on its two core ranges only");
    CHECK(dev(0)->totals[CAT_CIRCULAR_BUFFERS] == 32u * 65536, "the tensor-backed CB adds nothing");
    CHECK(std::strcmp(tag_at(0, L1TOP_CIRCULAR_BUFFER), "ttnn::matmul") == 0, "the op name tags the region: '%s'",
          tag_at(0, L1TOP_CIRCULAR_BUFFER));
    CHECK(dev(0)->totals[CAT_L1_BUFFERS] == 100u * 2048 + 16u * 32768, "DRAM is not L1");

    // Program end: every CB of the device goes; buffers stay until freed.
    p.track_deallocate_cb(&wh);
    p.track_function_end();
    take();
    CHECK(dev(0)->totals[CAT_CIRCULAR_BUFFERS] == 0, "track_deallocate_cb releases the device's CBs");
    CHECK(dev(0)->totals[CAT_L1_BUFFERS] == 100u * 2048 + 16u * 32768, "buffers survive the program");
    p.track_deallocate(&shard);
    p.track_deallocate(&dram); /* never recorded: ignored */
    take();
    CHECK(dev(0)->totals[CAT_L1_BUFFERS] == 100u * 2048, "track_deallocate releases that buffer only");

    // A second device, another arch, nested ops: the innermost names the region.
    p.track_function_start("ttnn::conv2d", noargs);
    p.track_function_start("ttnn::prim::halo", noargs);
    p.track_allocate_cb(crs({{{0, 0}, {10, 9}}}), 0x19B40, 4096, false, &bh);
    p.track_function_end();
    take();
    CHECK(dev(1) && std::strcmp(snap.devices[dev(1)->device].arch_name, "blackhole") == 0, "device 1 is a blackhole");
    CHECK(dev(1) && snap.devices[dev(1)->device].grid_x == 11 && snap.devices[dev(1)->device].grid_y == 10,
          "compute-with-storage grid 11x10");
    CHECK(std::strcmp(tag_at(1, L1TOP_CIRCULAR_BUFFER), "ttnn::prim::halo") == 0, "innermost op: '%s'",
          tag_at(1, L1TOP_CIRCULAR_BUFFER));
    CHECK(core(1, 10, 9, CAT_CIRCULAR_BUFFERS) == 4096, "all 110 cores");
    p.track_function_end();
    p.track_deallocate_cb(&bh);
    p.track_deallocate(&inter);
    p.track_deallocate(&small);
    take();
    CHECK(snap.nregions == 0, "everything released: %zu regions left", snap.nregions);

    // Nothing thrown for nonsense: null buffers, a device of an unknown arch.
    FakeDevice odd(5, tt::ARCH::Invalid, 4, 4);
    p.track_allocate(nullptr);
    p.track_deallocate(nullptr);
    p.track_allocate_cb(crs({{{0, 0}, {3, 3}}}), 0x19180, 64, false, &odd);
    take();
    CHECK(dev(5) == nullptr, "an unknown arch is not declared");

    accounting_free(&usage_now);
    snapshot_free(&snap);
    std::printf("ttmetal adapter: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
