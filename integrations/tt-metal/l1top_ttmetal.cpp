// l1top_ttmetal - a TT-Metal GraphTracker processor that forwards the L1
// an unmodified TT-Metal program places to libl1top, per physical chip and
// per core, so `l1top` shows it live. Loaded by the preload shim
// (l1top_ttmetal_preload.c) once libtt_metal is in the process, or linked
// into a program; see docs/tt-metal.md.
//
// What it owns: the mapping from TT-Metal's hooks to l1top records.
// - Buffers (L1, L1_SMALL): interleaved ones reserve aligned_size_per_bank()
//   at their address on every bank (every worker core), sharded ones on
//   their shard grid, ND-sharded ones on their distribution spec's cores; a
//   buffer of a MeshDevice is recorded on each of its chips; address 0
//   (hooked during a NO_DISPATCH capture) is not real L1 and is skipped.
// - Program-scope L1 (CBs, and dataflow buffers / scratchpads where the
//   headers have those hooks): one set per chip, replaced by each program
//   that runs there, read from track_program (program->circular_buffers())
//   when the Program API is available, else from track_allocate_cb.
// - Threads: upstream's processors are thread-local; the shim calls
//   l1top_ttmetal_attach_thread() on every thread it sees start.
// It never throws into TT-Metal: every hook catches everything.

#include <tt-metalium/buffer.hpp>
#include <tt-metalium/core_coord.hpp>
#include <tt-metalium/device.hpp>
#include <tt-metalium/graph_tracking.hpp>
#include <tt-metalium/mesh_device.hpp>

// A checkout has the Program API; the header closure of 622c6fb9 does not.
#if __has_include(<tt-metalium/program.hpp>) && __has_include(<tt-metalium/circular_buffer.hpp>)
#include <tt-metalium/circular_buffer.hpp>
#include <tt-metalium/program.hpp>
#define L1TOP_HAVE_PROGRAM_API 1
#else
#define L1TOP_HAVE_PROGRAM_API 0
#endif

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "l1top.h"

namespace l1top_ttm {

namespace tm = tt::tt_metal;

using Ranges = std::vector<l1top_range>;

const char* arch_name(tt::ARCH a) {
    switch (a) {
        case tt::ARCH::WORMHOLE_B0: return "wormhole_b0";
        case tt::ARCH::BLACKHOLE: return "blackhole";
        default: return nullptr;  // Quasar and others: no L1 map in l1top yet
    }
}

l1top_range rect(std::size_t x0, std::size_t y0, std::size_t x1, std::size_t y1) {
    return {static_cast<uint16_t>(x0), static_cast<uint16_t>(y0), static_cast<uint16_t>(x1),
            static_cast<uint16_t>(y1)};
}

Ranges to_ranges(const tm::CoreRangeSet& crs) {
    Ranges out;
    for (const auto& r : crs.ranges())
        out.push_back(rect(r.start_coord.x, r.start_coord.y, r.end_coord.x, r.end_coord.y));
    return out;
}

// Cores of a distribution spec as row runs: (x, x+1, ...) on one row merge.
Ranges to_ranges(std::vector<tm::CoreCoord> cores) {
    std::sort(cores.begin(), cores.end(), [](const tm::CoreCoord& a, const tm::CoreCoord& b) {
        return a.y != b.y ? a.y < b.y : a.x < b.x;
    });
    Ranges out;
    for (const auto& c : cores) {
        if (!out.empty() && out.back().y0 == c.y && out.back().x1 + 1u == c.x)
            out.back().x1 = static_cast<uint16_t>(c.x);
        else if (out.empty() || out.back().y0 != c.y || out.back().x1 != c.x)
            out.push_back(rect(c.x, c.y, c.x, c.y));
    }
    return out;
}

// The chips a device stands for: a MeshDevice's own, or the chip itself.
std::vector<const tm::IDevice*> chips_of(const tm::IDevice* d) {
    std::vector<const tm::IDevice*> out;
    if (const auto* mesh = dynamic_cast<const tm::distributed::MeshDevice*>(d)) {
        for (const tm::IDevice* c : mesh->get_devices())
            if (c)
                out.push_back(c);
    } else if (d) {
        out.push_back(d);
    }
    return out;
}

// The chip's place (row, column) on the mesh: MeshDeviceView::find_device,
// which throws for a chip not on it. A 1-D mesh is one row; a mesh of more
// than two dimensions has no place l1top can draw.
bool mesh_place(const tm::distributed::MeshDevice& mesh, const tm::IDevice* chip, uint16_t* row, uint16_t* col) {
    try {
        tm::distributed::MeshCoordinate c = mesh.get_view().find_device(chip->id());
        uint32_t r = c.dims() == 2 ? c[0] : 0, k = c.dims() == 2 ? c[1] : c[0];
        if (c.dims() < 1 || c.dims() > 2 || r >= L1TOP_DEVICE_MESH_MAX || k >= L1TOP_DEVICE_MESH_MAX)
            return false;
        *row = static_cast<uint16_t>(r);
        *col = static_cast<uint16_t>(k);
        return true;
    } catch (...) {
        return false;
    }
}

// The op stack of the calling thread: function_start/end nest per thread.
thread_local std::vector<std::string> op_stack;

std::string current_op() { return op_stack.empty() ? std::string() : op_stack.back(); }

// One program-scope region (CB, dataflow buffer, scratchpad) on one chip.
struct ProgramRegion {
    uint32_t address, size;
    Ranges ranges;
    bool operator==(const ProgramRegion& o) const {
        return address == o.address && size == o.size && ranges.size() == o.ranges.size() &&
               std::equal(ranges.begin(), ranges.end(), o.ranges.begin(), [](const l1top_range& a, const l1top_range& b) {
                   return a.x0 == b.x0 && a.y0 == b.y0 && a.x1 == b.x1 && a.y1 == b.y1;
               });
    }
};

// The program-scope L1 of one chip: what the last program placed there.
struct ChipProgram {
    std::vector<ProgramRegion> regions;
    std::vector<uint64_t> handles;  // parallel to regions
    bool replace_pending = false;   // a program started whose regions arrive one by one
};

class Processor : public tm::IGraphProcessor {
public:
    explicit Processor(l1top_writer* w) : w_(w) {}

