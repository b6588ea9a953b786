// The stand-in libttnn.so (see README.md): plays a ttnn model on the
// stand-in libtt_metal.so, in two phases, and keeps its tensors until
// standin_model_close(). Every figure here is hand-checked in
// tests/ttmetal/run.sh.
#include <tt-metalium/buffer.hpp>
#include <tt-metalium/circular_buffer.hpp>
#include <tt-metalium/device.hpp>
#include <tt-metalium/graph_tracking.hpp>
#include <tt-metalium/mesh_device.hpp>
#include <tt-metalium/program.hpp>

#include <memory>
#include <vector>

namespace {

namespace ttm = tt::tt_metal;
using ttm::BufferType;
using ttm::TensorMemoryLayout;

constexpr uint32_t WH_UNRESERVED = 0x19400, BH_UNRESERVED = 0x1B300;

struct Model {
    std::vector<std::unique_ptr<ttm::IDevice>> chips;
    std::shared_ptr<ttm::distributed::MeshDevice> mesh_a, mesh_b;  // ids 1 (chip 0) and 5 (chips 2, 3)
    std::vector<std::shared_ptr<ttm::Buffer>> tensors;
    ttm::Program p1, p2, p3;
};
Model* model;

ttm::CoreRangeSet rect(std::size_t x0, std::size_t y0, std::size_t x1, std::size_t y1) {
    return ttm::CoreRangeSet(ttm::CoreRange({x0, y0}, {x1, y1}));
}

std::shared_ptr<ttm::CircularBuffer> cb(const ttm::CoreRangeSet& crs, uint32_t size, std::optional<uint32_t> global = {}) {
    return std::make_shared<ttm::CircularBuffer>(crs, size, global);
}

struct Op {  // track_function_start/end around an op, as ttnn's decorators do
    explicit Op(std::string_view name) { ttm::GraphTracker::instance().track_function_start(name); }
    ~Op() { ttm::GraphTracker::instance().track_function_end(); }
};

std::shared_ptr<ttm::Buffer> interleaved(ttm::IDevice* d, BufferType t, uint32_t addr, uint64_t pages, uint32_t page,
                                        uint32_t banks) {
    uint64_t per_bank = (pages + banks - 1) / banks * page;
    return ttm::Buffer::create_standin(d, t, TensorMemoryLayout::INTERLEAVED, addr, pages * page, page, per_bank, {}, {});
}

// Ops 1-4 on the one-chip mesh: the second program replaces the first.
void phase1(Model& m) {
    ttm::IDevice* chip0 = m.chips[0].get();
    {
        Op op("ttnn::from_torch");  // 10 pages over 64 banks: every bank reserves one page
        m.tensors.push_back(interleaved(m.mesh_a.get(), BufferType::L1, 0x16D000, 10, 2048, 64));
    }
    {
        Op op("ttnn::to_memory_config");  // height-sharded on (0,0)-(1,1), 32 KiB per core
        m.tensors.push_back(ttm::Buffer::create_standin(
            m.mesh_a.get(), BufferType::L1, TensorMemoryLayout::HEIGHT_SHARDED, 0x165000, 4 * 32768, 2048, 32768,
            ttm::ShardSpecBuffer(ttm::ShardSpec(rect(0, 0, 1, 1), {256, 64})), {}));
    }
    {
        Op op("ttnn::add");
        m.p1.add_circular_buffer(cb(rect(0, 0, 7, 7), 4096));
        m.p1.add_circular_buffer(cb(rect(0, 0, 3, 3), 8192));
        m.p1.add_circular_buffer(cb(rect(0, 0, 1, 1), 32768, 0x165000));  // on the sharded tensor
        ttm::EnqueueProgram(chip0, m.p1, WH_UNRESERVED);
        m.tensors.push_back(interleaved(m.mesh_a.get(), BufferType::L1_SMALL, 0x16DC00, 64, 1024, 64));
    }
    {
        Op op("ttnn::matmul");
        auto scratch = interleaved(m.mesh_a.get(), BufferType::L1, 0x164800, 64, 2048, 64);
        m.p2.add_circular_buffer(cb(rect(0, 0, 7, 7), 16384));
        ttm::EnqueueProgram(chip0, m.p2, WH_UNRESERVED);
    }  // scratch freed here
    // A NO_DISPATCH capture in the same process: hooked, never placed.
    m.tensors.push_back(interleaved(m.mesh_a.get(), BufferType::L1, 0, 64, 2048, 64));
}

// The cached first program again, then the two-chip mesh.
void phase2(Model& m) {
    {
        Op op("ttnn::add");  // program cache hit: only track_program reports it
        ttm::EnqueueProgram(m.chips[0].get(), m.p1, WH_UNRESERVED);
    }
    {
        Op op("ttnn::reshard");  // ND-sharded: a distribution spec, no shard spec
        std::vector<ttm::CoreCoord> cores{{0, 0}, {1, 0}, {2, 0}, {7, 3}};
        m.tensors.push_back(ttm::Buffer::create_standin(m.mesh_b.get(), BufferType::L1, TensorMemoryLayout::ND_SHARDED,
                                                       0x170000, 4 * 6144, 1024, 6144, {},
                                                       ttm::BufferDistributionSpec(cores)));
        // 300 pages over 110 banks: 3 pages reserved on every bank.
        m.tensors.push_back(interleaved(m.mesh_b.get(), BufferType::L1, 0x17C000, 300, 4096, 110));
    }
    {
        Op op("ttnn::softmax");
        m.p3.add_circular_buffer(cb(rect(0, 0, 10, 9), 65536));
        for (int i = 1; i <= 2; i++)  // a mesh workload: the program runs on each chip
            ttm::EnqueueProgram(m.chips[i].get(), m.p3, BH_UNRESERVED);
        auto& tracker = ttm::GraphTracker::instance();
        ttm::IDevice* chip2 = m.chips[1].get();
        tracker.track_allocate_scratchpad(rect(0, 0, 0, 0), BH_UNRESERVED + 65536, 2048, chip2);
        tracker.track_allocate_dataflow_buffer(rect(1, 1, 1, 1), BH_UNRESERVED + 65536 + 2048, 1024, false, chip2);
        tracker.track_allocate_dataflow_buffer(rect(0, 0, 1, 1), 0x170000, 6144, true, chip2);  // borrowed
    }
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int standin_model_phase(int phase) {
    try {
        if (!model) {
            model = new Model;
            model->chips.push_back(ttm::CreateDeviceStandin(0, tt::ARCH::WORMHOLE_B0, 8, 8));
            model->chips.push_back(ttm::CreateDeviceStandin(2, tt::ARCH::BLACKHOLE, 11, 10));
            model->chips.push_back(ttm::CreateDeviceStandin(3, tt::ARCH::BLACKHOLE, 11, 10));
            model->mesh_a = std::make_shared<ttm::distributed::MeshDevice>(1, std::vector<ttm::IDevice*>{model->chips[0].get()});
            model->mesh_b = std::make_shared<ttm::distributed::MeshDevice>(
                5, std::vector<ttm::IDevice*>{model->chips[1].get(), model->chips[2].get()}, 2);  // 2x1: chip 3 below chip 2
        }
        if (phase == 1)
            phase1(*model);
        else if (phase == 2)
            phase2(*model);
        else
            return -1;
        return 0;
    } catch (...) {
        return -1;
    }
}

extern "C" __attribute__((visibility("default"))) void standin_model_close(void) {
    delete model;
    model = nullptr;
}
