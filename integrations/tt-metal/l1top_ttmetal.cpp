// l1top_ttmetal - a TT-Metal GraphTracker processor that forwards every L1
// event of an unmodified TT-Metal program to libl1top, so `l1top` shows it
// live and per core:  LD_PRELOAD=libl1top_ttmetal.so python my_model.py
//
// It registers itself at load time (L1TOP_TTMETAL=0 disables it), declares
// each device on first sight, records L1 and L1_SMALL buffers (interleaved
// or sharded) and locally allocated circular buffers, releases them as
// TT-Metal frees them, and tags each region with the op that placed it.
// It never throws into TT-Metal: every hook catches everything.

#include <tt-metalium/buffer.hpp>
#include <tt-metalium/core_coord.hpp>
#include <tt-metalium/device.hpp>
#include <tt-metalium/graph_tracking.hpp>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "l1top.h"

namespace {

using namespace tt::tt_metal;

const char* arch_name(tt::ARCH a) {
    switch (a) {
        case tt::ARCH::GRAYSKULL: return "grayskull";
        case tt::ARCH::WORMHOLE_B0: return "wormhole_b0";
        case tt::ARCH::BLACKHOLE: return "blackhole";
        default: return nullptr;
    }
}

std::vector<l1top_range> to_ranges(const CoreRangeSet& crs) {
    std::vector<l1top_range> out;
    for (const auto& r : crs.ranges())
        out.push_back({static_cast<uint16_t>(r.start_coord.x), static_cast<uint16_t>(r.start_coord.y),
                       static_cast<uint16_t>(r.end_coord.x), static_cast<uint16_t>(r.end_coord.y)});
    return out;
}

// The op stack of the calling thread: function_start/end nest per thread.
thread_local std::vector<std::string> op_stack;

class L1topProcessor final : public IGraphProcessor {
public:
    explicit L1topProcessor(l1top_writer* w) : w_(w) {}
    ~L1topProcessor() override { l1top_close(w_); }

    // A background listener: it must not make GraphTracker::is_enabled() true.
    bool is_capture_processor() const override { return false; }

    void track_allocate(const Buffer* buffer) override {
        try {
            if (!buffer || !buffer->device())
                return;
            BufferType type = buffer->buffer_type();
            if (type != BufferType::L1 && type != BufferType::L1_SMALL)
                return;  // DRAM, TRACE, system memory: not L1
            const IDevice* dev = buffer->device();
            uint32_t id = static_cast<uint32_t>(dev->id());
            if (!declare(dev))
                return;
            uint64_t h = 0;
            l1top_kind kind = type == BufferType::L1_SMALL ? L1TOP_L1_SMALL : L1TOP_L1_BUFFER;
            std::string tag = current_op();
            if (buffer->buffer_layout() == TensorMemoryLayout::INTERLEAVED) {
                if (kind == L1TOP_L1_BUFFER) {
                    h = l1top_record_interleaved(w_, id, buffer->address(), buffer->size(),
                                                 static_cast<uint32_t>(buffer->page_size()), tag.c_str());
                } else {  // L1_SMALL: the same bytes per bank on every core
                    CoreCoord g = dev->compute_with_storage_grid_size();
                    l1top_range all{0, 0, static_cast<uint16_t>(g.x - 1), static_cast<uint16_t>(g.y - 1)};
                    h = l1top_record(w_, id, kind, &all, 1, buffer->address(),
                                     static_cast<uint32_t>(buffer->aligned_size_per_bank()), tag.c_str());
                }
            } else if (buffer->has_shard_spec()) {
                std::vector<l1top_range> r = to_ranges(buffer->shard_spec().grid());
                h = l1top_record(w_, id, kind, r.data(), r.size(), buffer->address(),
                                 static_cast<uint32_t>(buffer->aligned_size_per_bank()), tag.c_str());
            }
            if (h) {
                std::lock_guard<std::mutex> g(mu_);
                buffers_[buffer] = h;
            }
        } catch (...) {
        }
    }

    void track_deallocate(Buffer* buffer) override {
        try {
            uint64_t h = 0;
            {
                std::lock_guard<std::mutex> g(mu_);
                auto it = buffers_.find(buffer);
                if (it == buffers_.end())
                    return;
                h = it->second;
                buffers_.erase(it);
            }
            l1top_release(w_, h);
        } catch (...) {
        }
    }

    void track_allocate_cb(const CoreRangeSet& crs, uint64_t addr, uint64_t size, bool is_globally_allocated,
                           const IDevice* device) override {
        try {
            if (is_globally_allocated || !device || !declare(device))
                return;  // a tensor-backed CB lives inside its tensor's buffer
            std::vector<l1top_range> r = to_ranges(crs);
            if (r.empty())
                return;
            l1top_record(w_, static_cast<uint32_t>(device->id()), L1TOP_CIRCULAR_BUFFER, r.data(), r.size(),
                         static_cast<uint32_t>(addr), static_cast<uint32_t>(size), current_op().c_str());
        } catch (...) {
        }
    }

    void track_deallocate_cb(const IDevice* device) override {
        try {
            if (device)
                l1top_release_kind(w_, static_cast<uint32_t>(device->id()), L1TOP_CIRCULAR_BUFFER);
        } catch (...) {
        }
    }

    // Program's public API does not expose its kernel binary and semaphore
    // sizes: those stay in the firmware & reserved share (docs/tt-metal.md).
    void track_program(Program*, const IDevice*) override {}

    void track_function_start(std::string_view name, std::span<TrackedArgument>) override {
        try {
            op_stack.emplace_back(name);
        } catch (...) {
        }
    }
    void track_function_end() override {
        if (!op_stack.empty())
            op_stack.pop_back();
    }
    void track_function_end(const std::any&) override { track_function_end(); }

private:
    static std::string current_op() { return op_stack.empty() ? std::string() : op_stack.back(); }

    bool declare(const IDevice* dev) {
        uint32_t id = static_cast<uint32_t>(dev->id());
        std::lock_guard<std::mutex> g(mu_);
        if (declared_.count(id))
            return true;
        const char* arch = arch_name(dev->arch());
        CoreCoord grid = dev->compute_with_storage_grid_size();
        if (!arch || l1top_declare_device(w_, id, arch, static_cast<uint16_t>(grid.x), static_cast<uint16_t>(grid.y)) != 0)
            return false;
        declared_.insert(id);
        return true;
    }

    l1top_writer* w_;
    std::mutex mu_;  // process-local, held for a map update only
    std::unordered_map<const Buffer*, uint64_t> buffers_;
    std::unordered_set<uint32_t> declared_;
};

}  // namespace

// Registered when the library is loaded (LD_PRELOAD or linked in).
__attribute__((constructor)) static void l1top_ttmetal_register() {
    const char* off = std::getenv("L1TOP_TTMETAL");
    if (off && std::strcmp(off, "0") == 0)
        return;
    try {
        l1top_writer* w = l1top_open(nullptr);
        if (!w)
            return;  // no segment: run unobserved rather than fail the model
        GraphTracker::instance().push_processor(std::make_shared<L1topProcessor>(w));
    } catch (...) {
    }
}