    // A background listener: it must not make GraphTracker::is_enabled() true.
    bool is_capture_processor() const override { return false; }

    void track_allocate(const tm::Buffer* buffer) override {
        try {
            record_buffer(buffer);
        } catch (...) {
        }
    }

    void track_deallocate(tm::Buffer* buffer) override {
        try {
            std::vector<uint64_t> handles;
            {
                std::lock_guard<std::mutex> g(mu_);
                auto it = buffers_.find(buffer);
                if (it == buffers_.end())
                    return;
                handles = std::move(it->second);
                buffers_.erase(it);
            }
            for (uint64_t h : handles)
                l1top_release(w_, h);
        } catch (...) {
        }
    }

    void track_allocate_cb(const tm::CoreRangeSet& crs, uint64_t addr, uint64_t size, bool is_globally_allocated,
                           const tm::IDevice* device) override {
        try {
            if (!is_globally_allocated)  // a tensor-backed CB lives inside its tensor's buffer
                add_program_region(device, crs, addr, size);
        } catch (...) {
        }
    }

    // Upstream main never calls it; honoured when something does.
    void track_deallocate_cb(const tm::IDevice* device) override {
        try {
            for (const tm::IDevice* chip : chips_of(device)) {
                std::lock_guard<std::mutex> g(mu_);
                ChipProgram& cp = programs_[static_cast<uint32_t>(chip->id())];
                release_locked(cp);
                cp.replace_pending = false;
            }
        } catch (...) {
        }
    }

    void track_program(tm::Program* program, const tm::IDevice* device) override {
        try {
            start_program(program, device);
        } catch (...) {
        }
    }

    void track_function_start(std::string_view name, std::span<tm::TrackedArgument>) override {
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

    // Metal 2.0 program-scope L1, when the headers have the hooks (see
    // NewerHooks below): recorded like CBs; borrowed memory adds nothing.
    void dataflow_buffer(const tm::CoreRangeSet& crs, uint64_t addr, uint64_t size, bool borrows_memory,
                         const tm::IDevice* device) {
        try {
            if (!borrows_memory)
                add_program_region(device, crs, addr, size);
        } catch (...) {
        }
    }
    void scratchpad(const tm::CoreRangeSet& crs, uint64_t addr, uint64_t size, const tm::IDevice* device) {
        try {
            add_program_region(device, crs, addr, size);
        } catch (...) {
        }
    }

private:
    // Where a buffer lives on one chip, or nothing for what is not L1 we model.
    static Ranges placement(const tm::Buffer* b, const tm::IDevice* chip) {
        if (b->buffer_layout() == tm::TensorMemoryLayout::INTERLEAVED) {
            // TT-Metal reserves the range on every bank, whatever the page count.
            tm::CoreCoord g = chip->compute_with_storage_grid_size();
            if (g.x == 0 || g.y == 0)
                return {};
            return {rect(0, 0, g.x - 1, g.y - 1)};
        }
        if (b->has_shard_spec())
            return to_ranges(b->shard_spec().grid());
        if (const auto& spec = b->buffer_distribution_spec())  // ND-sharded
            return to_ranges(spec->cores());
        return {};
    }

    void record_buffer(const tm::Buffer* b) {
        if (!b || !b->device())
            return;
        tm::BufferType type = b->buffer_type();
        if (type != tm::BufferType::L1 && type != tm::BufferType::L1_SMALL)
            return;  // DRAM, TRACE, system memory: not L1
        uint32_t addr = b->address();
        uint64_t per_bank = b->aligned_size_per_bank();
        if (addr == 0 || per_bank == 0 || per_bank > UINT32_MAX)
            return;  // address 0: hooked during a NO_DISPATCH capture, not placed
        l1top_kind kind = type == tm::BufferType::L1_SMALL ? L1TOP_L1_SMALL : L1TOP_L1_BUFFER;
        std::string tag = current_op();
        std::vector<uint64_t> handles;
        for (const tm::IDevice* chip : chips_of(b->device())) {
            uint32_t id = 0;
            Ranges r = placement(b, chip);
            if (r.empty() || !declare(chip, b->device(), &id))
                continue;
            uint64_t h = l1top_record(w_, id, kind, r.data(), r.size(), addr, static_cast<uint32_t>(per_bank),
                                      tag.c_str());
            if (h)
                handles.push_back(h);
        }
        if (handles.empty())
            return;
        std::lock_guard<std::mutex> g(mu_);
        auto& slot = buffers_[b];
        for (uint64_t h : slot)  // a stale entry: its Buffer was freed unseen
            l1top_release(w_, h);
        slot = std::move(handles);
    }

    void add_program_region(const tm::IDevice* device, const tm::CoreRangeSet& crs, uint64_t addr, uint64_t size) {
        if (addr == 0 || size == 0 || addr > UINT32_MAX || size > UINT32_MAX)
            return;  // address 0: NO_DISPATCH, not placed
        ProgramRegion region{static_cast<uint32_t>(addr), static_cast<uint32_t>(size), to_ranges(crs)};
        if (region.ranges.empty())
            return;
        std::string tag = current_op();
        for (const tm::IDevice* chip : chips_of(device)) {
            uint32_t id = 0;
            if (!declare(chip, device, &id))
                continue;
            std::lock_guard<std::mutex> g(mu_);
            ChipProgram& cp = programs_[id];
            if (cp.replace_pending) {
                release_locked(cp);
                cp.replace_pending = false;
            }
            if (std::find(cp.regions.begin(), cp.regions.end(), region) != cp.regions.end())
                continue;  // already known from track_program
            append_locked(cp, id, region, tag);
        }
    }

    // A program starts on a chip: its CBs replace the previous program's.
    // With the Program API they are read here, so a cached program, which
    // reports nothing else, is seen too; CBs without an address yet (first
    // run, or a NO_DISPATCH capture) arrive later through track_allocate_cb.
    void start_program([[maybe_unused]] tm::Program* program, const tm::IDevice* device) {
        std::string tag = current_op();
        for (const tm::IDevice* chip : chips_of(device)) {
            uint32_t id = 0;
            if (!declare(chip, device, &id))
                continue;
            std::vector<ProgramRegion> regions;
            bool unplaced = true;
#if L1TOP_HAVE_PROGRAM_API
            unplaced = false;
            if (program) {
                for (const auto& cb : program->circular_buffers()) {
                    if (!cb || cb->globally_allocated())
                        continue;
                    uint32_t addr = 0;
                    try {
                        addr = cb->address();
                    } catch (...) {  // not allocated yet
                    }
                    if (addr == 0) {
                        unplaced = true;
                        continue;
                    }
                    Ranges r = to_ranges(cb->core_ranges());
                    if (!r.empty() && cb->size() != 0)
                        regions.push_back({addr, cb->size(), std::move(r)});
                }
            }
#endif
            std::lock_guard<std::mutex> g(mu_);
            ChipProgram& cp = programs_[id];
            if (unplaced && regions.empty()) {
                cp.replace_pending = true;  // the regions follow one by one
                continue;
            }
            release_locked(cp);
            for (const ProgramRegion& r : regions)
                append_locked(cp, id, r, tag);
            cp.replace_pending = false;
        }
    }

    void release_locked(ChipProgram& cp) {
        for (uint64_t h : cp.handles)
            l1top_release(w_, h);
        cp.regions.clear();
        cp.handles.clear();
    }

    void append_locked(ChipProgram& cp, uint32_t id, const ProgramRegion& r, const std::string& tag) {
        uint64_t h = l1top_record(w_, id, L1TOP_CIRCULAR_BUFFER, r.ranges.data(), r.ranges.size(), r.address, r.size,
                                  tag.c_str());
        if (!h)
            return;
        cp.regions.push_back(r);
        cp.handles.push_back(h);
    }

    // Declare a chip on first sight; its l1top id is its TT-Metal chip id,
    // the id of /dev/shm/tt_device_<id>_memory and of the driver. When the
    // hook named a MeshDevice (`via`), the chip's place on that mesh is
    // given too, once, so l1top lays a Galaxy's chips out as its mesh.
    bool declare(const tm::IDevice* chip, const tm::IDevice* via, uint32_t* id_out) {
        uint32_t id = static_cast<uint32_t>(chip->id());
        *id_out = id;
        std::lock_guard<std::mutex> g(mu_);
        auto it = declared_.find(id);
        bool ok;
        if (it != declared_.end()) {
            ok = it->second;
        } else {
            const char* arch = arch_name(chip->arch());
            tm::CoreCoord grid = chip->compute_with_storage_grid_size();
            ok = arch && grid.x > 0 && grid.y > 0 && grid.x <= UINT16_MAX && grid.y <= UINT16_MAX &&
                 l1top_declare_device(w_, id, arch, static_cast<uint16_t>(grid.x), static_cast<uint16_t>(grid.y)) == 0;
            declared_[id] = ok;
        }
        const auto* mesh = dynamic_cast<const tm::distributed::MeshDevice*>(via);
        if (ok && mesh && placed_.insert(id).second) {
            uint16_t row = 0, col = 0;
            if (!mesh_place(*mesh, chip, &row, &col) || l1top_set_device_mesh(w_, id, row, col) != 0)
                placed_.erase(id);  // unknown here; another mesh may know it
        }
        return ok;
    }

    l1top_writer* w_;
    std::mutex mu_;  // process-local, held for map updates and the records they imply
    std::unordered_map<const tm::Buffer*, std::vector<uint64_t>> buffers_;
    std::map<uint32_t, ChipProgram> programs_;
    std::map<uint32_t, bool> declared_;
    std::set<uint32_t> placed_;  // chips whose mesh place was given
};

// Newer upstream hooks, overridden only when the headers declare them: the
// same source builds against 622c6fb9 (without) and later main (with). A
// requires-expression is the configure probe; a wrong signature fails loudly
// through `override`.
template <class Base>
concept HasDataflowHook = requires { &Base::track_allocate_dataflow_buffer; };
template <class Base>
concept HasScratchpadHook = requires { &Base::track_allocate_scratchpad; };

template <class Base, bool = HasDataflowHook<tm::IGraphProcessor>>
class WithDataflow : public Base {
public:
    using Base::Base;
};
template <class Base>
class WithDataflow<Base, true> : public Base {
public:
    using Base::Base;
    void track_allocate_dataflow_buffer(const tm::CoreRangeSet& crs, uint64_t addr, uint64_t size,
                                        bool borrows_memory, const tm::IDevice* device) override {
        this->dataflow_buffer(crs, addr, size, borrows_memory, device);
    }
};

template <class Base, bool = HasScratchpadHook<tm::IGraphProcessor>>
class WithScratchpad : public Base {
public:
    using Base::Base;
};
template <class Base>
class WithScratchpad<Base, true> : public Base {
public:
    using Base::Base;
    void track_allocate_scratchpad(const tm::CoreRangeSet& crs, uint64_t addr, uint64_t size,
                                   const tm::IDevice* device) override {
        this->scratchpad(crs, addr, size, device);
    }
};

using FullProcessor = WithScratchpad<WithDataflow<Processor>>;

// The one processor, shared by every thread. Deliberately immortal: worker
// threads may still report while the process exits, and a dead writer's
// records are reaped by l1top anyway.
std::shared_ptr<tm::IGraphProcessor>* the_processor;
thread_local bool attached;

}  // namespace l1top_ttm

// Registers the processor on the calling thread (once). Called by the preload
// shim at the start of every thread, and by the constructor below for the
// thread that loads this library.
extern "C" __attribute__((visibility("default"))) void l1top_ttmetal_attach_thread(void) {
    using namespace l1top_ttm;
    if (!the_processor || attached)
        return;
    try {
        tt::tt_metal::GraphTracker::instance().push_processor(*the_processor);
        attached = true;
    } catch (...) {
    }
}

__attribute__((constructor)) static void l1top_ttmetal_load() {
    const char* off = std::getenv("L1TOP_TTMETAL");
    if (off && std::strcmp(off, "0") == 0)
        return;
    try {
        l1top_writer* w = l1top_open(nullptr);
        if (!w)
            return;  // no segment: run unobserved rather than fail the model
        l1top_ttm::the_processor =
            new std::shared_ptr<tt::tt_metal::IGraphProcessor>(std::make_shared<l1top_ttm::FullProcessor>(w));
        l1top_ttmetal_attach_thread();
    } catch (...) {
    }
}
